"""The built-in reducer: fold one event into a client's bounded history.

Features are computed afterwards from the reduced history (``mirules.plugins.features``).
Time is always the event's ``at``; processing order decides what "latest" means.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TypeVar

import attrs

from . import _events as ev
from ._state import (
    MAX_ACTIONS,
    MAX_GOAL_CHANGES,
    MAX_GOALS,
    MAX_OUTCOMES,
    MAX_RATINGS,
    MAX_TALK,
    ClientState,
    Goal,
    Outcome,
    PlannedAction,
    Rating,
    TalkRecord,
)

T = TypeVar("T")


def _keep_last(items: Sequence[T], bound: int) -> tuple[T, ...]:
    return tuple(items[-bound:]) if len(items) > bound else tuple(items)


def _bounded_goals(goals: list[Goal]) -> tuple[Goal, ...]:
    while len(goals) > MAX_GOALS:
        # Forget the oldest abandoned goal first, else the oldest goal.
        victim = next((g for g in goals if g.status == "abandoned"), goals[0])
        goals.remove(victim)
    return tuple(goals)


def _upsert_goal(state: ClientState, goal: Goal) -> tuple[Goal, ...]:
    goals = [g for g in state.goals if g.goal_id != goal.goal_id]
    goals.append(goal)
    return _bounded_goals(goals)


def reduce_history(state: ClientState, event: ev.Event, talk: str | None = None) -> ClientState:
    """Return the state with ``event`` folded into its history (features not yet computed)."""
    changes: dict[str, object] = {"events_processed": state.events_processed + 1}
    at = event.at
    if not isinstance(event, ev.Tick):
        changes["previous_activity_at"] = state.last_activity_at
        changes["last_activity_at"] = at
    changes["last_event_at"] = at

    if isinstance(event, ev.GoalSet):
        changes["goals"] = _upsert_goal(state, Goal(event.goal_id, event.title, event.origin, at))
    elif isinstance(event, ev.GoalChanged):
        old = state.goal(event.goal_id)
        origin = old.origin if old else "unknown"
        set_at = old.set_at if old else at
        changes["goals"] = _upsert_goal(state, Goal(event.goal_id, event.title, origin, set_at))
        changes["goal_changes"] = _keep_last((*state.goal_changes, at), MAX_GOAL_CHANGES)
    elif isinstance(event, ev.GoalAbandoned):
        old = state.goal(event.goal_id)
        goal = (
            attrs.evolve(old, status="abandoned")
            if old
            else Goal(event.goal_id, None, "unknown", at, "abandoned")
        )
        changes["goals"] = _upsert_goal(state, goal)
        changes["goal_changes"] = _keep_last((*state.goal_changes, at), MAX_GOAL_CHANGES)
    elif isinstance(event, ev.ActionPlanned):
        actions = [a for a in state.actions if a.action_id != event.action_id]
        actions.append(PlannedAction(event.action_id, event.title, at, event.goal_id, event.due))
        changes["actions"] = _keep_last(actions, MAX_ACTIONS)
    elif isinstance(event, ev.ActionCompleted | ev.ActionMissed):
        planned = state.action(event.action_id)
        title = planned.title if planned else None
        completed = isinstance(event, ev.ActionCompleted)
        outcome = Outcome("completed" if completed else "missed", event.action_id, at, title)
        changes["outcomes"] = _keep_last((*state.outcomes, outcome), MAX_OUTCOMES)
        if completed:
            changes.update(
                completed_total=state.completed_total + 1,
                completed_streak=state.completed_streak + 1,
                missed_streak=0,
                last_completion_at=at,
                last_success=title if title is not None else state.last_success,
            )
        else:
            changes.update(
                missed_total=state.missed_total + 1,
                missed_streak=state.missed_streak + 1,
                completed_streak=0,
            )
    elif isinstance(event, ev.ConfidenceRated):
        ratings = (*state.confidence_ratings, Rating(event.value, at))
        changes["confidence_ratings"] = _keep_last(ratings, MAX_RATINGS)
    elif isinstance(event, ev.ImportanceRated):
        ratings = (*state.importance_ratings, Rating(event.value, at))
        changes["importance_ratings"] = _keep_last(ratings, MAX_RATINGS)

    if talk is not None:
        changes["talk_history"] = _keep_last((*state.talk_history, TalkRecord(talk, at)), MAX_TALK)
    return attrs.evolve(state, **changes)  # type: ignore[arg-type]
