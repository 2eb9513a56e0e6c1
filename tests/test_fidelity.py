from __future__ import annotations

import textwrap

from click.testing import CliRunner

from mirules import EngineConfig, SelectionPolicy
from mirules._cli import cli
from mirules._fidelity import Fidelity


class Item:
    def __init__(self, codes: tuple[str, ...], audience: str = "client") -> None:
        self.codes = codes
        self.audience = audience


def test_counts_and_ratios() -> None:
    f = Fidelity.of([
        Item(("simple_reflection", "question")),
        Item(("complex_reflection", "affirm")),
        Item(("complex_reflection", "simple_reflection", "emphasizing_autonomy")),
        Item(("question",), audience="coach"),  # coach-facing: not counted
    ])  # fmt: skip
    assert (f.interventions, f.questions, f.simple_reflections, f.complex_reflections) == (
        3,
        1,
        2,
        2,
    )
    assert f.adherent == 2
    assert f.rq == 4.0
    assert f.pct_complex == 50.0
    assert Fidelity().rq is None
    assert Fidelity().pct_complex is None
    assert f + f == Fidelity(6, 2, 4, 4, 4)


def test_engine_tracks_fidelity_per_client(mirules_engine, event) -> None:
    mirules_engine.process(event("action_missed", action_id="a"))
    fidelity = mirules_engine.fidelity("c1")
    assert fidelity.interventions == 1
    assert fidelity.reflections == 2  # lapse-first-miss: simple + complex reflection
    assert mirules_engine.fidelity("nobody") == Fidelity()


RULES = """\
ruleset: rq
version: "1"
rules:
  - id: ask
    on: [tick]
    strategy: explore_barriers
    codes: [question]
    cooldown: 1m
    say: ["What is going on for you?"]
    why: w
  - id: reflect
    on: [tick]
    strategy: express_empathy
    codes: [complex_reflection]
    cooldown: 1m
    say: ["It has been a full week."]
    why: w
"""


def _chosen(engine_factory, tmp_path, target):
    path = tmp_path / "rq.yaml"
    path.write_text(textwrap.dedent(RULES))
    policy = SelectionPolicy(fatigue_budget=100, rq_target=target)
    engine = engine_factory(rulesets=[path], config=EngineConfig(policy=policy))
    chosen = []
    for i in range(9):
        decision = engine.process({"id": f"t{i}", "client_id": "c", "type": "tick",
                                   "at": f"2026-03-01T{8 + i:02d}:00:00Z"})  # fmt: skip
        chosen.append(decision.interventions[0].rule)
    return chosen, engine.fidelity("c")


def test_selection_moves_rq_towards_target(engine_factory, tmp_path) -> None:
    chosen, fidelity = _chosen(engine_factory, tmp_path, 2.0)
    assert chosen.count("reflect") == 6
    assert chosen.count("ask") == 3
    assert fidelity.rq == 2.0


def test_selection_preference_is_configurable(engine_factory, tmp_path) -> None:
    chosen, _ = _chosen(engine_factory, tmp_path, None)
    assert set(chosen) == {"ask"}  # equal priority and specificity: file order decides
    chosen, fidelity = _chosen(engine_factory, tmp_path, 1.0)
    assert set(chosen) == {"ask", "reflect"}
    assert abs(fidelity.rq - 1.0) <= 0.25


def test_run_summary_prints_fidelity() -> None:
    from pathlib import Path

    stream = Path(__file__).resolve().parent.parent / "examples" / "lapsing-client.jsonl"
    result = CliRunner().invoke(cli, ["run", str(stream), "--summary"], catch_exceptions=False)
    assert result.exit_code == 0
    tail = result.stdout.split("\nsummary\n")[1]
    assert tail.startswith("  client maria: R:Q ")
    assert "  run: R:Q " in tail
    assert "  suppressed: " in tail
