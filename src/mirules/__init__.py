"""mirules: a plugin-based rules engine for motivational-interviewing coaching interventions.

Embed it::

    from mirules import Engine

    with Engine.default() as engine:
        decision = engine.process({"id": "e1", "client_id": "c1", "type": "action_missed",
                                   "at": "2026-03-02T08:00:00Z", "action_id": "walk"})
        for intervention in decision.interventions:
            print(intervention.message, "--", intervention.reason())
"""

from ._conditions import Condition
from ._convert import from_jsonable, loads_strict, to_jsonable
from ._engine import BatchResult, Engine, EngineConfig, Failure
from ._errors import (
    ConditionError,
    InvalidEvent,
    MatcherUnavailable,
    MirulesError,
    PluginError,
    RulesetError,
    RulesetErrors,
    StoreError,
    TemplateError,
)
from ._events import (
    ActionCompleted,
    ActionMissed,
    ActionPlanned,
    CheckIn,
    ConfidenceRated,
    Event,
    EventField,
    GoalAbandoned,
    GoalChanged,
    GoalSet,
    ImportanceRated,
    Message,
    Tick,
)
from ._features import Feature
from ._fidelity import Fidelity
from ._matchers import Matcher, RuleMatch
from ._model import ConditionResult, Decision, Intervention, Suppressed
from ._rulesets import Invariant, Rule, Ruleset
from ._screens import Screen, ScreenHit
from ._select import Candidate, Selection, SelectionPolicy, default_selection
from ._sqlite import SQLiteStore
from ._state import ClientState
from ._stores import MemoryStore, Store
from ._strategies import Strategy
from .hookspecs import hookimpl

__all__ = [
    "ActionCompleted",
    "ActionMissed",
    "ActionPlanned",
    "BatchResult",
    "Candidate",
    "CheckIn",
    "ClientState",
    "Condition",
    "ConditionError",
    "ConditionResult",
    "ConfidenceRated",
    "Decision",
    "Engine",
    "EngineConfig",
    "Event",
    "EventField",
    "Failure",
    "Feature",
    "Fidelity",
    "GoalAbandoned",
    "GoalChanged",
    "GoalSet",
    "ImportanceRated",
    "Intervention",
    "InvalidEvent",
    "Invariant",
    "Matcher",
    "MatcherUnavailable",
    "MemoryStore",
    "Message",
    "MirulesError",
    "PluginError",
    "Rule",
    "RuleMatch",
    "Ruleset",
    "RulesetError",
    "RulesetErrors",
    "SQLiteStore",
    "Screen",
    "ScreenHit",
    "Selection",
    "SelectionPolicy",
    "Store",
    "StoreError",
    "Strategy",
    "Suppressed",
    "TemplateError",
    "Tick",
    "default_selection",
    "from_jsonable",
    "hookimpl",
    "loads_strict",
    "to_jsonable",
]
