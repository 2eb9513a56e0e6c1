"""The loader reports every mistake with file:line, rule id and key (one test per kind)."""

from __future__ import annotations

import textwrap

import pytest

from mirules import RulesetError, RulesetErrors

GOOD_RULE = """\
  - id: r1
    on: [action_missed]
    when: missed_streak >= 1
    strategy: express_empathy
    codes: [simple_reflection, question]
    say: ["Missing {action} happens. What got in the way?", "Some days are hard. What happened?"]
    why: test
"""


def load(engine, body: str, header: str = 'ruleset: t\nversion: "1"\nrules:\n'):
    return engine.load_ruleset("t.yaml", text=header + textwrap.dedent(body))


def rule_with(**overrides: str) -> str:
    lines = {
        "id": "r1",
        "on": "[action_missed]",
        "when": "missed_streak >= 1",
        "strategy": "express_empathy",
        "codes": "[simple_reflection, question]",
        "say": '["Missing {action} happens. What got in the way?"]',
        "why": "test",
    }
    lines.update(overrides)
    body = [f"    {k}: {v}" for k, v in lines.items() if v is not None and v != "DROP"]
    body[0] = "  - " + body[0].lstrip()
    return "\n".join(body) + "\n"


def error_of(engine, body: str, header: str = 'ruleset: t\nversion: "1"\nrules:\n') -> RulesetError:
    with pytest.raises(RulesetError) as info:
        load(engine, body, header)
    return info.value


def test_good_ruleset_loads(mirules_engine) -> None:
    ruleset = load(mirules_engine, GOOD_RULE)
    rule = ruleset.rule("r1")
    assert rule.process == "engaging"  # the strategy's usual process
    assert rule.priority == 50
    assert rule.cooldown.total_seconds() == 24 * 3600
    assert rule.audience == "client"
    assert len(rule.say) == 2


@pytest.mark.parametrize(
    ("override", "key", "message"),
    [
        ({"colour": "red"}, "colour", "unknown key in a rule"),
        (
            {"strategy": "express_empthy"},
            "strategy",
            "unknown strategy 'express_empthy' (did you mean 'express_empathy'?)",
        ),
        ({"process": "plannning"}, "process", "unknown process 'plannning'"),
        ({"on": "[action_mised]"}, "on", "unknown event type 'action_mised'"),
        ({"on": "[]"}, "on", "must name at least one event type"),
        ({"when": "missed_streek >= 1"}, "when", "unknown feature 'missed_streek'"),
        ({"when": "event.value >= 1"}, "when", "unknown event field event.value"),
        ({"when": "confidence == 'high'"}, "when", "type mismatch"),
        ({"when": "goal_origin == 'mine'"}, "when", "can never match"),
        ({"when": "missed_streak >="}, "when", "expected a name"),
        ({"codes": "[persuade]"}, "codes", "code 'persuade' is refused"),
        ({"codes": "[confront]"}, "codes", "code 'confront' is refused"),
        ({"codes": "[reflection]"}, "codes", "unknown MITI code 'reflection'"),
        ({"cooldown": "soon"}, "cooldown", "bad cooldown 'soon'"),
        ({"cooldown": "24"}, "cooldown", "bad cooldown"),
        ({"priority": "101"}, "priority", "must be an integer 0..100"),
        ({"audience": "family"}, "audience", "unknown audience 'family'"),
        ({"indicator": "red"}, "indicator", "unknown indicator 'red'"),
        ({"say": '["Hello {name}"]'}, "say", "unknown placeholder {name}"),
        ({"say": '["Hello {action.title}"]'}, "say", "only plain names are allowed"),
        ({"say": '["Hello {action[0]}"]'}, "say", "only plain names are allowed"),
        ({"say": '["Hello {action!r}"]'}, "say", "conversions and format specs are not allowed"),
        ({"say": '["Hello {action"]'}, "say", "malformed placeholder"),
        ({"say": '["Hello {{x}}"]'}, "say", "literal braces"),
        ({"say": "[]"}, "say", "is empty and the strategy has no composer"),
        ({"say": "DROP"}, "say", "required key 'say' is missing"),
        (
            {"say": '["Well done on {last_success}."]'},
            "say",
            "placeholder {last_success} may be null",
        ),
        (
            {"on": "[message]", "when": "talk == 'change'"},
            "say",
            "placeholder {action} may be null",
        ),
        ({"why": "DROP"}, "why", "every rule needs a rationale"),
        ({"id": "Bad Id"}, "id", "must be lowercase"),
        ({"strategy": "escalate_to_coach"}, "audience", "coach-facing only"),
        ({"version": "1"}, "version", "unknown key in a rule"),
    ],
)
def test_each_kind_of_mistake_is_located(
    mirules_engine, override: dict, key: str, message: str
) -> None:
    err = error_of(mirules_engine, rule_with(**override))
    errors = err.errors if isinstance(err, RulesetErrors) else (err,)
    hit = next((e for e in errors if message in e.message), None)
    assert hit is not None, f"{message!r} not in {[str(e) for e in errors]}"
    assert hit.file == "t.yaml"
    assert hit.key == key
    assert hit.line is not None and hit.line >= 4
    assert hit.rule in ("r1", "Bad Id")
    assert str(hit).startswith(f"t.yaml:{hit.line}: rule ")


