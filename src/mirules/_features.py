"""Feature specifications and the per-engine feature registry."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any, Literal

import attrs

from ._errors import PluginError
from ._events import Event
from ._registry import Registry
from ._state import ClientState

FeatureKind = Literal["number", "string", "bool"]
#: Names a feature may not take: rule attributes readable by invariants, and keywords.
RESERVED_NAMES = frozenset(
    {
        "event",
        "process",
        "strategy",
        "audience",
        "indicator",
        "priority",
        "rule",
        "ruleset",
        "and",
        "or",
        "not",
        "in",
        "is",
        "set",
        "true",
        "false",
        "null",
        "none",
    }
)


@attrs.frozen
class Feature:
    """A named value conditions can read, computed after the built-in reducer ran.

    ``compute(state, event)`` receives the reduced state (history updated with ``event``) and
    returns a value of ``kind`` or ``None``. ``nullable=False`` promises it never returns
    ``None`` (templates may then use it without a guard). ``choices`` lists the only values a
    string feature takes, so a condition comparing it with anything else is refused at load.
    """

    name: str
    kind: FeatureKind
    description: str
    compute: Callable[[ClientState, Event], Any] = attrs.field(eq=False, repr=False)
    nullable: bool = True
    choices: tuple[str, ...] = ()
    implies: tuple[str, ...] = ()


class FeatureSet(Registry[Feature]):
    """The features of one engine, in registration order."""

    def __init__(self) -> None:
        super().__init__("feature", Feature)

    def register(self, item: Feature, *, plugin: str) -> None:
        if isinstance(item, Feature) and (
            not item.name.isidentifier() or item.name in RESERVED_NAMES
        ):
            raise PluginError(f"plugin {plugin!r}: {item.name!r} is not a usable feature name")
        super().register(item, plugin=plugin)

    def implied(self, names: frozenset[str]) -> frozenset[str]:
        """``names`` plus every feature they imply."""
        result = set(names)
        for name in names:
            feature = self.get(name)
            if feature is not None:
                result.update(feature.implies)
        return frozenset(result)

    def compute(self, state: ClientState, event: Event) -> Mapping[str, Any]:
        values: dict[str, Any] = {}
        for feature in self:
            try:
                values[feature.name] = feature.compute(state, event)
            except Exception as exc:  # a broken plugin feature must say who it is
                raise PluginError(
                    f"feature {feature.name!r} from {self.owner(feature.name)!r} failed: {exc!r}"
                ) from exc
        return values
