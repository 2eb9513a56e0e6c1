"""Hypothesis fuzzing of the condition parser, the ruleset loader and the event parser: over
arbitrary text and bytes, and over structured near-misses, nothing but MirulesError escapes.
(The coverage-guided atheris harness is fuzz/fuzz_inputs.py.)"""

from __future__ import annotations

import contextlib
import json

import yaml
from hypothesis import given
from hypothesis import strategies as st

from mirules import Condition, Engine, MirulesError
from mirules._rulesets import RULE_KEYS, TOP_KEYS, LoadContext, _Names

ENGINE = Engine(rulesets=[], load_entry_points=False)
NAMES = _Names(
    LoadContext(ENGINE.features, ENGINE.events, ENGINE.strategies), ("message",), rule_attrs=False
)
TOKENS = st.sampled_from([
    "missed_streak", "confidence", "talk", "goal_origin", "event.text", "event.talk", "and", "or",
    "not", "in", "is", "set", "(", ")", "[", "]", ",", "==", "!=", "<", ">=", "1", "-2", "2.5",
    '"own"', "'x'", "true", "false", "null", "\\", '"', "$", "=",
])  # fmt: skip


def _only_mirules_errors(call) -> None:
    with contextlib.suppress(MirulesError):
        call()


@given(st.text(max_size=300))
def test_condition_parser_on_arbitrary_text(text: str) -> None:
    _only_mirules_errors(lambda: Condition.parse(text, NAMES))


@given(st.lists(TOKENS, max_size=30).map(" ".join))
def test_condition_parser_on_token_soup(text: str) -> None:
    _only_mirules_errors(lambda: Condition.parse(text, NAMES))


@given(st.binary(max_size=500) | st.text(max_size=500))
def test_ruleset_loader_on_arbitrary_input(data: bytes | str) -> None:
    _only_mirules_errors(lambda: ENGINE.load_ruleset("fuzz.yaml", text=data))


SCALARS = (
    st.none()
    | st.booleans()
    | st.integers(-5, 200)
    | st.floats(allow_nan=True)
    | st.text(max_size=20)
)
VALUES = st.recursive(
    SCALARS,
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner, max_size=3)
    ),
    max_leaves=8,
)
RULES = st.lists(
    st.dictionaries(
        st.sampled_from([*RULE_KEYS, "colour"]),
        VALUES | st.sampled_from(["action_missed", "express_empathy", "missed_streak >= 1", "24h"]),
        max_size=12,
    ),
    max_size=4,
)


@given(st.dictionaries(st.sampled_from([*TOP_KEYS, "author"]), VALUES, max_size=6), RULES)
def test_ruleset_loader_on_structured_near_misses(top: dict, rules: list) -> None:
    document = {**top, "rules": rules}
    text = yaml.safe_dump(document, allow_unicode=True)
    _only_mirules_errors(lambda: ENGINE.load_ruleset("fuzz.yaml", text=text))


@given(st.binary(max_size=300) | st.text(max_size=300))
def test_event_parser_on_arbitrary_input(data: bytes | str) -> None:
    _only_mirules_errors(lambda: ENGINE.parse_event(data))


@given(
    st.dictionaries(
        st.sampled_from(
            [
                "id",
                "client_id",
                "type",
                "at",
                "value",
                "text",
                "talk",
                "mood",
                "goal_id",
                "title",
                "action_id",
                "x",
            ]
        ),
        VALUES | st.sampled_from(["message", "tick", "confidence_rated", "2026-03-02T08:00:00Z"]),
        max_size=8,
    )
)
def test_event_parser_on_structured_near_misses(data: dict) -> None:
    _only_mirules_errors(lambda: ENGINE.parse_event(json.dumps(data, allow_nan=True)))
    _only_mirules_errors(lambda: ENGINE.parse_event(data))
