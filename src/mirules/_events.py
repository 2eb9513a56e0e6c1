"""Event value classes (DESIGN §3): one frozen attrs class per event type.

Validation lives in attrs validators, so an event built in Python is checked exactly like one
parsed from JSON. Every validator raises :class:`InvalidEvent` naming the field.
Parsing from dicts and JSON lives in :mod:`mirules._convert`.
"""

import types
import typing
from collections.abc import Mapping
from datetime import datetime
from typing import Any, ClassVar, Literal

import attrs

from ._errors import InvalidEvent

MAX_ID_LENGTH = 200
MAX_TEXT_LENGTH = 10_000

GoalOrigin = Literal["own", "should", "external", "unknown"]
Talk = Literal["change", "sustain", "neutral", "discord"]
TALK_VALUES: tuple[str, ...] = typing.get_args(Talk)


def _string(limit: int, *, allow_blank: bool) -> Any:
    """A validator for a string field of at most ``limit`` characters."""

    def check(inst: Any, attribute: "attrs.Attribute[Any]", value: Any) -> None:
        if value is None and attribute.default is None:
            return
        if not isinstance(value, str):
            raise InvalidEvent(attribute.name, f"must be a string, got {type(value).__name__}")
        if not allow_blank and not value.strip():
            raise InvalidEvent(attribute.name, "must not be empty")
        if len(value) > limit:
            raise InvalidEvent(
                attribute.name, f"is {len(value)} characters long; the limit is {limit}"
            )

    return check


_check_id = _string(MAX_ID_LENGTH, allow_blank=False)
_check_text = _string(MAX_TEXT_LENGTH, allow_blank=True)


def _check_aware(inst: Any, attribute: "attrs.Attribute[Any]", value: Any) -> None:
    if value is None and attribute.default is None:
        return
    if not isinstance(value, datetime):
        raise InvalidEvent(attribute.name, f"must be a timestamp, got {type(value).__name__}")
    if value.tzinfo is None or value.utcoffset() is None:
        raise InvalidEvent(
            attribute.name, "timestamp must carry a UTC offset (for example Z or +01:00)"
        )


def _int_range(low: int, high: int) -> Any:
    def check(inst: Any, attribute: "attrs.Attribute[Any]", value: Any) -> None:
        if value is None and attribute.default is None:
            return
        if isinstance(value, bool) or not isinstance(value, int):
            raise InvalidEvent(attribute.name, f"must be an integer {low}..{high}, got {value!r}")
        if not low <= value <= high:
            raise InvalidEvent(attribute.name, f"must be between {low} and {high}, got {value}")

    return check


def _choice(inst: Any, attribute: "attrs.Attribute[Any]", value: Any) -> None:
    if value is None and attribute.default is None:
        return
    allowed = literal_choices(attribute.type)
    if value not in allowed:
        raise InvalidEvent(attribute.name, f"must be one of {', '.join(allowed)}, got {value!r}")


def literal_choices(tp: Any) -> tuple[str, ...]:
    """The allowed strings of a ``Literal[...]`` (or ``Literal[...] | None``) annotation."""
    if typing.get_origin(tp) in (typing.Union, types.UnionType):
        tp = next(a for a in typing.get_args(tp) if a is not type(None))
    return tuple(typing.get_args(tp)) if typing.get_origin(tp) is Literal else ()


def _ident() -> Any:
    return attrs.field(validator=_check_id)


def _opt_ident() -> Any:
    return attrs.field(default=None, validator=_check_id)


def _text() -> Any:
    return attrs.field(validator=_check_text)


def _opt_text() -> Any:
    return attrs.field(default=None, validator=_check_text)


@attrs.frozen(kw_only=True)
class Event:
    """Fields common to every event. Subclasses set ``TYPE`` (the wire ``type``).

    ``extensions`` holds extra fields that a plugin registered for this event type
    (``mirules_register_event_types``); it is never read from the wire under that name.
    """

    TYPE: ClassVar[str] = ""

    id: str = _ident()
    client_id: str = _ident()
    at: datetime = attrs.field(validator=_check_aware)
    extensions: Mapping[str, Any] = attrs.field(factory=dict, eq=True)

    @property
    def type(self) -> str:
        return self.TYPE

    def field(self, name: str) -> Any:
        """The value of a wire field (``None`` when absent), including plugin extensions."""
        if name in self.extensions:
            return self.extensions[name]
        value = getattr(self, name, None)
        return None if name == "extensions" else value

    @property
    def goal_ref(self) -> str | None:
        return typing.cast("str | None", getattr(self, "goal_id", None))


