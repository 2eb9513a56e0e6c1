"""One test per built-in feature (docs/features.md gives the definitions)."""

from __future__ import annotations

from typing import Any

import pytest

from mirules import ClientState, Engine
from mirules.plugins.features import BUILTIN_FEATURES

DESIGN_FEATURES = {
    "confidence", "confidence_previous", "confidence_change", "importance",
    "importance_previous", "importance_change", "missed_streak", "completed_streak",
    "missed_total", "completed_total", "missed_last_7d", "completed_last_7d",
    "days_since_last_completion", "days_since_last_event", "days_since_goal_set",
    "goal_changes_30d", "goal_origin", "goals_active", "talk", "change_talk_recent",
    "sustain_talk_recent", "discord_recent", "interventions_last_24h",
    "hours_since_last_intervention", "last_success",
}  # fmt: skip


def run(engine: Engine, events: list[tuple[str, str, dict[str, Any]]]) -> dict[str, Any]:
    """Evaluate events purely in order and return the last event's features."""
    state: ClientState | None = None
    for index, (event_type, at, fields) in enumerate(events):
        raw = {"id": f"e{index}", "client_id": "c1", "type": event_type, "at": at, **fields}
        state = engine.evaluate(state, raw).state
    assert state is not None
    return dict(state.features)


@pytest.fixture
def engine(engine_factory) -> Engine:
    # An empty ruleset list: features only, no interventions.
    return engine_factory(rulesets=[])


def test_every_design_feature_is_registered_and_documented() -> None:
    names = {f.name for f in BUILTIN_FEATURES}
    assert names == DESIGN_FEATURES
    from pathlib import Path

    doc = (Path(__file__).parents[2] / "docs" / "features.md").read_text()
    for name in names:
        assert f"`{name}`" in doc, f"{name} is not documented in docs/features.md"


def test_all_features_null_or_zero_on_first_tick(engine) -> None:
    f = run(engine, [("tick", "2026-03-01T08:00:00Z", {})])
    assert f["confidence"] is None
    assert f["missed_streak"] == 0
    assert f["days_since_last_event"] is None
    assert f["goal_origin"] is None
    assert f["goals_active"] == 0


def test_confidence_previous_and_change(engine) -> None:
    f = run(engine, [("confidence_rated", "2026-03-01T08:00:00Z", {"value": 7}),
                     ("confidence_rated", "2026-03-02T08:00:00Z", {"value": 4})])  # fmt: skip
    assert (f["confidence"], f["confidence_previous"], f["confidence_change"]) == (4, 7, -3)


def test_confidence_single_rating(engine) -> None:
    f = run(engine, [("confidence_rated", "2026-03-01T08:00:00Z", {"value": 7})])
    assert (f["confidence"], f["confidence_previous"], f["confidence_change"]) == (7, None, None)


def test_importance_previous_and_change(engine) -> None:
    f = run(engine, [("importance_rated", "2026-03-01T08:00:00Z", {"value": 2}),
                     ("importance_rated", "2026-03-02T08:00:00Z", {"value": 6}),
                     ("tick", "2026-03-03T08:00:00Z", {})])  # fmt: skip
    assert (f["importance"], f["importance_previous"], f["importance_change"]) == (6, 2, 4)


MISS = ("action_missed", {"action_id": "a"})
DONE = ("action_completed", {"action_id": "a"})


def outcomes(
    *kinds: tuple[str, dict[str, Any]], start_day: int = 1
) -> list[tuple[str, str, dict[str, Any]]]:
    return [(k, f"2026-03-{start_day + i:02d}T08:00:00Z", f) for i, (k, f) in enumerate(kinds)]


def test_streaks_and_totals(engine) -> None:
    f = run(engine, outcomes(DONE, DONE, MISS, MISS, MISS))
    assert (f["missed_streak"], f["completed_streak"]) == (3, 0)
    assert (f["missed_total"], f["completed_total"]) == (3, 2)
    f = run(engine, outcomes(MISS, MISS, DONE))
    assert (f["missed_streak"], f["completed_streak"]) == (0, 1)


def test_last_7d_window_is_half_open(engine) -> None:
    # Misses on days 1..10; "now" is day 10 08:00, so the window (day 3 08:00, day 10 08:00]
    # holds days 4..10.
    f = run(engine, outcomes(*[MISS] * 10))
    assert f["missed_last_7d"] == 7
    f = run(engine, outcomes(*[DONE] * 3))
    assert f["completed_last_7d"] == 3


def test_days_since_last_completion(engine) -> None:
    f = run(engine, [("action_completed", "2026-03-01T08:00:00Z", {"action_id": "a"}),
                     ("tick", "2026-03-04T07:59:00Z", {})])  # fmt: skip
    assert f["days_since_last_completion"] == 2  # whole days, floored


def test_days_since_last_event_ignores_ticks(engine) -> None:
    f = run(engine, [("check_in", "2026-03-01T08:00:00Z", {}),
                     ("tick", "2026-03-03T08:00:00Z", {}),
                     ("tick", "2026-03-06T09:00:00Z", {})])  # fmt: skip
    assert f["days_since_last_event"] == 5
    f = run(engine, [("check_in", "2026-03-01T08:00:00Z", {}),
                     ("check_in", "2026-03-04T08:00:00Z", {})])  # fmt: skip
    assert f["days_since_last_event"] == 3  # since the previous event, not this one


