"""The built-in features of DESIGN §4. docs/features.md gives each one's exact definition."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

from .. import _events as ev
from .._features import Feature, FeatureKind
from .._state import ClientState, Goal, Rating
from .._timeutil import whole_days, whole_hours
from ..hookspecs import hookimpl

WEEK = timedelta(days=7)
MONTH = timedelta(days=30)
DAY = timedelta(hours=24)


def _latest(ratings: tuple[Rating, ...], back: int) -> int | None:
    return ratings[-back].value if len(ratings) >= back else None


def _change(ratings: tuple[Rating, ...]) -> int | None:
    if len(ratings) < 2:
        return None
    return ratings[-1].value - ratings[-2].value


def _in_window(times: list[datetime], now: datetime, window: timedelta) -> int:
    return sum(1 for t in times if now - window < t <= now)


def _outcomes_7d(kind: str) -> Callable[[ClientState, ev.Event], int]:
    def compute(state: ClientState, event: ev.Event) -> int:
        return _in_window([o.at for o in state.outcomes if o.kind == kind], event.at, WEEK)

    return compute


def _talk_recent(kind: str) -> Callable[[ClientState, ev.Event], int]:
    def compute(state: ClientState, event: ev.Event) -> int:
        return _in_window([t.at for t in state.talk_history if t.talk == kind], event.at, WEEK)

    return compute


def relevant_goal(state: ClientState, event: ev.Event) -> Goal | None:
    """The goal an event is about: its ``goal_id`` if known, else the latest active goal."""
    goal = state.goal(event.goal_ref)
    if (
        goal is None
        and event.goal_ref is None
        and isinstance(event, ev.ActionCompleted | ev.ActionMissed)
    ):
        planned = state.action(event.action_id)
        goal = state.goal(planned.goal_id) if planned else None
    return goal or state.latest_active_goal()


def _days_since_last_event(state: ClientState, event: ev.Event) -> int | None:
    ref = state.last_activity_at if isinstance(event, ev.Tick) else state.previous_activity_at
    return whole_days(event.at, ref) if ref is not None else None


def _days_since_goal_set(state: ClientState, event: ev.Event) -> int | None:
    goal = relevant_goal(state, event)
    return whole_days(event.at, goal.set_at) if goal else None


def _goal_origin(state: ClientState, event: ev.Event) -> str | None:
    goal = relevant_goal(state, event)
    return goal.origin if goal else None


def _client_facing_times(state: ClientState) -> list[datetime]:
    return [r.at for r in state.interventions if r.audience == "client"]


def _interventions_last_24h(state: ClientState, event: ev.Event) -> int:
    return sum(1 for t in _client_facing_times(state) if event.at - DAY < t <= event.at)


def _hours_since_last_intervention(state: ClientState, event: ev.Event) -> int | None:
    times = [t for t in _client_facing_times(state) if t <= event.at]
    return whole_hours(event.at, max(times)) if times else None


def _talk(state: ClientState, event: ev.Event) -> str | None:
    # The engine records the talk of every message event, so the last record is this one's.
    if not isinstance(event, ev.Message) or not state.talk_history:
        return None
    return state.talk_history[-1].talk


def _f(
    name: str,
    kind: FeatureKind,
    description: str,
    compute: Callable[[ClientState, ev.Event], Any],
    *,
    nullable: bool = True,
    choices: tuple[str, ...] = (),
    implies: tuple[str, ...] = (),
) -> Feature:
    return Feature(
        name, kind, description, compute, nullable=nullable, choices=choices, implies=implies
    )


BUILTIN_FEATURES: tuple[Feature, ...] = (
    _f(
        "confidence",
        "number",
        "Latest confidence rating (0..10).",
        lambda s, e: _latest(s.confidence_ratings, 1),
    ),
    _f(
        "confidence_previous",
        "number",
        "The confidence rating before the latest one.",
        lambda s, e: _latest(s.confidence_ratings, 2),
        implies=("confidence",),
    ),
    _f(
        "confidence_change",
        "number",
        "confidence minus confidence_previous.",
        lambda s, e: _change(s.confidence_ratings),
        implies=("confidence", "confidence_previous"),
    ),
    _f(
        "importance",
        "number",
        "Latest importance rating (0..10).",
        lambda s, e: _latest(s.importance_ratings, 1),
    ),
    _f(
        "importance_previous",
        "number",
        "The importance rating before the latest one.",
        lambda s, e: _latest(s.importance_ratings, 2),
        implies=("importance",),
    ),
    _f(
        "importance_change",
        "number",
        "importance minus importance_previous.",
        lambda s, e: _change(s.importance_ratings),
        implies=("importance", "importance_previous"),
    ),
    _f(
        "missed_streak",
        "number",
        "Misses since the last completion.",
        lambda s, e: s.missed_streak,
        nullable=False,
    ),
    _f(
        "completed_streak",
        "number",
        "Completions since the last miss.",
        lambda s, e: s.completed_streak,
        nullable=False,
    ),
    _f("missed_total", "number", "All misses ever.", lambda s, e: s.missed_total, nullable=False),
    _f(
        "completed_total",
        "number",
        "All completions ever.",
        lambda s, e: s.completed_total,
        nullable=False,
    ),
    _f(
        "missed_last_7d",
        "number",
        "Misses with at in (now-7d, now].",
        _outcomes_7d("missed"),
        nullable=False,
    ),
    _f(
        "completed_last_7d",
        "number",
        "Completions with at in (now-7d, now].",
        _outcomes_7d("completed"),
        nullable=False,
    ),
    _f(
        "days_since_last_completion",
        "number",
        "Whole days since the latest completion.",
        lambda s, e: whole_days(e.at, s.last_completion_at) if s.last_completion_at else None,
    ),
    _f(
        "days_since_last_event",
        "number",
        "Whole days since the previous non-tick event.",
        _days_since_last_event,
    ),
    _f(
        "days_since_goal_set",
        "number",
        "Whole days since the relevant goal was set.",
        _days_since_goal_set,
    ),
    _f(
        "goal_changes_30d",
        "number",
        "goal_changed + goal_abandoned events in (now-30d, now].",
        lambda s, e: _in_window(list(s.goal_changes), e.at, MONTH),
        nullable=False,
    ),
    _f(
        "goal_origin",
        "string",
        "Origin of the relevant goal.",
        _goal_origin,
        choices=("own", "should", "external", "unknown"),
    ),
    _f(
        "goals_active",
        "number",
        "Number of active goals.",
        lambda s, e: sum(1 for g in s.goals if g.status == "active"),
        nullable=False,
    ),
    _f(
        "talk",
        "string",
        "Talk of this message (given or classified); null for other events.",
        _talk,
        choices=ev.TALK_VALUES,
    ),
    _f(
        "change_talk_recent",
        "number",
        "Change-talk messages in (now-7d, now].",
        _talk_recent("change"),
        nullable=False,
    ),
    _f(
        "sustain_talk_recent",
        "number",
        "Sustain-talk messages in (now-7d, now].",
        _talk_recent("sustain"),
        nullable=False,
    ),
    _f(
        "discord_recent",
        "number",
        "Discord messages in (now-7d, now].",
        _talk_recent("discord"),
        nullable=False,
    ),
    _f(
        "interventions_last_24h",
        "number",
        "Client-facing interventions in (now-24h, now], before this event's decision.",
        _interventions_last_24h,
        nullable=False,
    ),
    _f(
        "hours_since_last_intervention",
        "number",
        "Whole hours since the latest client-facing intervention.",
        _hours_since_last_intervention,
    ),
    _f(
        "last_success",
        "string",
        "Title of the most recent completed action with a known title.",
        lambda s, e: s.last_success,
    ),
)


@hookimpl
def mirules_register_features(register: Callable[[Feature], None]) -> None:
    for feature in BUILTIN_FEATURES:
        register(feature)