def test_line_points_at_the_key(mirules_engine) -> None:
    err = error_of(mirules_engine, rule_with(cooldown="soon"))
    assert err.line == 11  # header is 3 lines; cooldown is the 8th line of the rule


def test_duplicate_rule_ids(mirules_engine) -> None:
    err = error_of(mirules_engine, GOOD_RULE + GOOD_RULE)
    assert "duplicate rule id (first defined at line 4)" in str(err)
    assert err.line == 11
    assert err.rule == "r1"


def test_every_mistake_is_reported_at_once(mirules_engine) -> None:
    body = rule_with(colour="red", cooldown="soon") + rule_with(id="r2", strategy="nope")
    err = error_of(mirules_engine, body)
    assert isinstance(err, RulesetErrors)
    assert {(e.rule, e.key) for e in err.errors} == {
        ("r1", "colour"),
        ("r1", "cooldown"),
        ("r2", "strategy"),
    }
    assert str(err).count("\n") == 2


@pytest.mark.parametrize(
    ("header", "message"),
    [
        ("ruleset: t\nversion: 1.0\nrules:\n", "must be a quoted string"),
        ('version: "1"\nrules:\n', "required key 'ruleset' is missing"),
        ('ruleset: T T\nversion: "1"\nrules:\n', "must be lowercase"),
        ('ruleset: t\nversion: "1"\nauthor: me\nrules:\n', "unknown key in the ruleset"),
        ('ruleset: t\nversion: "1"\ndefaults: {cooldwn: 1h}\nrules:\n', "unknown key in defaults"),
        (
            'ruleset: t\nversion: "1"\ndefaults: {priority: 500}\nrules:\n',
            "must be an integer 0..100",
        ),
    ],
)
def test_top_level_mistakes(mirules_engine, header: str, message: str) -> None:
    err = error_of(mirules_engine, GOOD_RULE, header)
    assert message in str(err)


def test_empty_or_missing_rules(mirules_engine) -> None:
    assert "'rules' is missing" in str(error_of(mirules_engine, "", 'ruleset: t\nversion: "1"\n'))
    assert "non-empty list" in str(
        error_of(mirules_engine, "", 'ruleset: t\nversion: "1"\nrules: []\n')
    )
    assert "must be a YAML mapping" in str(error_of(mirules_engine, "", "- 1\n"))
    assert "must be a YAML mapping" in str(error_of(mirules_engine, "", ""))


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("ruleset: t\n\tversion: '1'\n", "tabs are not allowed"),
        ("ruleset: [t\n", "YAML error"),
        ("a: &x [1]\nb: *x\n", "aliases"),
        ("a: &x {k: 1}\nb:\n  <<: *x\n", "merge keys|aliases"),
        ("a: !!python/object:os.system x\n", "tag"),
        ("a: !custom x\n", "tag"),
        ("a: 1\na: 2\n", "duplicate key 'a'"),
        ("? [1, 2]\n: x\n", "plain strings"),
    ],
)
def test_yaml_hazards(mirules_engine, text: str, message: str) -> None:
    with pytest.raises(RulesetError, match=message):
        mirules_engine.load_ruleset("bad.yaml", text=text)


def test_alias_bomb_is_refused_quickly(mirules_engine) -> None:
    bomb = 'a: &a ["x","x","x","x","x","x","x","x","x"]\n'
    for i in range(1, 9):
        prev = chr(ord("a") + i - 1)
        cur = chr(ord("a") + i)
        bomb += f"{cur}: &{cur} [*{prev},*{prev},*{prev},*{prev},*{prev},*{prev},*{prev},*{prev},*{prev}]\n"
    with pytest.raises(RulesetError, match="aliases"):
        mirules_engine.load_ruleset("bomb.yaml", text=bomb)


def test_yaml12_booleans_keep_on_a_string(mirules_engine) -> None:
    # YAML 1.1 reads `on`, `yes` and `no` as booleans; rulesets use YAML 1.2 semantics.
    ruleset = load(mirules_engine, GOOD_RULE)
    assert ruleset.rule("r1").on == ("action_missed",)


def test_invariants_are_parsed_and_checked(mirules_engine) -> None:
    header = 'ruleset: t\nversion: "1"\ninvariants:\n  - name: x\n    never: process == "plannning"\nrules:\n'
    assert "can never match" in str(error_of(mirules_engine, GOOD_RULE, header))
    header = (
        'ruleset: t\nversion: "1"\ninvariants:\n  - name: x\n    never: event.value > 1\nrules:\n'
    )
    assert "invariants may read only event.type" in str(error_of(mirules_engine, GOOD_RULE, header))


def test_unreadable_file(mirules_engine, tmp_path) -> None:
    with pytest.raises(RulesetError, match="cannot read ruleset"):
        mirules_engine.load_ruleset(tmp_path / "missing.yaml")


def test_duplicate_ruleset_names(engine_factory, tmp_path) -> None:
    path = tmp_path / "a.yaml"
    path.write_text('ruleset: t\nversion: "1"\nrules:\n' + GOOD_RULE)
    with pytest.raises(RulesetError, match="ruleset name 't' is used twice"):
        engine_factory(rulesets=[path, path])
