from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from mirules._cli import cli

ROOT = Path(__file__).resolve().parent.parent
LAPSING = str(ROOT / "examples" / "lapsing-client.jsonl")


def invoke(*args: str):
    return CliRunner().invoke(cli, list(args), catch_exceptions=False)


def test_run_prints_explained_interventions() -> None:
    result = invoke("run", LAPSING)
    assert result.exit_code == 0
    out = result.stdout
    assert "core-mi/lapse-first-miss" in out
    assert "strategy=express_empathy" in out
    assert "reason: A single lapse is normal" in out
    assert "missed_streak == 1 [yes: missed_streak=1]" in out


def test_run_json_prints_one_decision_per_line() -> None:
    result = invoke("run", LAPSING, "--json")
    assert result.exit_code == 0
    lines = result.stdout.splitlines()
    events = [ln for ln in Path(LAPSING).read_text().splitlines() if ln.strip()]
    assert len(lines) == len(events)
    decisions = [json.loads(line) for line in lines]
    assert {"event_id", "client_id", "duplicate", "interventions", "suppressed", "state"} <= set(
        decisions[0]
    )
    assert any(d["interventions"] for d in decisions)


def test_bad_line_stops_with_location_after_earlier_decisions(tmp_path) -> None:
    path = tmp_path / "events.jsonl"
    good = {
        "id": "e1",
        "client_id": "c",
        "type": "action_missed",
        "at": "2026-03-02T08:00:00Z",
        "action_id": "a",
    }
    bad = {
        "id": "e2",
        "client_id": "c",
        "type": "confidence_rated",
        "at": "2026-03-02T09:00:00Z",
        "value": 12,
    }
    after = {**good, "id": "e3"}
    path.write_text("\n".join(json.dumps(e) for e in (good, bad, after)) + "\n")
    result = invoke("run", str(path))
    assert result.exit_code == 2
    assert "e1 " in result.stdout
    assert "e3" not in result.stdout
    assert result.stderr.strip() == f"{path}:2: value: must be between 0 and 10, got 12"


def test_bad_json_line(tmp_path) -> None:
    path = tmp_path / "events.jsonl"
    path.write_text('{"id": "e1",\n')
    result = invoke("run", str(path))
    assert result.exit_code == 2
    assert result.stderr.startswith(f"{path}:1: event: not valid JSON")


def test_missing_file() -> None:
    result = invoke("run", "/nonexistent/events.jsonl")
    assert result.exit_code == 2
    assert "cannot read" in result.stderr


def test_bad_ruleset_option_is_one_clear_error(tmp_path) -> None:
    path = tmp_path / "bad.yaml"
    path.write_text(
        'ruleset: b\nversion: "1"\nrules:\n  - id: x\n    on: [nope]\n    strategy: reengage\n    why: w\n    say: ["Hi?"]\n'
    )
    result = invoke("run", LAPSING, "--ruleset", str(path))
    assert result.exit_code == 2
    assert result.stderr.strip() == f"{path}:5: rule 'x': key 'on': unknown event type 'nope'"


def test_run_with_explicit_ruleset_uses_only_it(tmp_path) -> None:
    path = tmp_path / "only.yaml"
    path.write_text('ruleset: only\nversion: "2"\nrules:\n  - id: hello\n    on: [goal_set]\n'
                    '    strategy: explore_goal_ownership\n    why: w\n    say: ["What draws you to {goal}?"]\n')  # fmt: skip
    result = invoke("run", LAPSING, "--ruleset", str(path))
    assert result.exit_code == 0
    assert "only/hello" in result.stdout
    assert "core-mi" not in result.stdout


def test_rulesets_and_plugins_listing() -> None:
    result = invoke("rulesets")
    assert result.exit_code == 0
    name, version, _count, source = result.stdout.splitlines()[0].split("\t")
    assert (name, version) == ("core-mi", "1.1.0")
    assert source.endswith("core-mi.yaml")
    result = invoke("rulesets", "--shipped")
    assert [line.split("\t")[0] for line in result.stdout.splitlines()] == [
        "core-mi", "physical-activity", "smoking-cessation",
    ]  # fmt: skip
    result = invoke("plugins")
    assert result.exit_code == 0
    assert "mirules.plugins.safety\t" in result.stdout
    assert "mirules_register_screens" in result.stdout


