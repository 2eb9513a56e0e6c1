"""Safety screens: checks that run before rules and may force an escalation to the coach."""

from __future__ import annotations

from collections.abc import Callable

import attrs

from ._events import Event
from ._state import ClientState


@attrs.frozen
class ScreenHit:
    """What a screen found. ``message`` is the coach-facing escalation text."""

    reason: str
    matched: str
    message: str


@attrs.frozen
class Screen:
    """A named safety screen. ``check`` returns a hit, or ``None`` when nothing was found."""

    name: str
    check: Callable[[Event, ClientState], ScreenHit | None] = attrs.field(eq=False, repr=False)
    description: str = ""