@attrs.frozen(kw_only=True)
class GoalSet(Event):
    TYPE: ClassVar[str] = "goal_set"
    goal_id: str = _ident()
    title: str = _text()
    origin: GoalOrigin = attrs.field(default="unknown", validator=_choice)


@attrs.frozen(kw_only=True)
class GoalChanged(Event):
    TYPE: ClassVar[str] = "goal_changed"
    goal_id: str = _ident()
    title: str = _text()
    reason: str | None = _opt_text()


@attrs.frozen(kw_only=True)
class GoalAbandoned(Event):
    TYPE: ClassVar[str] = "goal_abandoned"
    goal_id: str = _ident()
    reason: str | None = _opt_text()


@attrs.frozen(kw_only=True)
class ActionPlanned(Event):
    TYPE: ClassVar[str] = "action_planned"
    action_id: str = _ident()
    title: str = _text()
    goal_id: str | None = _opt_ident()
    due: datetime | None = attrs.field(default=None, validator=_check_aware)


@attrs.frozen(kw_only=True)
class ActionCompleted(Event):
    TYPE: ClassVar[str] = "action_completed"
    action_id: str = _ident()
    goal_id: str | None = _opt_ident()


@attrs.frozen(kw_only=True)
class ActionMissed(Event):
    TYPE: ClassVar[str] = "action_missed"
    action_id: str = _ident()
    goal_id: str | None = _opt_ident()
    reason: str | None = _opt_text()


@attrs.frozen(kw_only=True)
class ConfidenceRated(Event):
    TYPE: ClassVar[str] = "confidence_rated"
    value: int = attrs.field(validator=_int_range(0, 10))
    goal_id: str | None = _opt_ident()


@attrs.frozen(kw_only=True)
class ImportanceRated(Event):
    TYPE: ClassVar[str] = "importance_rated"
    value: int = attrs.field(validator=_int_range(0, 10))
    goal_id: str | None = _opt_ident()


@attrs.frozen(kw_only=True)
class CheckIn(Event):
    TYPE: ClassVar[str] = "check_in"
    mood: int | None = attrs.field(default=None, validator=_int_range(1, 5))
    note: str | None = _opt_text()


@attrs.frozen(kw_only=True)
class Message(Event):
    TYPE: ClassVar[str] = "message"
    text: str = _text()
    talk: Talk | None = attrs.field(default=None, validator=_choice)


@attrs.frozen(kw_only=True)
class Tick(Event):
    TYPE: ClassVar[str] = "tick"


BUILTIN_EVENT_TYPES: tuple[type[Event], ...] = (
    GoalSet,
    GoalChanged,
    GoalAbandoned,
    ActionPlanned,
    ActionCompleted,
    ActionMissed,
    ConfidenceRated,
    ImportanceRated,
    CheckIn,
    Message,
    Tick,
)

COMMON_FIELDS = ("id", "client_id", "type", "at")


@attrs.frozen
class EventField:
    """An extra field a plugin allows on an existing event type (``kind``: str|int|float|bool)."""

    event_type: str
    name: str
    kind: Literal["str", "int", "float", "bool"] = "str"


def wire_fields(cls: type[Event]) -> dict[str, "attrs.Attribute[Any]"]:
    """The wire fields of an event class (everything but ``extensions``), by name."""
    return {a.name: a for a in attrs.fields(cls) if a.name != "extensions"}


def field_kind(tp: Any) -> "Literal['number', 'string', 'bool', 'timestamp', 'any']":
    """The condition-language type of an event field annotation: number, string, bool, timestamp."""
    if typing.get_origin(tp) in (typing.Union, types.UnionType):
        args = [a for a in typing.get_args(tp) if a is not type(None)]
        tp = args[0] if len(args) == 1 else Any
    if tp is bool:
        return "bool"
    if tp in (int, float):
        return "number"
    if tp is str or typing.get_origin(tp) is Literal:
        return "string"
    if tp is datetime:
        return "timestamp"
    return "any"
