from __future__ import annotations

import json
import runpy
from pathlib import Path

from click.testing import CliRunner

from mirules._cli import cli

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"


def _decisions(name: str) -> list[dict]:
    result = CliRunner().invoke(
        cli, ["run", str(EXAMPLES / name), "--json"], catch_exceptions=False
    )
    assert result.exit_code == 0
    return [json.loads(line) for line in result.stdout.splitlines()]


def _by_type(name: str) -> dict[str, list[dict]]:
    events = [
        json.loads(line) for line in (EXAMPLES / name).read_text().splitlines() if line.strip()
    ]
    assert len(events) >= 15
    out: dict[str, list[dict]] = {}
    for event, decision in zip(events, _decisions(name), strict=True):
        assert decision["event_id"] == event["id"]
        out.setdefault(event["type"], []).extend(decision["interventions"])
    return out


def test_lapsing_client_gets_explained_interventions_for_lapses_and_confidence_drop() -> None:
    by_type = _by_type("lapsing-client.jsonl")
    lapse = by_type["action_missed"]
    assert {i["rule"] for i in lapse} >= {"lapse-first-miss", "lapse-repeated-recall-success"}
    drop = by_type["confidence_rated"]
    assert [i["strategy"] for i in drop] == ["support_self_efficacy"]
    for iv in lapse + drop:
        assert iv["why"]
        assert iv["explanation"], iv
        assert all(c["held"] for c in iv["explanation"])


def test_should_goal_client_gets_ownership_and_goal_change_interventions() -> None:
    by_type = _by_type("should-goal-client.jsonl")
    assert [i["rule"] for i in by_type["goal_set"]] == ["goal-set-should"]
    assert [i["rule"] for i in by_type["goal_changed"]] == ["goal-changed"]
    assert "emphasizing_autonomy" in by_type["goal_changed"][0]["codes"]


def test_embed_example_runs(capsys) -> None:
    runpy.run_path(str(EXAMPLES / "01-embed.py"), run_name="__main__")
    out = capsys.readouterr().out
    assert "[express_empathy]" in out
    assert "why:" in out
