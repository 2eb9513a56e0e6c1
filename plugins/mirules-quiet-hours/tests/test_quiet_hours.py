from __future__ import annotations

import pytest
from click.testing import CliRunner

import mirules_quiet_hours as quiet
from mirules import Engine

MISS = {"id": "e1", "client_id": "c1", "type": "action_missed", "action_id": "a"}


@pytest.fixture
def engine():
    with Engine(plugins=[quiet], load_entry_points=False) as engine:
        yield engine


@pytest.mark.parametrize(("at", "held"), [
    ("2026-03-02T23:30:00+01:00", True),   # 23:30 local
    ("2026-03-02T06:59:00Z", True),
    ("2026-03-02T07:00:00Z", False),
    ("2026-03-02T21:59:00-05:00", False),  # 21:59 local, 02:59 UTC: local time decides
])  # fmt: skip
def test_client_messages_held_in_quiet_hours(engine, at: str, held: bool) -> None:
    decision = engine.process({**MISS, "at": at})
    if held:
        assert decision.interventions == ()
        assert decision.suppressed[0].reason == "plugin"
        assert "quiet hours" in decision.suppressed[0].detail
    else:
        assert [i.rule for i in decision.interventions] == ["lapse-first-miss"]


def test_crisis_escalation_is_never_held(engine) -> None:
    decision = engine.process({"id": "m", "client_id": "c1", "type": "message",
                               "at": "2026-03-02T02:00:00Z", "text": "I want to kill myself"})  # fmt: skip
    assert [(i.audience, i.indicator) for i in decision.interventions] == [("coach", "critical")]


def test_local_hour_feature(engine) -> None:
    decision = engine.process({**MISS, "at": "2026-03-02T09:15:00+02:00"})
    assert decision.state.features["local_hour"] == 9


def test_window_is_configurable(monkeypatch) -> None:
    monkeypatch.setenv("MIRULES_QUIET_START", "1")
    monkeypatch.setenv("MIRULES_QUIET_END", "5")
    assert quiet.is_quiet(3)
    assert not quiet.is_quiet(23)
    monkeypatch.setenv("MIRULES_QUIET_END", "25")
    with pytest.raises(ValueError, match="hours 0-23"):
        quiet.window()


def test_command() -> None:
    import click

    group = click.Group()
    quiet.mirules_register_commands(group)
    result = CliRunner().invoke(group, ["quiet-hours"])
    assert result.output == "quiet hours: 22:00-07:00 local (client-facing messages held)\n"


def test_installed_as_an_entry_point(monkeypatch) -> None:
    from importlib import metadata

    eps = [ep for ep in metadata.entry_points(group="mirules") if ep.name == "quiet-hours"]
    assert eps, "pip install -e plugins/mirules-quiet-hours (scripts/test does)"
    monkeypatch.setenv("MIRULES_LOAD_PLUGINS", "quiet-hours")
    with Engine(load_entry_points=True) as engine:
        info = {p.name: p for p in engine.plugins()}
        assert info["quiet-hours"].source == "mirules-quiet-hours"
        assert "mirules_select" in info["quiet-hours"].hooks
