"""Hypothesis strategies and checks for proving rulesets consistent.

::

    from hypothesis import given
    from mirules.testing import event_streams, assert_decision_ok

    @given(event_streams())
    def test_my_ruleset(mirules_engine_factory, stream):
        engine = mirules_engine_factory(rulesets=["my-ruleset.yaml"])
        for event in stream:
            assert_decision_ok(engine, engine.process(event))

Strategies produce wire-format dicts (what a host sends). Defaulted arguments are
keyword-only, and bad arguments raise ``hypothesis.errors.InvalidArgument`` eagerly.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

from hypothesis import strategies as st
from hypothesis.errors import InvalidArgument

if TYPE_CHECKING:
    from .._engine import Engine
    from .._model import Decision

__all__ = [
    "CHANGE_PHRASES",
    "CRISIS_PHRASES",
    "DISCORD_PHRASES",
    "NEUTRAL_PHRASES",
    "SUSTAIN_PHRASES",
    "assert_decision_ok",
    "client_events",
    "event_streams",
]

CHANGE_PHRASES = (
    "I want to feel fitter by the summer.",
    "I can do a short walk tomorrow.",
    "I'm going to try again on Monday.",
    "It would help me sleep better.",
)
SUSTAIN_PHRASES = (
    "I can't find the time this week.",
    "Honestly it's too hard right now.",
    "I don't want to give up my evenings.",
)
DISCORD_PHRASES = ("Stop nagging me.", "You don't get it.", "Leave me alone please.")
NEUTRAL_PHRASES = ("Ok.", "It rained all day.", "Thanks for the message.")
CRISIS_PHRASES = (
    "Some days I want to kill myself.",
    "I feel like ending it all.",
    "I have been hurting myself again.",
    "My partner hits me when he drinks.",
)
EVENT_TYPES = (
    "goal_set", "goal_changed", "goal_abandoned", "action_planned", "action_completed",
    "action_missed", "confidence_rated", "importance_rated", "check_in", "message", "tick",
)  # fmt: skip
_EPOCH = datetime(2026, 3, 1, 8, 0, tzinfo=UTC)

# Titles a client might type: letters, digits, punctuation and braces (which must never
# reach a message as braces). "None" is excluded because a title may legitimately say it.
_titles = (
    st.text(alphabet="abcdefghijklmnopqrstuvwxyz ABCXYZ0123456789-'{}!?.,", min_size=1, max_size=40)
    .map(str.strip)
    .filter(lambda t: bool(t) and "none" not in t.lower())
)


def _body(
    draw: st.DrawFn, event_type: str, goals: Sequence[str], actions: Sequence[str], crisis: bool
) -> dict[str, Any]:
    goal = draw(st.sampled_from(goals))
    action = draw(st.sampled_from(actions))
    maybe_goal = draw(st.none() | st.just(goal))
    if event_type == "goal_set":
        origin = st.sampled_from(["own", "should", "external", "unknown"])
        return {"goal_id": goal, "title": draw(_titles), "origin": draw(origin)}
    if event_type == "goal_changed":
        return {"goal_id": goal, "title": draw(_titles)}
    if event_type == "goal_abandoned":
        return {"goal_id": goal}
    if event_type == "action_planned":
        return _drop_none({"action_id": action, "title": draw(_titles), "goal_id": maybe_goal})
    if event_type in ("action_completed", "action_missed"):
        return _drop_none({"action_id": action, "goal_id": maybe_goal})
    if event_type in ("confidence_rated", "importance_rated"):
        return _drop_none({"value": draw(st.integers(0, 10)), "goal_id": maybe_goal})
    if event_type == "check_in":
        return _drop_none({"mood": draw(st.none() | st.integers(1, 5))})
    if event_type == "message":
        pools = [CHANGE_PHRASES, SUSTAIN_PHRASES, DISCORD_PHRASES, NEUTRAL_PHRASES]
        if crisis:
            pools.append(CRISIS_PHRASES)
        text = draw(st.sampled_from(pools).flatmap(st.sampled_from))
        talk = draw(st.none() | st.sampled_from(["change", "sustain", "neutral", "discord"]))
        return _drop_none({"text": text, "talk": talk})
    return {}


def _drop_none(body: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in body.items() if v is not None}


def _check_types(types: Sequence[str] | None) -> tuple[str, ...]:
    if types is None:
        return EVENT_TYPES
    unknown = sorted(set(types) - set(EVENT_TYPES))
    if unknown or not types:
        raise InvalidArgument(f"types must be a non-empty subset of {EVENT_TYPES}; got {unknown}")
    return tuple(types)


@st.composite
def _stream(
    draw: st.DrawFn,
    client_ids: tuple[str, ...],
    types: tuple[str, ...],
    min_size: int,
    max_size: int,
    crisis: bool,
    max_gap: timedelta,
) -> list[dict[str, Any]]:
    goals = ["g1", "g2", "g3"]
    actions = ["a1", "a2", "a3", "a4"]
    count = draw(st.integers(min_size, max_size))
    at = _EPOCH
    events = []
    for index in range(count):
        at += timedelta(seconds=draw(st.integers(0, int(max_gap.total_seconds()))))
        event_type = draw(st.sampled_from(types))
        event = {
            "id": f"e{index}",
            "client_id": draw(st.sampled_from(client_ids)),
            "type": event_type,
            "at": at.isoformat().replace("+00:00", "Z"),
        }
        event.update(_body(draw, event_type, goals, actions, crisis))
        events.append(event)
    return events


def event_streams(
    *,
    client_ids: Sequence[str] = ("c1",),
    types: Sequence[str] | None = None,
    min_size: int = 1,
    max_size: int = 40,
    crisis: bool = True,
    max_gap: timedelta = timedelta(days=2),
) -> st.SearchStrategy[list[dict[str, Any]]]:
    """Lists of valid event dicts in time order, with ids unique per stream.

    :param client_ids: the clients events are drawn for.
    :param types: event types to draw from (default: all built-in types).
    :param crisis: whether messages may contain crisis language.
    :param max_gap: the largest step between consecutive timestamps.
    """
    if not client_ids or not all(isinstance(c, str) and c for c in client_ids):
        raise InvalidArgument(f"client_ids must be non-empty strings, got {client_ids!r}")
    if not 0 <= min_size <= max_size:
        raise InvalidArgument(f"need 0 <= min_size <= max_size, got {min_size}, {max_size}")
    if max_gap < timedelta(0):
        raise InvalidArgument("max_gap must not be negative")
    return _stream(tuple(client_ids), _check_types(types), min_size, max_size, crisis, max_gap)


def client_events(
    *, client_id: str = "c1", types: Sequence[str] | None = None, crisis: bool = True
) -> st.SearchStrategy[dict[str, Any]]:
    """Single valid event dicts for one client."""
    return event_streams(client_ids=(client_id,), types=types, min_size=1, max_size=1,
                         crisis=crisis).map(lambda events: events[0])  # fmt: skip


def assert_decision_ok(engine: Engine, decision: Decision, event_type: str | None = None) -> None:
    """Assert the properties every decision must have, whatever the ruleset:

    no message shows ``None`` or braces; every code is adherent or neutral; no intervention
    breaks an invariant of its ruleset; per-event caps hold; a safety escalation excludes
    client-facing messages. ``event_type`` lets invariants that read ``event.type`` see it.
    """
    from .._conditions import MappingEnv
    from .._strategies import CODE_CLASSES

    policy = engine.config.policy
    client = [i for i in decision.interventions if i.audience == "client"]
    coach = [i for i in decision.interventions if i.audience == "coach" and i.ruleset != "safety"]
    assert len(client) <= policy.max_client_per_event, decision
    assert len(coach) <= policy.max_coach_per_event, decision
    escalated = any(i.ruleset == "safety" for i in decision.interventions)
    assert not (escalated and client), "a safety escalation must stop client-facing messages"
    by_name = {r.name: r for r in engine.rulesets}
    for iv in decision.interventions:
        for text in (iv.message, *iv.alternatives):
            assert "None" not in text, text
            assert "{" not in text, text
            assert "}" not in text, text
        assert all(code in CODE_CLASSES for code in iv.codes), iv.codes
        ruleset = by_name.get(iv.ruleset)
        if ruleset is None:
            continue
        rule = ruleset.rule(iv.rule)
        env = MappingEnv(
            decision.state.features, {"type": event_type}, rule.attributes(ruleset.name)
        )
        for invariant in ruleset.invariants:
            assert not invariant.never(env), f"{iv.ruleset}/{iv.rule} breaks {invariant.name!r}"