def test_days_since_goal_set_and_origin(engine) -> None:
    f = run(engine, [("goal_set", "2026-03-01T08:00:00Z", {"goal_id": "g", "title": "t", "origin": "should"}),
                     ("goal_set", "2026-03-05T08:00:00Z", {"goal_id": "h", "title": "u", "origin": "own"}),
                     ("action_missed", "2026-03-11T08:00:00Z", {"action_id": "a", "goal_id": "g"})])  # fmt: skip
    assert (f["days_since_goal_set"], f["goal_origin"]) == (10, "should")
    f = run(engine, [("goal_set", "2026-03-01T08:00:00Z", {"goal_id": "g", "title": "t", "origin": "should"}),
                     ("goal_set", "2026-03-05T08:00:00Z", {"goal_id": "h", "title": "u", "origin": "own"}),
                     ("tick", "2026-03-11T08:00:00Z", {})])  # fmt: skip
    assert (f["days_since_goal_set"], f["goal_origin"]) == (6, "own")  # latest active goal


def test_goal_origin_via_planned_action(engine) -> None:
    f = run(engine, [("goal_set", "2026-03-01T08:00:00Z", {"goal_id": "g", "title": "t", "origin": "external"}),
                     ("goal_set", "2026-03-01T09:00:00Z", {"goal_id": "h", "title": "u", "origin": "own"}),
                     ("action_planned", "2026-03-01T10:00:00Z", {"action_id": "a", "title": "x", "goal_id": "g"}),
                     ("action_missed", "2026-03-02T08:00:00Z", {"action_id": "a"})])  # fmt: skip
    assert f["goal_origin"] == "external"


def test_goal_changes_30d_and_goals_active(engine) -> None:
    f = run(engine, [("goal_set", "2026-01-01T08:00:00Z", {"goal_id": "g", "title": "t"}),
                     ("goal_set", "2026-01-01T08:00:00Z", {"goal_id": "h", "title": "t"}),
                     ("goal_changed", "2026-01-02T08:00:00Z", {"goal_id": "g", "title": "t2"}),
                     ("goal_changed", "2026-02-20T08:00:00Z", {"goal_id": "g", "title": "t3"}),
                     ("goal_abandoned", "2026-02-25T08:00:00Z", {"goal_id": "h"})])  # fmt: skip
    assert f["goal_changes_30d"] == 2
    assert f["goals_active"] == 1


def test_talk_of_this_message_only(engine) -> None:
    f = run(engine, [("message", "2026-03-01T08:00:00Z", {"text": "x", "talk": "change"})])
    assert f["talk"] == "change"
    f = run(engine, [("message", "2026-03-01T08:00:00Z", {"text": "x", "talk": "change"}),
                     ("tick", "2026-03-01T09:00:00Z", {})])  # fmt: skip
    assert f["talk"] is None


def test_talk_is_classified_when_absent(engine) -> None:
    f = run(engine, [("message", "2026-03-01T08:00:00Z", {"text": "Stop nagging me"})])
    assert f["talk"] == "discord"


@pytest.mark.parametrize(("kind", "feature"), [("change", "change_talk_recent"),
                                               ("sustain", "sustain_talk_recent"),
                                               ("discord", "discord_recent")])  # fmt: skip
def test_talk_recent_counts_last_7_days(engine, kind: str, feature: str) -> None:
    events = [
        ("message", f"2026-03-{d:02d}T08:00:00Z", {"text": "x", "talk": kind})
        for d in (1, 5, 9, 10)
    ]
    assert run(engine, events)[feature] == 3


def test_intervention_features(engine_factory) -> None:
    engine = engine_factory()  # shipped rulesets: a miss produces a client-facing intervention
    f = run(engine, [("action_missed", "2026-03-01T08:00:00Z", {"action_id": "a"}),
                     ("tick", "2026-03-01T13:30:00Z", {})])  # fmt: skip
    assert f["interventions_last_24h"] == 1
    assert f["hours_since_last_intervention"] == 5
    f = run(engine, [("action_missed", "2026-03-01T08:00:00Z", {"action_id": "a"}),
                     ("tick", "2026-03-02T08:00:00Z", {})])  # fmt: skip
    assert f["interventions_last_24h"] == 0  # (now-24h, now] excludes exactly 24h ago
    assert f["hours_since_last_intervention"] == 24


def test_last_success_is_latest_completed_title(engine) -> None:
    f = run(engine, [("action_planned", "2026-03-01T08:00:00Z", {"action_id": "a", "title": "a walk"}),
                     ("action_planned", "2026-03-01T08:00:00Z", {"action_id": "b", "title": "a swim"}),
                     ("action_completed", "2026-03-02T08:00:00Z", {"action_id": "a"}),
                     ("action_completed", "2026-03-03T08:00:00Z", {"action_id": "b"}),
                     ("action_completed", "2026-03-04T08:00:00Z", {"action_id": "unplanned"}),
                     ("action_missed", "2026-03-05T08:00:00Z", {"action_id": "a"})])  # fmt: skip
    assert f["last_success"] == "a swim"
