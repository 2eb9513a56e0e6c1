"""Strategies (DESIGN §5) and MITI behaviour codes (MI.md §2)."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Literal

import attrs

PROCESSES: tuple[str, ...] = ("engaging", "focusing", "evoking", "planning")
AUDIENCES: tuple[str, ...] = ("client", "coach")
INDICATORS: tuple[str, ...] = ("info", "warning", "critical")

#: MITI 4.2.1 codes a rule may declare, by class.
CODE_CLASSES: Mapping[str, str] = {
    "giving_information": "neutral",
    "persuade_with_permission": "neutral",
    "question": "neutral",
    "simple_reflection": "reflection",
    "complex_reflection": "reflection",
    "affirm": "adherent",
    "seeking_collaboration": "adherent",
    "emphasizing_autonomy": "adherent",
}
ALLOWED_CODES: tuple[str, ...] = tuple(CODE_CLASSES)
#: Non-adherent codes a ruleset may never declare, with the reason the loader prints.
REFUSED_CODES: Mapping[str, str] = {
    "persuade": "non-adherent in MITI (advice without permission); use persuade_with_permission",
    "confront": "non-adherent in MITI (arguing, correcting, shaming, warning)",
}

Composer = Callable[[Mapping[str, str | None]], str]


@attrs.frozen
class Strategy:
    """An MI strategy a rule can name.

    ``process`` is its usual MI process (a rule may state another). ``codes`` are the MITI
    codes its messages usually carry (a rule that states none gets these). ``composer``, if
    given, builds the message from the render context, so rules using it may omit ``say``.
    ``audience`` restricts who may receive it ("any", "client" or "coach").
    """

    name: str
    process: str
    description: str = ""
    codes: tuple[str, ...] = ()
    composer: Composer | None = attrs.field(default=None, eq=False, repr=False)
    audience: Literal["any", "client", "coach"] = "any"
