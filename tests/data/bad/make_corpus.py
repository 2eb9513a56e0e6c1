"""Writes the bad-input corpus (events.jsonl, rulesets.jsonl) beside this file.

Each case names the expected error class and a fragment of its message (``a|b`` means either
fragment); event cases also name the field the error must name, where there is one. Regenerate with
``python tests/data/bad/make_corpus.py``; the files are committed so the corpus is reviewable.
"""

from __future__ import annotations

import base64
import json
from pathlib import Path

HERE = Path(__file__).resolve().parent
AT = "2026-03-02T08:00:00Z"
VALID = {
    "goal_set": {"goal_id": "g", "title": "walk", "origin": "own"},
    "goal_changed": {"goal_id": "g", "title": "walk less"},
    "goal_abandoned": {"goal_id": "g"},
    "action_planned": {"action_id": "a", "title": "walk", "goal_id": "g", "due": AT},
    "action_completed": {"action_id": "a", "goal_id": "g"},
    "action_missed": {"action_id": "a", "goal_id": "g", "reason": "rain"},
    "confidence_rated": {"value": 5, "goal_id": "g"},
    "importance_rated": {"value": 5, "goal_id": "g"},
    "check_in": {"mood": 3, "note": "fine"},
    "message": {"text": "hello", "talk": "neutral"},
    "tick": {},
}
REQUIRED = {
    "goal_set": ["goal_id", "title"], "goal_changed": ["goal_id", "title"],
    "goal_abandoned": ["goal_id"], "action_planned": ["action_id", "title"],
    "action_completed": ["action_id"], "action_missed": ["action_id"],
    "confidence_rated": ["value"], "importance_rated": ["value"], "message": ["text"],
}  # fmt: skip
STRING_FIELDS = ["goal_id", "title", "action_id", "reason", "note", "text"]


def event(kind: str, **changes: object) -> dict:
    data = {"id": "e1", "client_id": "c1", "type": kind, "at": AT, **VALID[kind]}
    for key, value in changes.items():
        if value is ...:
            data.pop(key, None)
        else:
            data[key] = value
    return data


