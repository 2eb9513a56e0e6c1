from __future__ import annotations

import json
import random

from click.testing import CliRunner

from mirules._cli import cli
from mirules._simulate import PERSONAS, journey, simulate


def test_journeys_are_valid_deterministic_and_in_time_order(mirules_engine) -> None:
    for persona in PERSONAS:
        events = journey(persona, "c", random.Random("1:0"))
        assert events == journey(persona, "c", random.Random("1:0"))
        assert [e["at"] for e in events] == sorted(e["at"] for e in events)
        assert len({e["id"] for e in events}) == len(events)
        for event in events:
            mirules_engine.parse_event(event)


def test_personas_differ() -> None:
    kinds = {p: [e["type"] for e in journey(p, "c", random.Random(3))] for p in PERSONAS}
    assert kinds["steady"].count("action_completed") > kinds["lapsing"].count("action_completed")
    crisis = [e for e in journey("crisis_once", "c", random.Random(3)) if e["type"] == "message"]
    assert crisis


def test_simulation_report(engine_factory) -> None:
    report = simulate(engine_factory(), clients=12, seed=5)
    assert report.clients == 12
    assert set(report.personas) == set(PERSONAS)
    assert report.escalations == 2  # one per crisis_once client
    assert sum(report.strategies.values()) == sum(report.audiences.values())
    assert report.fidelity.interventions == report.audiences["client"]
    again = simulate(engine_factory(), clients=12, seed=5)
    assert again == report
    assert simulate(engine_factory(), clients=12, seed=6) != report


def test_simulate_command_is_deterministic() -> None:
    runner = CliRunner()
    first = runner.invoke(
        cli, ["simulate", "--clients", "12", "--seed", "3", "--json"], catch_exceptions=False
    )
    second = runner.invoke(
        cli, ["simulate", "--clients", "12", "--seed", "3", "--json"], catch_exceptions=False
    )
    assert first.exit_code == 0
    assert first.stdout == second.stdout
    data = json.loads(first.stdout)
    assert data["clients"] == 12
    assert data["fidelity"]["rq"] > 0
    text = runner.invoke(
        cli, ["simulate", "--clients", "12", "--seed", "3"], catch_exceptions=False
    )
    assert "interventions by strategy" in text.stdout
    assert "suppressed by reason" in text.stdout
    assert "fidelity (client-facing): R:Q" in text.stdout
    assert "budget use:" in text.stdout
    assert "simulating" in text.stderr  # the progress bar
