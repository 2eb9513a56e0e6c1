"""The shipped core ruleset follows MI.md §3 and avoids the lexicon of MI.md §4."""

from __future__ import annotations

import pytest


@pytest.fixture(scope="module")
def core():
    from mirules import Engine

    with Engine(load_entry_points=False) as engine:
        yield next(r for r in engine.rulesets if r.name == "core-mi")


def test_each_rule_has_variants_codes_process_why_and_cooldown(core) -> None:
    from pathlib import Path

    import yaml

    raw = yaml.safe_load(Path(core.source).read_text())
    for item in raw["rules"]:
        assert "cooldown" in item, item["id"]
    for rule in core.rules:
        assert len(rule.say) >= 3, rule.id
        assert rule.codes, rule.id
        assert rule.process in ("engaging", "focusing", "evoking", "planning")
        assert len(rule.why) > 20, rule.id


def test_no_template_uses_the_non_adherent_lexicon(core) -> None:
    from mirules._lint import lint_ruleset

    assert [str(f) for f in lint_ruleset(core)] == []


SEED_STRATEGIES = {
    "express_empathy", "develop_discrepancy", "support_self_efficacy", "roll_with_resistance",
    "explore_barriers", "remind_goal", "recommit", "plan_small_steps", "explore_goal_ownership",
    "check_realism", "importance_ruler", "confidence_ruler", "evoke_change_talk",
    "reflect_change_talk", "soften_sustain_talk", "affirm_progress", "menu_of_options",
    "reengage", "repair_discord",
}  # fmt: skip


def test_every_strategy_appears(core) -> None:
    assert {rule.strategy for rule in core.rules} >= SEED_STRATEGIES


def test_coach_prompts_where_a_human_should_act(core) -> None:
    coach = {rule.id for rule in core.rules if rule.audience == "coach"}
    assert coach == {"discord-coach", "goal-abandoned-after-misses-coach"}


def _fired(engine, events):
    fired = []
    for i, (event_type, at, fields) in enumerate(events):
        decision = engine.process(
            {"id": f"e{i}", "client_id": "c", "type": event_type, "at": at, **fields}
        )
        fired.append([iv.rule for iv in decision.interventions])
    return fired


PLAN = (
    "action_planned",
    "2026-03-01T08:00:00Z",
    {"action_id": "a", "title": "a walk", "goal_id": "g"},
)
GOAL = ("goal_set", "2026-03-01T07:00:00Z", {"goal_id": "g", "title": "walk more", "origin": "own"})


@pytest.mark.parametrize(
    ("events", "expected"),
    [
        ([PLAN, ("action_missed", "2026-03-02T08:00:00Z", {"action_id": "a"})], "lapse-first-miss"),
        (
            [
                GOAL,
                PLAN,
                ("importance_rated", "2026-03-01T09:00:00Z", {"value": 8}),
                ("confidence_rated", "2026-03-01T09:00:00Z", {"value": 3}),
                ("action_missed", "2026-03-02T08:00:00Z", {"action_id": "a"}),
                ("action_missed", "2026-03-04T08:00:00Z", {"action_id": "a"}),
            ],
            "lapse-repeated-low-confidence",
        ),
        (
            [
                GOAL,
                PLAN,
                ("importance_rated", "2026-03-01T09:00:00Z", {"value": 2}),
                ("action_missed", "2026-03-02T08:00:00Z", {"action_id": "a"}),
                ("action_missed", "2026-03-04T08:00:00Z", {"action_id": "a"}),
            ],
            "lapse-repeated-low-importance",
        ),
        (
            [
                ("confidence_rated", "2026-03-01T09:00:00Z", {"value": 8}),
                ("confidence_rated", "2026-03-02T09:00:00Z", {"value": 5}),
            ],
            "confidence-drop",
        ),
        (
            [GOAL, ("goal_changed", "2026-03-02T09:00:00Z", {"goal_id": "g", "title": "swim"})],
            "goal-changed",
        ),
        (
            [
                (
                    "goal_set",
                    "2026-03-02T09:00:00Z",
                    {"goal_id": "g", "title": "diet", "origin": "should"},
                )
            ],
            "goal-set-should",
        ),
        (
            [
                PLAN,
                ("action_missed", "2026-03-02T08:00:00Z", {"action_id": "a"}),
                ("action_completed", "2026-03-04T08:00:00Z", {"action_id": "a"}),
            ],
            "completed-after-lapse",
        ),
    ],
)
def test_core_handles_each_required_situation(mirules_engine, events, expected) -> None:
    assert _fired(mirules_engine, events)[-1] == [expected]


def test_repeated_discord_prompts_the_coach(mirules_engine) -> None:
    fired = _fired(mirules_engine, [("message", "2026-03-01T10:00:00Z", {"text": "Stop nagging me"}),
                                    ("message", "2026-03-02T10:00:00Z", {"text": "Leave me alone"})])  # fmt: skip
    assert set(fired[-1]) == {"discord-repair", "discord-coach"}


def test_goal_abandoned_after_misses_prompts_the_coach(mirules_engine) -> None:
    fired = _fired(mirules_engine, [GOAL, PLAN,
                                    ("action_missed", "2026-03-02T08:00:00Z", {"action_id": "a"}),
                                    ("action_missed", "2026-03-03T08:00:00Z", {"action_id": "a"}),
                                    ("goal_abandoned", "2026-03-04T08:00:00Z", {"goal_id": "g"})])  # fmt: skip
    assert set(fired[-1]) == {"goal-abandoned", "goal-abandoned-after-misses-coach"}