def event_cases() -> list[dict]:
    cases: list[dict] = []

    def add(name: str, raw: str | bytes, message: str, error: str = "InvalidEvent") -> None:
        field, sep, fragment = message.partition(": ")
        if sep and field.isidentifier():
            case = {"case": name, "error": error, "field": field, "message": fragment or field}
        else:
            case = {"case": name, "error": error, "message": message}
        if isinstance(raw, bytes):
            case["input_b64"] = base64.b64encode(raw).decode()
        else:
            case["input"] = raw
        cases.append(case)

    for kind in VALID:  # every common field missing, for every type
        for field in ("id", "client_id", "type", "at"):
            add(
                f"{kind}-missing-{field}",
                json.dumps(event(kind, **{field: ...})),
                f"{field}: required field is missing",
            )
    for kind, fields in REQUIRED.items():  # every type-specific required field missing, or null
        for field in fields:
            add(
                f"{kind}-missing-{field}",
                json.dumps(event(kind, **{field: ...})),
                f"{field}: required field is missing",
            )
            add(f"{kind}-null-{field}", json.dumps(event(kind, **{field: None})), f"{field}:")
    for kind, fields in VALID.items():  # wrong types for string fields
        for field in fields:
            if field in STRING_FIELDS:
                add(
                    f"{kind}-{field}-int",
                    json.dumps(event(kind, **{field: 7})),
                    f"{field}: must be a string",
                )
                add(
                    f"{kind}-{field}-list",
                    json.dumps(event(kind, **{field: ["x"]})),
                    f"{field}: must be a string",
                )
    for field in ("id", "client_id"):
        for bad, message in (
            (42, "must be a string"),
            (True, "must be a string"),
            ("", "must not be empty"),
            ("   ", "must not be empty"),
            ("x" * 201, "limit is 200"),
            ({"a": 1}, "must be a string"),
        ):
            add(
                f"tick-{field}-{str(bad)[:10]}",
                json.dumps(event("tick", **{field: bad})),
                f"{field}: {message}",
            )
    for kind in ("confidence_rated", "importance_rated"):
        for bad, message in (
            (-1, "between 0 and 10"),
            (11, "between 0 and 10"),
            (100, "between 0 and 10"),
            (5.5, "must be an integer"),
            (5.0, "must be an integer"),
            (True, "got a boolean"),
            (False, "got a boolean"),
            ("5", "got a string"),
            ([5], "got a list"),
            (None, "value:"),
        ):
            add(f"{kind}-value-{bad!r}", json.dumps(event(kind, value=bad)), f"value: {message}")
        for constant in ("NaN", "Infinity", "-Infinity"):
            add(
                f"{kind}-value-{constant}",
                json.dumps(event(kind)).replace('"value": 5', f'"value": {constant}'),
                f"{constant} is not allowed",
            )
    for bad, message in (
        (0, "between 1 and 5"),
        (6, "between 1 and 5"),
        (2.5, "must be an integer"),
        (True, "got a boolean"),
        ("3", "got a string"),
    ):
        add(f"check_in-mood-{bad!r}", json.dumps(event("check_in", mood=bad)), f"mood: {message}")
    for bad, message in (
        ("2026-03-02T08:00:00", "with an offset"), ("2026-03-02", "with an offset"),
        ("2026-03-02 08:00:00Z", "RFC 3339"), ("2026-13-02T08:00:00Z", "not a valid date"),
        ("2026-02-30T08:00:00Z", "not a valid date"), ("2026-03-02T25:00:00Z", "not a valid date"),
        ("yesterday", "RFC 3339"), ("", "RFC 3339"), (1772438400, "timestamp string"),
        (True, "timestamp string"), ("2026-03-02T08:00:00+2", "RFC 3339"), ("2026-03-02T08:00:00+24:00", "not a valid date"),
    ):  # fmt: skip
        add(f"at-{bad!r}"[:40], json.dumps(event("tick", at=bad)), f"at: {message}")
    add("due-naive", json.dumps(event("action_planned", due="2026-03-03T08:00:00")), "due: ")
    for kind in ("message",):
        add(
            "text-huge",
            json.dumps(event(kind, text="x" * 10_001)),
            "text: is 10001 characters long",
        )
        add("talk-unknown", json.dumps(event(kind, talk="angry")), "talk: must be one of")
        add("talk-int", json.dumps(event(kind, talk=1)), "talk: must be a string")
    add(
        "title-huge",
        json.dumps(event("goal_set", title="t" * 10_001)),
        "title: is 10001 characters long",
    )
    add(
        "note-huge",
        json.dumps(event("check_in", note="n" * 20_000)),
        "note: is 20000 characters long",
    )
    add("reason-huge", json.dumps(event("action_missed", reason="r" * 10_001)), "reason: is 10001")
    add("origin-unknown", json.dumps(event("goal_set", origin="mine")), "origin: must be one of")
    add(
        "origin-null-ok-but-int",
        json.dumps(event("goal_set", origin=3)),
        "origin: must be a string",
    )
    for depth in (33, 200, 5000, 200_000):
        add(
            f"nested-{depth}",
            '{"id": "e", "x": ' + "[" * depth + "]" * depth + "}",
            "nested deeper|not valid JSON",
        )
    add("nested-object", '{"a": ' * 50 + "1" + "}" * 50, "nested deeper")
    for raw in (b'{"id": "\xff"}', b"\xfe\xff{}", b'{"text": "\xc3\x28"}', b"\x80"):
        add(f"utf8-{raw[:6]!r}", raw, "not valid UTF-8")
    for key in ("id", "type", "value"):
        body = json.dumps(event("confidence_rated"))
        add(f"duplicate-{key}", body[:-1] + f', "{key}": "again"}}', f"{key}: duplicate key")
    for kind in ("teleport", "Goal_Set", "", "goal set", "x" * 300):
        add(
            f"type-{kind[:12]!r}",
            json.dumps({**event("tick"), "type": kind}),
            "type: unknown event type",
        )
    add("type-int", json.dumps({**event("tick"), "type": 3}), "type: must be a string")
    for field in ("colour", "extensions", "Value", "__class__", "at2"):
        add(
            f"unknown-field-{field}",
            json.dumps({**event("confidence_rated"), field: 1}),
            f"{field}: unknown field",
        )
    for raw, message in (("[]", "got a list"), ('"event"', "got a string"), ("42", "got an integer"),
                         ("null", "got null"), ("true", "got a boolean"), ("", "not valid JSON"),
                         ("{", "not valid JSON"), ("{'id': 'e'}", "not valid JSON"), ('{"id": "e",}', "not valid JSON"),
                         ("{} {}", "not valid JSON")):  # fmt: skip
        add(f"shape-{raw[:8]!r}", raw, message)
    return cases