def test_check(tmp_path) -> None:
    result = invoke("check")
    assert result.exit_code == 0
    assert "core-mi.yaml: ok" in result.stdout
    bad = tmp_path / "bad.yaml"
    bad.write_text(
        'ruleset: b\nversion: "1"\nrules:\n  - id: x\n    on: [tick]\n    strategy: nope\n    colour: red\n'
    )
    result = invoke("check", str(bad))
    assert result.exit_code == 1
    assert f"{bad}:6: rule 'x': key 'strategy': unknown strategy 'nope'" in result.stdout
    assert f"{bad}:7: rule 'x': key 'colour': unknown key" in result.stdout


def test_explain_shows_values_for_every_listening_rule() -> None:
    result = invoke("explain", LAPSING, "--event", "maria-13")
    assert result.exit_code == 0
    out = result.stdout
    assert "core-mi/lapse-repeated-recall-success: CHOSEN" in out
    assert "core-mi/lapse-first-miss: did not match" in out
    assert "missed_streak == 1 [no: missed_streak=3]" in out
    assert "suppressed: cap" in out


def test_explain_unknown_event() -> None:
    result = invoke("explain", LAPSING, "--event", "nope")
    assert result.exit_code == 2
    assert "no event with id 'nope'" in result.stderr


@pytest.mark.parametrize("args", [["-m", "mirules", "--help"], ["-m", "mirules", "rulesets"]])
def test_python_dash_m(args: list[str]) -> None:
    proc = subprocess.run([sys.executable, *args], capture_output=True, text=True, check=False)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout


def test_plugin_commands_are_added(monkeypatch) -> None:
    import types
    from importlib import metadata

    import click

    from mirules import hookimpl
    from mirules._cli import main

    module = types.ModuleType("mirules_cmd_plugin")

    @hookimpl
    def mirules_register_commands(cli: click.Group) -> None:
        @cli.command("hello")
        def hello() -> None:
            click.echo("hello from a plugin")

    module.mirules_register_commands = mirules_register_commands  # type: ignore[attr-defined]
    sys.modules[module.__name__] = module
    ep = metadata.EntryPoint(name="cmd", value=module.__name__, group="mirules")
    monkeypatch.setattr(metadata, "entry_points", lambda **kw: metadata.EntryPoints([ep]))
    monkeypatch.setenv("MIRULES_LOAD_PLUGINS", "cmd")
    with pytest.raises(SystemExit) as info:
        main(["hello"])
    assert info.value.code == 0
    cli.commands.pop("hello", None)


@pytest.mark.parametrize("writer", ["inline", "process"])
def test_run_into_a_database_prints_the_same_and_resume_skips(tmp_path, writer) -> None:
    plain = invoke("run", LAPSING)
    db = str(tmp_path / "m.db")
    stored = invoke("run", LAPSING, "--db", db, "--batch-size", "3", "--writer", writer)
    assert stored.exit_code == 0, stored.output
    assert stored.stdout == plain.stdout
    again = invoke("run", LAPSING, "--db", db)
    assert again.exit_code == 2
    assert "already holds 18 processed events; pass --resume" in again.output
    resumed = invoke("run", LAPSING, "--db", db, "--resume", "--writer", writer)
    assert resumed.exit_code == 0
    assert "resumed: skipped 18 events already processed" in resumed.stderr


def test_resume_needs_a_database() -> None:
    result = invoke("run", LAPSING, "--resume")
    assert result.exit_code == 2
    assert "--resume needs --db" in result.output


def test_outbox_lists_pending_and_acks(tmp_path) -> None:
    db = str(tmp_path / "m.db")
    assert invoke("run", LAPSING, "--db", db).exit_code == 0
    listed = invoke("outbox", "--db", db, "--json")
    pending = [json.loads(line) for line in listed.stdout.splitlines()]
    assert pending
    assert all(p["client_id"] == pending[0]["client_id"] for p in pending)
    first = pending[0]["id"]
    acked = invoke("outbox", "--db", db, "--ack", first, "--ack", "iv-unknown", "--limit", "1")
    assert "marked 1 of 2 delivered" in acked.stderr
    assert acked.stdout.split("\t")[0] == pending[1]["id"]
    remaining = invoke("outbox", "--db", db).stdout.splitlines()
    assert len(remaining) == len(pending) - 1
