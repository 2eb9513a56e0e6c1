from __future__ import annotations

import re

import pytest

from mirules import Condition, ConditionError
from mirules._conditions import MappingEnv, NameType, Ref, guaranteed_set


class Names:
    types = {
        "n": NameType("number"),
        "m": NameType("number"),
        "s": NameType("string"),
        "origin": NameType("string", ("own", "should")),
        "flag": NameType("bool"),
    }

    def lookup(self, ref: Ref) -> NameType:
        key = f"event.{ref.name}" if ref.scope == "event" else ref.name
        if ref.scope == "event":
            if ref.name == "value":
                return NameType("number")
            raise ConditionError(f"unknown event field {key}", column=ref.column)
        if ref.name not in self.types:
            raise ConditionError(f"unknown feature {ref.name!r}", column=ref.column)
        return self.types[ref.name]


def holds(text: str, **features: object) -> bool:
    event = features.pop("event", {})
    return Condition.parse(text, Names())(MappingEnv(features, event))  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("text", "features", "expected"),
    [
        ("n == 1", {"n": 1}, True),
        ("n != 1", {"n": 2}, True),
        ("n < 1", {"n": 0}, True),
        ("n <= 1", {"n": 1}, True),
        ("n > 1.5", {"n": 2}, True),
        ("n >= 2", {"n": 1}, False),
        ("n == -2", {"n": -2}, True),
        ("1 < n", {"n": 2}, True),
        ("n < m", {"n": 1, "m": 2}, True),
        ("s == 'a'", {"s": "a"}, True),
        ('s == "a \\" b"', {"s": 'a " b'}, True),
        ("flag", {"flag": True}, True),
        ("flag == false", {"flag": False}, True),
        ("not flag", {"flag": False}, True),
        ("n in [1, 2]", {"n": 2}, True),
        ("n not in [1, 2]", {"n": 3}, True),
        ("n is set", {"n": 0}, True),
        ("n is not set", {"n": None}, True),
        ("n == 1 and s == 'a' or n == 5", {"n": 5, "s": "b"}, True),
        ("n == 1 and (s == 'a' or n == 5)", {"n": 5, "s": "a"}, False),
        ("not (n == 1 or n == 2)", {"n": 3}, True),
        ("event.value >= 3", {"event": {"value": 3}}, True),
        # null semantics: every comparison and membership with null is false
        ("n == 1", {"n": None}, False),
        ("n != 1", {"n": None}, False),
        ("n < 1", {"n": None}, False),
        ("n in [1]", {"n": None}, False),
        ("n not in [1]", {"n": None}, False),
        ("n < m", {"n": 1, "m": None}, False),
        ("not (n > 1)", {"n": None}, True),
        ("flag", {"flag": None}, False),
    ],
)
def test_evaluation(text: str, features: dict, expected: bool) -> None:
    assert holds(text, **features) is expected


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "empty condition"),
        ("n = 1", "use == to compare"),
        ("n ==", "expected a name, a number"),
        ("(n == 1", "expected ')'"),
        ("n == 1 m", "expected 'and', 'or'"),
        ("n == null", "null is not a value here"),
        ("n is", "expected 'set'"),
        ("n in []", "must not be empty"),
        ("n in 3", "expected '['"),
        ("'abc", "unterminated string"),
        ("n == 1 $", "unexpected character '$'"),
        ("foo.bar == 1", "only event.<field>"),
        ("zzz == 1", "unknown feature 'zzz'"),
        ("event.nope == 1", "unknown event field event.nope"),
        ("n == 'high'", "type mismatch: n is a number"),
        ("s > 'a'", "compares numbers only"),
        ("n in ['a']", "type mismatch"),
        ("origin == 'shuold'", "can never match"),
        ("origin in ['own', 'x']", "can never match"),
        ("n", "not a boolean"),
        ("1 == 1", "two constants"),
        ("'a' is set", "needs a name"),
        ("s == 'a\\q'", "unknown escape"),
    ],
)
def test_errors(text: str, message: str) -> None:
    with pytest.raises(ConditionError, match=re.escape(message)):
        Condition.parse(text, Names())


def test_error_reports_column() -> None:
    with pytest.raises(ConditionError) as info:
        Condition.parse("n == 1 and zzz > 2", Names())
    assert info.value.column == 12


def test_deep_nesting_is_an_error_not_a_crash() -> None:
    with pytest.raises(ConditionError, match="nested deeper"):
        Condition.parse("(" * 200 + "n == 1" + ")" * 200, Names())
    with pytest.raises(ConditionError, match="nested deeper"):
        Condition.parse("not " * 200 + "flag", Names())


def test_explain_lists_every_comparison_with_values() -> None:
    cond = Condition.parse("n >= 2 and (s == 'a' or origin is not set)", Names())
    results = cond.explain(MappingEnv({"n": 3, "s": "b", "origin": None}))
    assert [(r.condition, r.held, dict(r.values)) for r in results] == [
        ("n >= 2", True, {"n": 3}),
        ('s == "a"', False, {"s": "b"}),
        ("origin is not set", True, {"origin": None}),
    ]
    assert results[0].describe() == "n >= 2 [yes: n=3]"


def test_specificity_counts_top_level_conjuncts() -> None:
    assert Condition.parse("n == 1", Names()).specificity == 1
    assert Condition.parse("n == 1 and s == 'a' and flag", Names()).specificity == 3
    assert Condition.parse("n == 1 or s == 'a'", Names()).specificity == 1


def test_guaranteed_set() -> None:
    def g(text: str) -> set[str]:
        return set(guaranteed_set(Condition.parse(text, Names()).ast))

    assert g("n > 1 and s is set") == {"n", "s"}
    assert g("n > 1 or s is set") == set()
    assert g("(n > 1 and s == 'a') or (n < 0 and m > 1)") == {"n"}
    assert g("n is not set") == set()
    assert g("not (n is not set)") == {"n"}
    assert g("not (n > 1)") == set()


def test_never_uses_eval(monkeypatch: pytest.MonkeyPatch) -> None:
    import builtins

    def boom(*args: object, **kwargs: object) -> None:
        raise AssertionError("eval must not be used")

    monkeypatch.setattr(builtins, "eval", boom)
    monkeypatch.setattr(builtins, "exec", boom)
    assert holds("n == 1 and s in ['a', 'b']", n=1, s="b")
    with pytest.raises(ConditionError):
        Condition.parse("__import__('os').system('true')", Names())
