"""A ruleset that extends another (docs/rulesets.md, "Extending a ruleset")."""

from __future__ import annotations

import pytest

from mirules import RulesetError

BASE = """\
ruleset: base
version: "1"
defaults: {priority: 40}
rules:
  - id: first
    on: [action_missed]
    when: missed_streak == 1
    strategy: express_empathy
    codes: [simple_reflection, complex_reflection]
    cooldown: 12h
    say: ["Missing {action} once is normal. Habits take time."]
    why: base first
  - id: second
    on: [action_completed]
    strategy: affirm_progress
    codes: [affirm, complex_reflection]
    say: ["{action} is done. That effort counts."]
    why: base second
invariants:
  - name: no planning
    never: process == "planning"
"""


def write(tmp_path, name: str, text: str):
    path = tmp_path / name
    path.write_text(text)
    return path


def test_inherits_overrides_keys_adds_and_drops(mirules_engine, tmp_path) -> None:
    write(tmp_path, "base.yaml", BASE)
    child = write(
        tmp_path,
        "child.yaml",
        """\
ruleset: child
version: "2"
extends: base
drop: [second]
rules:
  - id: first
    say: ["A different day for {action}. It happens."]
  - id: third
    on: [tick]
    strategy: reengage
    codes: [emphasizing_autonomy, question]
    say: ["Would you like to check in?"]
    why: child third
""",
    )
    ruleset = mirules_engine.load_ruleset(child)
    assert [r.id for r in ruleset.rules] == ["first", "third"]
    first = ruleset.rule("first")
    assert [t.source for t in first.say] == ["A different day for {action}. It happens."]
    assert first.when is not None and first.when.source == "missed_streak == 1"
    assert first.cooldown.total_seconds() == 12 * 3600
    assert first.priority == 40  # the base's defaults stay with the base's rules
    assert ruleset.rule("third").priority == 50
    assert [i.name for i in ruleset.invariants] == ["no planning"]
    assert ruleset.description == ""


def test_override_errors_are_reported_in_the_child(mirules_engine, tmp_path) -> None:
    write(tmp_path, "base.yaml", BASE)
    child = write(tmp_path, "child.yaml",
                  'ruleset: child\nversion: "1"\nextends: base.yaml\nrules:\n  - id: first\n    cooldown: soon\n')  # fmt: skip
    with pytest.raises(RulesetError) as info:
        mirules_engine.load_ruleset(child)
    assert info.value.file == str(child)
    assert info.value.line == 6
    assert info.value.key == "cooldown"


@pytest.mark.parametrize(
    ("child", "message"),
    [
        (
            'ruleset: c\nversion: "1"\nextends: nowhere\nrules: []\n',
            "cannot find ruleset 'nowhere'",
        ),
        ('ruleset: base\nversion: "1"\nextends: base\n', "cannot extend one with its own name"),
        ('ruleset: c\nversion: "1"\nextends: base\ndrop: [nope]\n', "cannot drop 'nope'"),
        ('ruleset: c\nversion: "1"\ndrop: [first]\nrules: []\n', "'drop' needs 'extends'"),
    ],
)
def test_extends_errors(mirules_engine, tmp_path, child: str, message: str) -> None:
    write(tmp_path, "base.yaml", BASE)
    path = write(tmp_path, "child.yaml", child)
    with pytest.raises(RulesetError, match=message):
        mirules_engine.load_ruleset(path)


def test_cycles_are_refused(mirules_engine, tmp_path) -> None:
    write(tmp_path, "a.yaml", 'ruleset: a\nversion: "1"\nextends: b\n')
    b = write(tmp_path, "b.yaml", 'ruleset: b\nversion: "1"\nextends: a\n')
    with pytest.raises(RulesetError, match="cycle"):
        mirules_engine.load_ruleset(b)


def test_errors_in_the_base_are_named(mirules_engine, tmp_path) -> None:
    write(tmp_path, "base.yaml", BASE.replace("express_empathy", "express_empthy"))
    child = write(tmp_path, "child.yaml", 'ruleset: c\nversion: "1"\nextends: base\n')
    with pytest.raises(RulesetError, match="the base ruleset 'base' has errors:\n.*express_empthy"):
        mirules_engine.load_ruleset(child)


@pytest.mark.parametrize("name", ["physical-activity", "smoking-cessation"])
def test_domain_rulesets_extend_core(engine_factory, name: str) -> None:
    from mirules.plugins.rulesets import resolve_ruleset

    engine = engine_factory(rulesets=[resolve_ruleset(name)])
    (ruleset,) = engine.rulesets
    core = engine_factory().rulesets[0]
    assert ruleset.name == name
    assert {r.id for r in core.rules} < {r.id for r in ruleset.rules}
    assert ruleset.rule("lapse-first-miss").say != core.rule("lapse-first-miss").say
    assert ruleset.rule("lapse-first-miss").when == core.rule("lapse-first-miss").when or (
        ruleset.rule("lapse-first-miss").when.source == core.rule("lapse-first-miss").when.source
    )
    decision = engine.process({"id": "e", "client_id": "c", "type": "action_missed",
                               "at": "2026-03-02T08:00:00Z", "action_id": "a"})  # fmt: skip
    assert decision.interventions[0].ruleset == name
    assert decision.interventions[0].message in {
        t.render({"action": "that step"}) for t in ruleset.rule("lapse-first-miss").say
    }


def test_only_core_is_loaded_by_default(mirules_engine) -> None:
    assert [r.name for r in mirules_engine.rulesets] == ["core-mi"]
