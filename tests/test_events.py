from __future__ import annotations

from datetime import UTC, datetime

import pytest

from mirules import ActionMissed, ConfidenceRated, GoalSet, InvalidEvent
from mirules._convert import EventSchema, event_to_dict

SCHEMA = EventSchema()
BASE = {"id": "e1", "client_id": "c1", "at": "2026-03-02T08:00:00Z"}


def parse(**fields: object):
    return SCHEMA.parse({**BASE, **fields})


def test_parses_every_builtin_type() -> None:
    samples = {
        "goal_set": {"goal_id": "g", "title": "walk", "origin": "own"},
        "goal_changed": {"goal_id": "g", "title": "walk less", "reason": "knee"},
        "goal_abandoned": {"goal_id": "g"},
        "action_planned": {"action_id": "a", "title": "walk", "due": "2026-03-03T08:00:00+01:00"},
        "action_completed": {"action_id": "a", "goal_id": "g"},
        "action_missed": {"action_id": "a", "reason": "rain"},
        "confidence_rated": {"value": 0},
        "importance_rated": {"value": 10},
        "check_in": {"mood": 5, "note": "fine"},
        "message": {"text": "hi", "talk": "neutral"},
        "tick": {},
    }
    for event_type, fields in samples.items():
        event = parse(type=event_type, **fields)
        assert event.type == event_type
        assert event_to_dict(event) == {**BASE, "type": event_type, **fields}


def test_goal_origin_defaults_to_unknown() -> None:
    event = parse(type="goal_set", goal_id="g", title="walk")
    assert isinstance(event, GoalSet)
    assert event.origin == "unknown"


def test_timestamp_keeps_offset() -> None:
    event = parse(type="tick", at="2026-03-02T08:00:00.123456789+02:00")
    assert event.at == datetime(2026, 3, 2, 6, 0, 0, 123456, tzinfo=UTC)


@pytest.mark.parametrize(
    ("fields", "field", "reason"),
    [
        ({"type": "confidence_rated"}, "value", "required field is missing"),
        ({"type": "confidence_rated", "value": 11}, "value", "between 0 and 10"),
        ({"type": "confidence_rated", "value": -1}, "value", "between 0 and 10"),
        ({"type": "confidence_rated", "value": 5.5}, "value", "must be an integer"),
        ({"type": "confidence_rated", "value": True}, "value", "got a boolean"),
        ({"type": "confidence_rated", "value": "5"}, "value", "got a string"),
        ({"type": "check_in", "mood": 0}, "mood", "between 1 and 5"),
        ({"type": "check_in", "mood": 6}, "mood", "between 1 and 5"),
        ({"type": "tick", "at": "2026-03-02T08:00:00"}, "at", "with an offset"),
        ({"type": "tick", "at": "2026-13-02T08:00:00Z"}, "at", "not a valid date"),
        ({"type": "tick", "at": "yesterday"}, "at", "RFC 3339"),
        ({"type": "tick", "at": 1700000000}, "at", "timestamp string"),
        ({"type": "tick", "id": ""}, "id", "must not be empty"),
        ({"type": "tick", "id": "x" * 201}, "id", "limit is 200"),
        ({"type": "tick", "client_id": 7}, "client_id", "must be a string"),
        ({"type": "message", "text": "x" * 10_001}, "text", "limit is 10000"),
        ({"type": "message", "text": "hi", "talk": "angry"}, "talk", "must be one of"),
        (
            {"type": "goal_set", "goal_id": "g", "title": "t", "origin": "mine"},
            "origin",
            "must be one of",
        ),
        ({"type": "tick", "colour": "red"}, "colour", "unknown field"),
        ({"type": "tick", "extensions": {}}, "extensions", "unknown field"),
        ({"type": "teleport"}, "type", "unknown event type"),
        ({"type": None}, "type", "required field is missing"),
        ({"type": "action_missed"}, "action_id", "required field is missing"),
        ({"type": "action_missed", "action_id": None}, "action_id", "must be a string"),
    ],
)
def test_invalid_event_names_field(fields: dict, field: str, reason: str) -> None:
    with pytest.raises(InvalidEvent) as info:
        parse(**fields)
    assert info.value.field == field
    assert reason in info.value.reason
    assert str(info.value).startswith(f"{field}: ")


def test_missing_common_field() -> None:
    with pytest.raises(InvalidEvent, match="client_id: required field is missing"):
        SCHEMA.parse({"id": "e1", "type": "tick", "at": "2026-03-02T08:00:00Z"})


def test_non_object_event() -> None:
    with pytest.raises(InvalidEvent, match="must be a JSON object, got a list"):
        SCHEMA.parse([1, 2])


@pytest.mark.parametrize(
    ("line", "reason"),
    [
        (b'{"id": "e1", "id": "e2"}', "duplicate key"),
        (b'{"id": NaN}', "NaN is not allowed"),
        (b'{"id": Infinity}', "Infinity is not allowed"),
        (b"\xff\xfe{}", "not valid UTF-8"),
        (b"{not json}", "not valid JSON"),
        (b"[" * 100 + b"]" * 100, "nested deeper"),
        (b"[" * 100_000, "not valid JSON|nested deeper"),
    ],
)
def test_strict_json(line: bytes, reason: str) -> None:
    with pytest.raises(InvalidEvent, match=reason):
        SCHEMA.parse_json(line)


def test_events_built_in_python_are_validated() -> None:
    at = datetime(2026, 3, 2, tzinfo=UTC)
    with pytest.raises(InvalidEvent, match="value: must be between 0 and 10"):
        ConfidenceRated(id="e", client_id="c", at=at, value=12)
    with pytest.raises(InvalidEvent, match="at: timestamp must carry a UTC offset"):
        ActionMissed(id="e", client_id="c", at=datetime(2026, 3, 2), action_id="a")


def test_events_are_frozen() -> None:
    event = parse(type="tick")
    with pytest.raises(AttributeError):
        event.id = "other"  # type: ignore[misc]
