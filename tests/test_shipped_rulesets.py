"""The shipped core ruleset follows MI.md §3 and avoids the lexicon of MI.md §4."""

from __future__ import annotations

import re

import pytest

# A first cut of the MI.md §4 lexicon (the full linter is `mirules lint`, issue 3).
LEXICON = [
    r"\byou (should|ought to|must|have to|need to)\b", r"^just\b|\. just\b", r"\bstop\b",
    r"\bno excuses\b", r"\bmake sure you\b", r"\bif you don't\b", r"\byou'd better\b",
    r"\bor else\b", r"\byou're risking\b", r"\bwhy (didn't|haven't|don't|can't|won't) you\b",
    r"\byou said you would\b", r"\byou promised\b", r"\bstill haven't\b", r"\bagain\?",
    r"\byes, but\b", r"\bthat's not true\b", r"\byou're wrong\b",
    r"\b(non-compliant|in denial|resistant|lazy|failure|failed|cheat)\b", r"\bthe facts are\b",
    r"\bdo you realize\b", r"\bit's easy\b", r"\ball you have to do\b", r"\bi recommend\b",
    r"\byou should try\b", r"\bhave you tried\b", r"\bthe best thing for you\b",
    r"\bthink of your (kids|family|health)\b", r"\bwouldn't that be great\b",
    r"\bwhy not (a )?10\b", r"\bwhy aren't you higher\b", r"\bgreat job\b", r"\bway to go\b",
    r"\bproud of you\b", r"\bbroke your streak\b", r"\bback to zero\b", r"\bruined\b",
]  # fmt: skip


@pytest.fixture(scope="module")
def core():
    from mirules import Engine

    with Engine(load_entry_points=False) as engine:
        yield next(r for r in engine.rulesets if r.name == "core-mi")


def test_each_rule_has_variants_codes_process_and_why(core) -> None:
    for rule in core.rules:
        assert len(rule.say) >= 2, rule.id
        assert rule.codes, rule.id
        assert rule.process in ("engaging", "focusing", "evoking", "planning")
        assert len(rule.why) > 20, rule.id


def test_no_template_uses_the_non_adherent_lexicon(core) -> None:
    for rule in core.rules:
        for template in rule.say:
            for pattern in LEXICON:
                assert not re.search(pattern, template.source, re.IGNORECASE), (
                    rule.id,
                    pattern,
                    template.source,
                )
            assert template.source.count("?") <= 1, (rule.id, template.source)
            if "question" in rule.codes:
                assert "?" in template.source, (rule.id, template.source)


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
