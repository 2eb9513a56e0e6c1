from __future__ import annotations

import os
import sqlite3
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, settings

settings.register_profile("dev", max_examples=50, deadline=None)
settings.register_profile(
    "ci", max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "dev"))

ROOT = Path(__file__).resolve().parent.parent
DATA = Path(__file__).resolve().parent / "data"
#: A first missed action: the smallest event that produces an intervention.
MISS = {
    "id": "e1",
    "client_id": "c1",
    "type": "action_missed",
    "at": "2026-03-02T08:00:00Z",
    "action_id": "a",
}


def stored_rows(path: Path) -> dict[str, list[tuple[Any, ...]]]:
    """What a mirules database holds, for comparing two databases (row ids left out)."""
    db = sqlite3.connect(path)
    try:
        return {
            "clients": db.execute(
                "SELECT client_id, state, version FROM clients ORDER BY client_id"
            ).fetchall(),
            "events": db.execute("SELECT client_id, event_id FROM events ORDER BY seq").fetchall(),
            "interventions": db.execute(
                "SELECT id, client_id, event_id, body, status FROM interventions ORDER BY seq"
            ).fetchall(),
        }
    finally:
        db.close()


@pytest.fixture(autouse=True)
def _no_installed_plugins(monkeypatch: pytest.MonkeyPatch) -> None:
    """Tests never pick up third-party plugins that happen to be installed."""
    monkeypatch.setenv("MIRULES_LOAD_PLUGINS", "")
    monkeypatch.delenv("MIRULES_DISABLE_PLUGINS", raising=False)


def make_event(event_type: str, at: str = "2026-03-02T08:00:00Z", **fields: Any) -> dict[str, Any]:
    """A valid wire event; ids count up unless given."""
    make_event.counter += 1  # type: ignore[attr-defined]
    event = {"id": f"e{make_event.counter}", "client_id": "c1", "type": event_type, "at": at}  # type: ignore[attr-defined]
    event.update(fields)
    return event


make_event.counter = 0  # type: ignore[attr-defined]


@pytest.fixture
def event() -> Callable[..., dict[str, Any]]:
    return make_event


@pytest.fixture
def engine_factory(mirules_engine_factory: Callable[..., Any]) -> Callable[..., Any]:
    return mirules_engine_factory
