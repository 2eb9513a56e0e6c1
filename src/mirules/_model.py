"""Output values (DESIGN §8): interventions, suppressions, decisions and explanations."""

from collections.abc import Mapping
from datetime import datetime
from typing import Any, Literal

import attrs

from ._state import ClientState

Audience = Literal["client", "coach"]
Indicator = Literal["info", "warning", "critical"]


@attrs.frozen
class ConditionResult:
    """One comparison of a rule's condition, whether it held, and the values it read."""

    condition: str
    held: bool
    values: Mapping[str, Any] = attrs.field(factory=dict)

    def describe(self) -> str:
        shown = ", ".join(f"{k}={_show(v)}" for k, v in self.values.items())
        mark = "yes" if self.held else "no"
        return f"{self.condition} [{mark}{': ' + shown if shown else ''}]"


def _show(value: Any) -> str:
    return "null" if value is None else repr(value) if isinstance(value, str) else str(value)


@attrs.frozen
class Intervention:
    id: str
    client_id: str
    event_id: str
    at: datetime
    ruleset: str
    ruleset_version: str
    rule: str
    strategy: str
    process: str
    codes: tuple[str, ...]
    audience: Audience
    indicator: Indicator
    message: str
    alternatives: tuple[str, ...]
    why: str
    explanation: tuple[ConditionResult, ...] = ()

    def reason(self) -> str:
        """A one-line reason a coach can read: the rationale and the conditions that held."""
        held = "; ".join(c.describe() for c in self.explanation if c.held)
        return f"{self.why} (because {held})" if held else self.why

    def to_card(self) -> dict[str, Any]:
        """The intervention as a CDS Hooks card (summary, indicator, source, suggestions)."""
        return {
            "uuid": self.id,
            "summary": self.message if len(self.message) <= 140 else self.message[:139] + "…",
            "detail": self.why,
            "indicator": self.indicator,
            "source": {
                "label": f"mirules {self.ruleset} {self.ruleset_version}",
                "topic": {"code": self.rule},
            },
            "suggestions": [{"label": alt} for alt in self.alternatives],
        }


@attrs.frozen
class Suppressed:
    """A rule that matched but was not chosen, and why (``reason`` is a stable code)."""

    ruleset: str
    rule: str
    reason: Literal["safety", "invariant", "cooldown", "fatigue", "cap", "plugin"]
    detail: str


@attrs.frozen
class Decision:
    event_id: str
    client_id: str
    duplicate: bool
    interventions: tuple[Intervention, ...]
    suppressed: tuple[Suppressed, ...]
    state: ClientState
