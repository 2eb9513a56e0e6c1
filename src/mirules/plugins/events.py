"""The built-in event types of DESIGN §3."""

from collections.abc import Callable

from .._events import BUILTIN_EVENT_TYPES, Event, EventField
from ..hookspecs import hookimpl


@hookimpl
def mirules_register_event_types(register: Callable[[type[Event] | EventField], None]) -> None:
    for cls in BUILTIN_EVENT_TYPES:
        register(cls)
