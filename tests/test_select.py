"""Selection (DESIGN §7): cooldowns, fatigue, ranking, caps, reasons, variant rotation."""

from __future__ import annotations

import textwrap

import pytest

from mirules import EngineConfig, SelectionPolicy


def ruleset(tmp_path, rules: str, invariants: str = "") -> str:
    path = tmp_path / "sel.yaml"
    path.write_text('ruleset: sel\nversion: "1"\nrules:\n' + textwrap.dedent(rules) + invariants)
    return str(path)


def rule(rid: str, *, on: str = "tick", when: str | None = None, priority: int = 50,
         cooldown: str = "24h", audience: str = "client", strategy: str = "reengage",
         say: tuple[str, ...] = ("Hello, checking in. How are things?", "Hi there. What's new?",
                                 "Good to hear from you. How is it going?")) -> str:  # fmt: skip
    lines = [f"- id: {rid}", f"  on: [{on}]", f"  strategy: {strategy}", f"  priority: {priority}",
             f"  cooldown: {cooldown}", f"  audience: {audience}", "  why: test",
             "  say: [" + ", ".join(f'"{s}"' for s in say) + "]"]  # fmt: skip
    if when:
        lines.append(f"  when: {when}")
    return "\n".join("  " + line for line in lines) + "\n"


def tick(i: int, at: str, client: str = "c1") -> dict:
    return {"id": f"t{i}", "client_id": client, "type": "tick", "at": at}


def test_rank_by_priority_then_specificity_then_order(tmp_path, engine_factory) -> None:
    rules = (rule("low", priority=10) + rule("plain", priority=60)
             + rule("specific", priority=60, when="missed_streak == 0 and goals_active == 0")
             + rule("later", priority=60, when="missed_streak == 0 and goals_active == 0"))  # fmt: skip
    engine = engine_factory(rulesets=[ruleset(tmp_path, rules)])
    decision = engine.process(tick(1, "2026-03-01T08:00:00Z"))
    assert [i.rule for i in decision.interventions] == ["specific"]
    reasons = {s.rule: (s.reason, s.detail) for s in decision.suppressed}
    assert reasons["later"][0] == "cap"
    assert "ranked below sel/specific" in reasons["later"][1]
    assert set(reasons) == {"low", "plain", "later"}


def test_cooldown_is_per_rule_and_client_in_event_time(tmp_path, engine_factory) -> None:
    engine = engine_factory(rulesets=[ruleset(tmp_path, rule("r", cooldown="6h"))])
    assert engine.process(tick(1, "2026-03-01T08:00:00Z")).interventions
    second = engine.process(tick(2, "2026-03-01T13:59:00Z"))
    assert not second.interventions
    assert second.suppressed[0].reason == "cooldown"
    assert "until 2026-03-01T14:00:00Z" in second.suppressed[0].detail
    assert engine.process(tick(3, "2026-03-01T08:30:00Z", client="c2")).interventions
    assert engine.process(tick(4, "2026-03-01T14:00:00Z")).interventions


def test_fatigue_budget_counts_client_facing_in_rolling_24h(tmp_path, engine_factory) -> None:
    config = EngineConfig(policy=SelectionPolicy(fatigue_budget=2))
    engine = engine_factory(rulesets=[ruleset(tmp_path, rule("r", cooldown="1m"))], config=config)
    times = ["2026-03-01T08:00:00Z", "2026-03-01T09:00:00Z", "2026-03-01T10:00:00Z",
             "2026-03-02T08:00:00Z", "2026-03-02T08:01:00Z"]  # fmt: skip
    decisions = [engine.process(tick(i, at)) for i, at in enumerate(times)]
    assert [len(d.interventions) for d in decisions] == [1, 1, 0, 1, 0]
    assert decisions[2].suppressed[0].reason == "fatigue"
    assert "budget 2" in decisions[2].suppressed[0].detail


def test_coach_facing_is_not_budgeted_and_capped_separately(tmp_path, engine_factory) -> None:
    rules = (rule("client") + rule("coach1", audience="coach", strategy="remind_goal")
             + rule("coach2", audience="coach", strategy="remind_goal", priority=40)
             + rule("coach3", audience="coach", strategy="remind_goal", priority=30))  # fmt: skip
    config = EngineConfig(policy=SelectionPolicy(fatigue_budget=0))
    engine = engine_factory(rulesets=[ruleset(tmp_path, rules)], config=config)
    decision = engine.process(tick(1, "2026-03-01T08:00:00Z"))
    assert [i.rule for i in decision.interventions] == ["coach1", "coach2"]
    assert {s.rule: s.reason for s in decision.suppressed} == {"client": "fatigue", "coach3": "cap"}


def test_invariant_suppresses_with_reason(tmp_path, engine_factory) -> None:
    rules = rule("plan", strategy="plan_small_steps", priority=90) + rule("talk")
    inv = 'invariants:\n  - name: no planning yet\n    never: process == "planning" and importance is not set\n'
    engine = engine_factory(rulesets=[ruleset(tmp_path, rules, inv)])
    decision = engine.process(tick(1, "2026-03-01T08:00:00Z"))
    assert [i.rule for i in decision.interventions] == ["talk"]
    assert decision.suppressed[0].reason == "invariant"
    assert "no planning yet" in decision.suppressed[0].detail


def test_variants_rotate_deterministically_without_repeats(tmp_path, engine_factory) -> None:
    path = ruleset(tmp_path, rule("r", cooldown="1m"))
    config = EngineConfig(policy=SelectionPolicy(fatigue_budget=100))
    seen = []
    for _ in range(2):
        engine = engine_factory(rulesets=[path], config=config)
        seen.append([engine.process(tick(i, f"2026-03-01T{8 + i:02d}:00:00Z")).interventions[0].message
                     for i in range(6)])  # fmt: skip
    assert seen[0] == seen[1]
    assert all(a != b for a, b in zip(seen[0], seen[0][1:], strict=False))
    assert len(set(seen[0])) == 3
    first = (
        engine_factory(rulesets=[path], config=config)
        .process(tick(0, "2026-03-01T08:00:00Z"))
        .interventions[0]
    )
    assert set(first.alternatives) | {first.message} == set(seen[0])
    assert first.message not in first.alternatives


def test_selection_plugin_can_replace_policy(tmp_path, engine_factory) -> None:
    from mirules import Selection, hookimpl

    class Quiet:
        @hookimpl
        def mirules_select(self, candidates, state, event, policy):
            return Selection((), tuple(c.suppressed("plugin", "quiet hours") for c in candidates))

    engine = engine_factory(rulesets=[ruleset(tmp_path, rule("r"))], plugins=[Quiet()])
    decision = engine.process(tick(1, "2026-03-01T08:00:00Z"))
    assert not decision.interventions
    assert decision.suppressed[0].detail == "quiet hours"


def test_selection_plugin_that_drops_candidates_gets_them_recorded(
    tmp_path, engine_factory
) -> None:
    from mirules import Selection, hookimpl

    class Forgetful:
        @hookimpl
        def mirules_select(self, candidates, state, event, policy):
            return Selection(())

    engine = engine_factory(rulesets=[ruleset(tmp_path, rule("r"))], plugins=[Forgetful()])
    decision = engine.process(tick(1, "2026-03-01T08:00:00Z"))
    assert decision.suppressed[0].reason == "plugin"


def test_bad_policy_values_are_refused() -> None:
    with pytest.raises(ValueError, match="fatigue_budget"):
        SelectionPolicy(fatigue_budget=-1)