def ruleset_cases() -> list[dict]:
    head = 'ruleset: t\nversion: "1"\nrules:\n'
    rule = ('  - id: r1\n    on: [action_missed]\n    when: missed_streak >= 1\n    strategy: express_empathy\n'
            '    codes: [simple_reflection, question]\n    say: ["Missing {action} happens. What got in the way?"]\n'
            '    why: test\n')  # fmt: skip
    cases: list[dict] = []

    def add(name: str, text: str, message: str, error: str = "RulesetError") -> None:
        cases.append({"case": name, "yaml": text, "error": error, "message": message})

    def with_key(key: str, value: str) -> str:
        lines = [
            ln
            for ln in rule.splitlines()
            if not ln.strip().startswith(f"{key}:") and not ln.startswith(f"  - {key}:")
        ]
        if key == "id":
            lines[0] = f"  - id: {value}"
        else:
            lines.append(f"    {key}: {value}")
        return head + "\n".join(lines) + "\n"

    def without(key: str) -> str:
        lines = rule.splitlines()
        if key == "id":
            lines = ["  - " + lines[1].strip(), *lines[2:]]
        else:
            lines = [ln for ln in lines if not ln.strip().startswith(f"{key}:")]
        return head + "\n".join(lines) + "\n"

    # YAML syntax and hazards
    add("yaml-unclosed-list", head + "  - id: [r1\n", "YAML error")
    add("yaml-unclosed-quote", head + '  - id: "r1\n', "YAML error")
    add("yaml-bad-indent", "ruleset: t\n  version: 1\n rules: []\n", "YAML error")
    add("yaml-tab-indent", "ruleset: t\nrules:\n\t- id: r1\n", "tabs are not allowed")
    add("yaml-tab-in-rule", head + "  - id: r1\n\ton: [tick]\n", "tabs are not allowed")
    add("yaml-two-documents", head + rule + "---\nruleset: u\n", "YAML error")
    add("yaml-bad-escape", head + '  - id: "\\q"\n', "YAML error")
    add("yaml-colon-in-plain", head + "  - id: a: b: c\n", "YAML error")
    add("yaml-alias", "a: &x [1]\nb: *x\n", "aliases")
    add(
        "yaml-alias-bomb",
        "a: &a [x,x,x,x,x,x,x,x,x]\nb: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]\nc: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]\n"
        "d: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]\ne: [*d,*d,*d,*d,*d,*d,*d,*d,*d]\n",
        "aliases",
    )
    add("yaml-merge-key", "base: &b {x: 1}\nother:\n  <<: *b\n", "merge keys|aliases")
    add("yaml-python-object", "ruleset: !!python/object/apply:os.system ['true']\n", "tag")
    add("yaml-python-name", "ruleset: !!python/name:os.system\n", "tag")
    add("yaml-python-module", "ruleset: !!python/module:os\n", "tag")
    add("yaml-custom-tag", "ruleset: !evil x\n", "tag")
    add("yaml-binary-tag", "ruleset: !!binary aGVsbG8=\n", "tag")
    add("yaml-set-tag", "ruleset: !!set {a, b}\n", "tag")
    add("yaml-timestamp-tag", "ruleset: !!timestamp 2026-03-02\n", "tag")
    add("yaml-complex-key", "? [a, b]\n: 1\n", "plain strings")
    add("yaml-int-key", "1: x\n", "plain strings")
    add(
        "yaml-duplicate-top-key",
        'ruleset: t\nruleset: u\nversion: "1"\n',
        "duplicate key 'ruleset'",
    )
    add("yaml-duplicate-rule-key", head + rule + "    why: again\n", "duplicate key 'why'")
    add("yaml-empty", "", "must be a YAML mapping")
    add("yaml-list-root", "- 1\n- 2\n", "must be a YAML mapping")
    add("yaml-scalar-root", "hello\n", "must be a YAML mapping")
    add("yaml-invalid-utf8-like", "ruleset: t\x00\n", "YAML error")
    # top level
    add(
        "top-unknown-key",
        'ruleset: t\nversion: "1"\nauthor: me\nrules:\n' + rule,
        "unknown key in the ruleset",
    )
    add("top-missing-ruleset", 'version: "1"\nrules:\n' + rule, "required key 'ruleset' is missing")
    add("top-missing-version", "ruleset: t\nrules:\n" + rule, "required key 'version' is missing")
    add(
        "top-version-number", "ruleset: t\nversion: 1.0\nrules:\n" + rule, "must be a quoted string"
    )
    add("top-version-empty", 'ruleset: t\nversion: ""\nrules:\n' + rule, "must not be empty")
    add("top-name-uppercase", 'ruleset: Core\nversion: "1"\nrules:\n' + rule, "must be lowercase")
    add("top-name-spaces", 'ruleset: my rules\nversion: "1"\nrules:\n' + rule, "must be lowercase")
    add("top-name-list", 'ruleset: [a]\nversion: "1"\nrules:\n' + rule, "must be a string")
    add("top-rules-missing", 'ruleset: t\nversion: "1"\n', "required key 'rules' is missing")
    add("top-rules-empty", 'ruleset: t\nversion: "1"\nrules: []\n', "non-empty list")
    add("top-rules-mapping", 'ruleset: t\nversion: "1"\nrules: {a: 1}\n', "non-empty list")
    add("top-rule-scalar", head + "  - just a string\n", "each rule must be a mapping")
    add(
        "top-defaults-list",
        'ruleset: t\nversion: "1"\ndefaults: [1]\nrules:\n' + rule,
        "must be a mapping",
    )
    add(
        "top-defaults-unknown",
        'ruleset: t\nversion: "1"\ndefaults: {cooldwn: 1h}\nrules:\n' + rule,
        "unknown key in defaults",
    )
    add(
        "top-defaults-bad-priority",
        'ruleset: t\nversion: "1"\ndefaults: {priority: high}\nrules:\n' + rule,
        "must be an integer 0..100",
    )
    add(
        "top-defaults-bad-audience",
        'ruleset: t\nversion: "1"\ndefaults: {audience: family}\nrules:\n' + rule,
        "is not one of",
    )
    add(
        "top-description-list",
        'ruleset: t\nversion: "1"\ndescription: [a]\nrules:\n' + rule,
        "must be a string",
    )
    add(
        "top-invariants-mapping",
        'ruleset: t\nversion: "1"\ninvariants: {a: 1}\nrules:\n' + rule,
        "must be a list",
    )
    add(
        "top-invariant-scalar",
        'ruleset: t\nversion: "1"\ninvariants: [x]\nrules:\n' + rule,
        "each invariant must be a mapping",
    )
    add(
        "top-invariant-unknown-key",
        'ruleset: t\nversion: "1"\ninvariants:\n  - {name: a, never: "process == \\"planning\\"", why: x}\nrules:\n'
        + rule,
        "unknown key in an invariant",
    )
    add(
        "top-invariant-bad-never",
        'ruleset: t\nversion: "1"\ninvariants:\n  - {name: a, never: "process = 1"}\nrules:\n'
        + rule,
        "use == to compare",
    )
    add(
        "top-invariant-missing-name",
        'ruleset: t\nversion: "1"\ninvariants:\n  - {never: "process == \\"planning\\""}\nrules:\n'
        + rule,
        "required key 'name'",
    )
    add(
        "top-extends-missing",
        'ruleset: t\nversion: "1"\nextends: nowhere-at-all\nrules:\n' + rule,
        "cannot find ruleset",
    )
    add(
        "top-drop-without-extends",
        'ruleset: t\nversion: "1"\ndrop: [r1]\nrules:\n' + rule,
        "'drop' needs 'extends'",
    )
    # rule keys
    for key in ("on", "strategy", "why", "id"):
        add(f"rule-missing-{key}", without(key), f"required key '{key}' is missing")
    add("rule-missing-say", without("say"), "required key 'say' is missing")
    add("rule-unknown-key", with_key("colour", "red"), "unknown key in a rule")
    add("rule-typo-key", with_key("cooldwn", "1h"), "did you mean 'cooldown'")
    add("rule-duplicate-id", head + rule + rule, "duplicate rule id")
    add("rule-bad-id", with_key("id", "Bad Id"), "must be lowercase")
    add("rule-id-number", with_key("id", "7"), "must be a quoted string")
    add("rule-on-unknown", with_key("on", "[action_mised]"), "unknown event type 'action_mised'")
    add("rule-on-empty", with_key("on", "[]"), "must name at least one event type")
    add(
        "rule-on-duplicate",
        with_key("on", "[action_missed, action_missed]"),
        "lists an event type twice",
    )
    add("rule-on-mapping", with_key("on", "{a: 1}"), "must be a string or a list of strings")
    add("rule-on-numbers", with_key("on", "[1, 2]"), "must be a string or a list of strings")
    add("rule-strategy-unknown", with_key("strategy", "express_empthy"), "unknown strategy")
    add("rule-strategy-list", with_key("strategy", "[a]"), "must be a strategy name")
    add("rule-process-unknown", with_key("process", "plannning"), "unknown process")
    add("rule-process-safety", with_key("process", "safety"), "unknown process")
    add("rule-audience-unknown", with_key("audience", "family"), "unknown audience")
    add("rule-indicator-unknown", with_key("indicator", "red"), "unknown indicator")
    add("rule-coach-only-strategy", with_key("strategy", "escalate_to_coach"), "coach-facing only")
    for value in ("-1", "101", "high", "1.5", "true", "[50]"):
        add(f"rule-priority-{value}", with_key("priority", value), "must be an integer 0..100")
    for value in ("soon", "24", "1w", "-1h", "1.5h", "h", "[1h]", "24 h"):
        add(f"rule-cooldown-{value}", with_key("cooldown", value), "bad cooldown")
    for value, message in (("[persuade]", "code 'persuade' is refused"), ("[confront]", "code 'confront' is refused"),
                           ("[reflection]", "unknown MITI code"), ("[]", "at least one MITI code"),
                           ("[question, Question]", "unknown MITI code"), ("{a: 1}", "must be a string or a list")):  # fmt: skip
        add(f"rule-codes-{value}", with_key("codes", value), message)
    add("rule-why-empty", with_key("why", '""'), "must not be empty")
    add("rule-why-list", with_key("why", "[a]"), "must be a string")
    # conditions
    for text, message in (
        ("missed_streak = 1", "use == to compare"), ("missed_streak ==", "expected a name"),
        ("(missed_streak == 1", "expected ')'"), ("missed_streak == 1)", "expected 'and'"),
        ("missed_streak == null", "null is not a value"), ("missed_streak is", "expected 'set'"),
        ("missed_streak in []", "must not be empty"), ("missed_streak in 3", "expected '['"),
        ("missed_streek >= 1", "unknown feature 'missed_streek'"), ("event.value > 1", "unknown event field"),
        ("event.action_id.x == 1", "unexpected character|only event"), ("foo.bar == 1", "only event.<field>"),
        ("confidence == 'high'", "type mismatch"), ("goal_origin == 'mine'", "can never match"),
        ("goal_origin > 'own'", "compares numbers only"), ("talk in [1, 2]", "type mismatch"),
        ("missed_streak", "not a boolean"), ("1 == 1", "two constants"), ("'x' is set", "needs a name"),
        ("missed_streak == 1 $", "unexpected character"), ("event.at is set", "timestamp"),
        ("process == 'planning'", "unknown feature 'process'"), ("not", "expected a name"),
        ("missed_streak >= 1 and", "expected a name"), ("missed_streak >= 1 or or 2", "expected a name"),
        ("'unterminated", "unterminated string"), ("missed_streak == 'a\\q'", "unknown escape"),
        ("(" * 80 + "missed_streak >= 1" + ")" * 80, "nested deeper"),
    ):  # fmt: skip
        add(f"when-{text[:24]!r}", with_key("when", json.dumps(text)), message)
    add("when-list", with_key("when", "[a]"), "must be a condition string")
    add(
        "when-too-long",
        with_key("when", json.dumps("missed_streak >= 1 and " * 300 + "missed_streak >= 1")),
        "longer than",
    )
    # templates
    for text, message in (
        ("Hello {name}?", "unknown placeholder {name}"), ("Hi {action.title}?", "only plain names"),
        ("Hi {action[0]}?", "only plain names"), ("Hi {0}?", "only plain names"), ("Hi {}?", "only plain names"),
        ("Hi {action!r}?", "conversions"), ("Hi {action:>9}?", "format specs"), ("Hi {action?", "malformed"),
        ("Hi }?", "malformed|literal braces"), ("Hi {{action}}?", "literal braces"), ("   ", "must not be empty"),
        ("Well done on {last_success}?", "may be null"), ("Your confidence is {confidence}?", "may be null"),
    ):  # fmt: skip
        add(f"say-{text[:20]!r}", with_key("say", json.dumps([text])), message)
    add("say-empty-list", with_key("say", "[]"), "is empty and the strategy has no composer")
    add("say-number", with_key("say", "[42]"), "must be a string or a list of strings")
    add("say-mapping", with_key("say", "{a: b}"), "must be a string or a list of strings")
    return cases


def main() -> None:
    events, rulesets = event_cases(), ruleset_cases()
    (HERE / "events.jsonl").write_text("".join(json.dumps(c) + "\n" for c in events))
    (HERE / "rulesets.jsonl").write_text("".join(json.dumps(c) + "\n" for c in rulesets))
    print(f"{len(events)} event cases, {len(rulesets)} ruleset cases")


if __name__ == "__main__":
    main()
