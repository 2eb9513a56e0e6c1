"""The bad-input corpus (tests/data/bad/): every case raises the stated typed MirulesError with
the stated message fragment, never a raw library exception, and leaves the store unchanged."""

from __future__ import annotations

import base64
import json
import sqlite3
from pathlib import Path

import pytest

import mirules
from mirules import Engine, MirulesError, SQLiteStore

BAD = Path(__file__).resolve().parent / "data" / "bad"
EVENT_CASES = [json.loads(line) for line in (BAD / "events.jsonl").read_text().splitlines()]
RULESET_CASES = [json.loads(line) for line in (BAD / "rulesets.jsonl").read_text().splitlines()]


def test_corpus_size() -> None:
    assert len(EVENT_CASES) + len(RULESET_CASES) >= 200
    assert len({c["case"] for c in EVENT_CASES}) == len(EVENT_CASES)
    assert len({c["case"] for c in RULESET_CASES}) == len(RULESET_CASES)


@pytest.fixture(scope="module")
def engine(tmp_path_factory):
    path = tmp_path_factory.mktemp("bad") / "store.db"
    with Engine(store=SQLiteStore(path), load_entry_points=False) as engine:
        engine.process(
            {"id": "seed", "client_id": "c1", "type": "tick", "at": "2026-03-01T08:00:00Z"}
        )
        yield engine, path


def _dump(path: Path) -> list:
    conn = sqlite3.connect(path)
    try:
        return [
            conn.execute(f"SELECT * FROM {t} ORDER BY 1").fetchall()
            for t in ("clients", "events", "interventions")
        ]
    finally:
        conn.close()


@pytest.mark.parametrize("case", EVENT_CASES, ids=[c["case"] for c in EVENT_CASES])
def test_bad_events(engine, case: dict) -> None:
    engine, path = engine
    raw = base64.b64decode(case["input_b64"]) if "input_b64" in case else case["input"]
    before = _dump(path)
    error_class = getattr(mirules, case["error"])
    with pytest.raises(MirulesError) as info:
        engine.process(raw)
    assert isinstance(info.value, error_class), type(info.value)
    assert _mentions(str(info.value), case["message"]), (case["message"], str(info.value))
    if "field" in case:
        assert info.value.field == case["field"]
    assert _dump(path) == before


def _mentions(text: str, fragments: str) -> bool:
    return any(fragment in text for fragment in fragments.split("|"))


@pytest.mark.parametrize("case", RULESET_CASES, ids=[c["case"] for c in RULESET_CASES])
def test_bad_rulesets(engine, case: dict) -> None:
    engine, path = engine
    before = _dump(path)
    error_class = getattr(mirules, case["error"])
    with pytest.raises(MirulesError) as info:
        engine.load_ruleset("case.yaml", text=case["yaml"])
    assert isinstance(info.value, error_class), type(info.value)
    assert _mentions(str(info.value), case["message"]), (case["message"], str(info.value))
    assert str(info.value).startswith("case.yaml")
    assert _dump(path) == before
