"""The one private cattrs converter: dicts and JSON in and out, with strict types.

cattrs' defaults coerce (``int("5")``, ``str(5)``, ``int(True)``); mirules refuses such input
instead, so every hook here checks the type and raises :class:`InvalidEvent`. Field names are
recovered from cattrs' validation notes, so each error names the field.
"""

from __future__ import annotations

import json
import math
import typing
from collections.abc import Iterable, Mapping
from datetime import datetime, timedelta
from typing import Any, Literal, TypeVar

import cattrs
import msgspec
from cattrs.errors import ClassValidationError, ForbiddenExtraKeysError

from ._conditions import Kind, NameType
from ._errors import InvalidEvent, PluginError
from ._events import (
    BUILTIN_EVENT_TYPES,
    COMMON_FIELDS,
    Event,
    EventField,
    field_kind,
    literal_choices,
    wire_fields,
)
from ._timeutil import format_timestamp, parse_timestamp

T = TypeVar("T")
MAX_JSON_DEPTH = 32


def _strict_str(value: Any, _: Any) -> str:
    if not isinstance(value, str):
        raise InvalidEvent(None, f"must be a string, got {_json_type(value)}")
    return value


def _strict_int(value: Any, _: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise InvalidEvent(None, f"must be an integer, got {_json_type(value)}")
    return value


def _strict_float(value: Any, _: Any) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise InvalidEvent(None, f"must be a number, got {_json_type(value)}")
    if not math.isfinite(value):
        raise InvalidEvent(None, "must be a finite number")
    return float(value)


def _strict_bool(value: Any, _: Any) -> bool:
    if not isinstance(value, bool):
        raise InvalidEvent(None, f"must be true or false, got {_json_type(value)}")
    return value


def _timestamp(value: Any, _: Any) -> datetime:
    if isinstance(value, datetime):
        return value
    if not isinstance(value, str):
        raise InvalidEvent(None, f"must be an RFC 3339 timestamp string, got {_json_type(value)}")
    try:
        return parse_timestamp(value)
    except ValueError as exc:
        raise InvalidEvent(None, str(exc)) from None


def _json_type(value: Any) -> str:
    names = {
        bool: "a boolean",
        int: "an integer",
        float: "a number",
        str: "a string",
        list: "a list",
        dict: "an object",
        type(None): "null",
    }
    return names.get(type(value), type(value).__name__)


def _make_converter() -> cattrs.Converter:
    conv = cattrs.Converter(forbid_extra_keys=True, detailed_validation=True)
    conv.register_structure_hook(str, _strict_str)
    conv.register_structure_hook(int, _strict_int)
    conv.register_structure_hook(float, _strict_float)
    conv.register_structure_hook(bool, _strict_bool)
    conv.register_structure_hook(datetime, _timestamp)
    conv.register_unstructure_hook(datetime, format_timestamp)
    conv.register_structure_hook(timedelta, lambda v, _: timedelta(seconds=_strict_float(v, None)))
    conv.register_unstructure_hook(timedelta, lambda v: v.total_seconds())
    # Literal values are checked by the attrs validators, which name the allowed values.
    conv.register_structure_hook_func(
        lambda t: typing.get_origin(t) is Literal,  # type: ignore[comparison-overlap]
        lambda v, _: _strict_str(v, None),
    )
    conv.register_structure_hook(Any, lambda v, _: v)
    return conv


converter = _make_converter()


def to_jsonable(value: Any) -> Any:
    """Unstructure any mirules value (or event) into plain JSON types."""
    if isinstance(value, Event):
        return event_to_dict(value)
    return converter.unstructure(value)


def dumps(value: Any) -> str:
    """Compact JSON of a mirules value (state, intervention): the same document as
    ``json.dumps(to_jsonable(value))``, encoded by msgspec about ten times faster, because the
    store writes a whole client state for every event. Events go through ``to_jsonable``."""
    if isinstance(value, Event):
        return json.dumps(event_to_dict(value), separators=(",", ":"), ensure_ascii=False)
    return msgspec.json.encode(value).decode()


def from_jsonable(data: Any, cls: type[T]) -> T:
    """Structure plain JSON types into a mirules value class (round-trip of ``to_jsonable``)."""
    try:
        return converter.structure(data, cls)
    except ClassValidationError as exc:
        field, reason = _first_error(exc)
        raise InvalidEvent(field, reason) from None


def event_to_dict(event: Event) -> dict[str, Any]:
    data: dict[str, Any] = {"id": event.id, "client_id": event.client_id, "type": event.type}
    for name, value in converter.unstructure(event).items():
        if name in ("id", "client_id", "extensions") or value is None:
            continue
        data[name] = value
    data.update(event.extensions)
    return data


def _first_error(exc: BaseException, prefix: str = "") -> tuple[str | None, str]:
    if isinstance(exc, ClassValidationError):
        with_notes, others = exc.group_exceptions()
        for sub, note in with_notes:
            name = f"{prefix}{note.name}"
            if isinstance(sub, KeyError):
                return name, "required field is missing"
            if isinstance(sub, InvalidEvent):
                return (sub.field if sub.field and not prefix else name), sub.reason
            if isinstance(sub, ClassValidationError):
                return _first_error(sub, prefix=f"{name}.")
            return name, str(sub) or type(sub).__name__
        for sub in others:
            if isinstance(sub, ForbiddenExtraKeysError):
                extra = sorted(sub.extra_fields)[0]
                return f"{prefix}{extra}", "unknown field"
            if isinstance(sub, InvalidEvent):
                return sub.field, sub.reason
            return None, str(sub)
    if isinstance(exc, InvalidEvent):
        return exc.field, exc.reason
    return None, str(exc)


def _reject_duplicates(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    result: dict[str, Any] = {}
    for key, value in pairs:
        if key in result:
            raise InvalidEvent(key, "duplicate key in JSON object")
        result[key] = value
    return result


def _reject_constant(name: str) -> Any:
    raise InvalidEvent(None, f"{name} is not allowed in JSON")


def _depth(value: Any, limit: int) -> int:
    stack: list[tuple[Any, int]] = [(value, 1)]
    deepest = 0
    while stack:
        item, depth = stack.pop()
        deepest = max(deepest, depth)
        if deepest > limit:
            break
        if isinstance(item, dict):
            stack.extend((v, depth + 1) for v in item.values())
        elif isinstance(item, list):
            stack.extend((v, depth + 1) for v in item)
    return deepest


def loads_strict(text: str | bytes) -> Any:
    """``json.loads`` that refuses duplicate keys, NaN/Infinity, bad UTF-8 and deep nesting."""
    if isinstance(text, bytes):
        try:
            text = text.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise InvalidEvent(None, f"not valid UTF-8 at byte {exc.start}") from None
    try:
        value = json.loads(
            text, object_pairs_hook=_reject_duplicates, parse_constant=_reject_constant
        )
    except json.JSONDecodeError as exc:
        raise InvalidEvent(None, f"not valid JSON: {exc.msg} at column {exc.colno}") from None
    except RecursionError:
        raise InvalidEvent(None, f"JSON nested deeper than {MAX_JSON_DEPTH} levels") from None
    if _depth(value, MAX_JSON_DEPTH) > MAX_JSON_DEPTH:
        raise InvalidEvent(None, f"JSON nested deeper than {MAX_JSON_DEPTH} levels")
    return value


_EXT_KINDS: dict[str, Kind] = {"str": "string", "int": "number", "float": "number", "bool": "bool"}
_KIND_CHECK = {"str": _strict_str, "int": _strict_int, "float": _strict_float, "bool": _strict_bool}


class EventSchema:
    """The event types one engine accepts: the built-ins plus what plugins registered."""

    def __init__(
        self,
        types: Iterable[type[Event]] = BUILTIN_EVENT_TYPES,
        extensions: Iterable[EventField] = (),
    ) -> None:
        self.types: dict[str, type[Event]] = {}
        self.extensions: dict[str, dict[str, EventField]] = {}
        for cls in types:
            self.add_type(cls)
        for ext in extensions:
            self.add_field(ext)

    def add_type(self, cls: type[Event]) -> None:
        if not (isinstance(cls, type) and issubclass(cls, Event)) or not cls.TYPE:
            raise PluginError(f"{cls!r} is not an Event subclass with a TYPE")
        if cls.TYPE in self.types:
            raise PluginError(f"event type {cls.TYPE!r} is registered twice")
        self.types[cls.TYPE] = cls

    def add_field(self, ext: EventField) -> None:
        cls = self.types.get(ext.event_type)
        if cls is None:
            raise PluginError(
                f"extra field {ext.name!r} names unknown event type {ext.event_type!r}"
            )
        if ext.name in wire_fields(cls) or ext.name in COMMON_FIELDS or ext.name == "extensions":
            raise PluginError(f"event type {ext.event_type!r} already has a field {ext.name!r}")
        fields = self.extensions.setdefault(ext.event_type, {})
        if ext.name in fields:
            raise PluginError(f"extra field {ext.event_type}.{ext.name} is registered twice")
        fields[ext.name] = ext

    def field_type(self, event_type: str, name: str) -> NameType | None:
        """The condition-language type of field ``name`` of ``event_type`` (None if unknown)."""
        if name == "type":
            return NameType("string", (event_type,))
        attr = wire_fields(self.types[event_type]).get(name)
        if attr is not None:
            return NameType(field_kind(attr.type), literal_choices(attr.type))
        ext = self.extensions.get(event_type, {}).get(name)
        return NameType(_EXT_KINDS[ext.kind]) if ext is not None else None

    def parse(self, data: Any) -> Event:
        """Validate a decoded JSON object and build the typed event."""
        if isinstance(data, Event):
            if data.type not in self.types:
                raise InvalidEvent("type", f"unknown event type {data.type!r}", event_id=data.id)
            return data
        if not isinstance(data, Mapping):
            raise InvalidEvent(None, f"an event must be a JSON object, got {_json_type(data)}")
        event_id = data.get("id") if isinstance(data.get("id"), str) else None
        for name in COMMON_FIELDS:
            if name not in data or data[name] is None:
                raise InvalidEvent(name, "required field is missing", event_id=event_id)
        type_name = data["type"]
        if not isinstance(type_name, str):
            raise InvalidEvent(
                "type", f"must be a string, got {_json_type(type_name)}", event_id=event_id
            )
        cls = self.types.get(type_name)
        if cls is None:
            raise InvalidEvent("type", f"unknown event type {type_name[:60]!r}", event_id=event_id)
        known = wire_fields(cls)
        allowed_ext = self.extensions.get(type_name, {})
        body: dict[str, Any] = {}
        ext_values: dict[str, Any] = {}
        for key, value in data.items():
            if not isinstance(key, str):
                raise InvalidEvent(str(key), "field names must be strings", event_id=event_id)
            if key == "type":
                continue
            if key in known:
                body[key] = value
            elif key in allowed_ext:
                try:
                    ext_values[key] = _KIND_CHECK[allowed_ext[key].kind](value, None)
                except InvalidEvent as exc:
                    raise InvalidEvent(key, exc.reason, event_id=event_id) from None
            else:
                raise InvalidEvent(
                    key[:60], f"unknown field for event type {type_name!r}", event_id=event_id
                )
        body["extensions"] = ext_values
        try:
            return converter.structure(body, cls)
        except InvalidEvent as exc:
            raise InvalidEvent(exc.field, exc.reason, event_id=event_id) from None
        except ClassValidationError as exc:
            field, reason = _first_error(exc)
            raise InvalidEvent(field, reason, event_id=event_id) from None

    def parse_json(self, line: str | bytes) -> Event:
        return self.parse(loads_strict(line))
