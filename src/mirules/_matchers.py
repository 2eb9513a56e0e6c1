"""Matchers (DESIGN §6): return ALL rules whose ``on`` and ``when`` hold for (event, state).

``python`` (the default) indexes rules by event type and runs compiled closures.
``rete`` (durable_rules) is an optional extra; see ``matcher_for``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, Protocol

import attrs

from ._conditions import Env, Predicate, Ref
from ._errors import MatcherUnavailable
from ._events import Event
from ._rulesets import Rule, Ruleset


@attrs.frozen
class RuleMatch:
    ruleset: Ruleset = attrs.field(repr=lambda r: r.name)
    rule: Rule = attrs.field(repr=lambda r: r.id)
    order: int


@attrs.frozen
class RuleEnv:
    """What a rule condition reads: the features and the event's fields."""

    features: Mapping[str, Any]
    event: Event
    rule: Mapping[str, Any] = attrs.field(factory=dict)

    def get(self, ref: Ref) -> Any:
        if ref.scope == "feature":
            return self.features.get(ref.name)
        if ref.scope == "event":
            return self.event.type if ref.name == "type" else self.event.field(ref.name)
        return self.rule.get(ref.name)


def _always(env: Env) -> bool:
    return True


class Matcher(Protocol):
    name: str

    def match(self, event: Event, features: Mapping[str, Any]) -> list[RuleMatch]: ...

    def close(self) -> None: ...


class PythonMatcher:
    """Rules indexed by event type; conditions compiled to closures."""

    name = "python"

    def __init__(self, rulesets: Sequence[Ruleset]) -> None:
        self._index: dict[str, list[tuple[RuleMatch, Predicate]]] = {}
        order = 0
        for ruleset in rulesets:
            for rule in ruleset.rules:
                predicate = rule.when.predicate if rule.when is not None else _always
                for event_type in rule.on:
                    entry = (RuleMatch(ruleset, rule, order), predicate)
                    self._index.setdefault(event_type, []).append(entry)
                order += 1

    def match(self, event: Event, features: Mapping[str, Any]) -> list[RuleMatch]:
        env = RuleEnv(features, event)
        return [m for m, predicate in self._index.get(event.type, ()) if predicate(env)]

    def close(self) -> None:
        """Nothing to release."""


def matcher_for(name: str, rulesets: Sequence[Ruleset]) -> Matcher:
    if name == "python":
        return PythonMatcher(rulesets)
    if name == "rete":
        from ._rete import ReteMatcher

        return ReteMatcher(rulesets)
    raise MatcherUnavailable(f"unknown matcher {name!r}; choose 'python' or 'rete'")
