"""Client state (DESIGN §4): an immutable value, bounded however many events a client sends."""

from collections.abc import Mapping
from datetime import datetime
from typing import Any, Literal

import attrs

from ._fidelity import Fidelity

# Bounds on history. State size is O(these), never O(events): see docs/features.md.
MAX_GOALS = 20
MAX_ACTIONS = 50
MAX_OUTCOMES = 64
MAX_RATINGS = 2
MAX_GOAL_CHANGES = 32
MAX_TALK = 32
MAX_INTERVENTIONS = 64
MAX_RULE_MEMORY = 500


@attrs.frozen
class Goal:
    goal_id: str
    title: str | None
    origin: str
    set_at: datetime
    status: Literal["active", "abandoned"] = "active"


@attrs.frozen
class PlannedAction:
    action_id: str
    title: str
    planned_at: datetime
    goal_id: str | None = None
    due: datetime | None = None


@attrs.frozen
class Outcome:
    kind: Literal["completed", "missed"]
    action_id: str
    at: datetime
    title: str | None = None


@attrs.frozen
class Rating:
    value: int
    at: datetime


@attrs.frozen
class TalkRecord:
    talk: str
    at: datetime


@attrs.frozen
class InterventionRecord:
    """What the engine remembers of an intervention it emitted (for spacing and rotation)."""

    id: str
    at: datetime
    ruleset: str
    rule: str
    audience: str
    strategy: str
    codes: tuple[str, ...]


@attrs.frozen
class RuleMemory:
    """When a rule last fired for this client and which variant it used."""

    at: datetime
    variant: int


@attrs.frozen
class ClientState:
    """Everything mirules knows about one client. ``features`` is what conditions read.

    ``features`` describe the client as of the last event, before that event's decision;
    the history tuples include the decision (its interventions).
    """

    client_id: str
    goals: tuple[Goal, ...] = ()
    actions: tuple[PlannedAction, ...] = ()
    outcomes: tuple[Outcome, ...] = ()
    confidence_ratings: tuple[Rating, ...] = ()
    importance_ratings: tuple[Rating, ...] = ()
    goal_changes: tuple[datetime, ...] = ()
    talk_history: tuple[TalkRecord, ...] = ()
    interventions: tuple[InterventionRecord, ...] = ()
    rule_memory: Mapping[str, RuleMemory] = attrs.field(factory=dict)
    missed_total: int = 0
    completed_total: int = 0
    missed_streak: int = 0
    completed_streak: int = 0
    last_activity_at: datetime | None = None
    previous_activity_at: datetime | None = None
    last_completion_at: datetime | None = None
    last_success: str | None = None
    last_event_at: datetime | None = None
    events_processed: int = 0
    fidelity: Fidelity = attrs.field(factory=Fidelity)
    features: Mapping[str, Any] = attrs.field(factory=dict)

    @classmethod
    def empty(cls, client_id: str) -> "ClientState":
        return cls(client_id=client_id)

    def goal(self, goal_id: str | None) -> Goal | None:
        if goal_id is None:
            return None
        return next((g for g in self.goals if g.goal_id == goal_id), None)

    def action(self, action_id: str | None) -> PlannedAction | None:
        if action_id is None:
            return None
        return next((a for a in self.actions if a.action_id == action_id), None)

    def latest_active_goal(self) -> Goal | None:
        active = [g for g in self.goals if g.status == "active"]
        return active[-1] if active else None
