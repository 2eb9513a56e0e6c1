from __future__ import annotations

import json

from mirules import ClientState, Decision, Intervention, from_jsonable, to_jsonable


def _roundtrip(value: object, cls: type) -> object:
    return from_jsonable(json.loads(json.dumps(to_jsonable(value))), cls)


def test_state_intervention_decision_roundtrip_through_json(mirules_engine, event) -> None:
    stream = [
        event("goal_set", "2026-03-01T08:00:00Z", goal_id="g", title="walk", origin="should"),
        event("action_planned", "2026-03-01T09:00:00Z", action_id="a", title="a walk", goal_id="g"),
        event("action_completed", "2026-03-02T09:00:00Z", action_id="a"),
        event("action_missed", "2026-03-04T09:00:00Z", action_id="a"),
        event("confidence_rated", "2026-03-04T10:00:00Z", value=7),
        event("confidence_rated", "2026-03-04T11:00:00Z", value=3),
        event("message", "2026-03-04T12:00:00Z", text="Stop nagging me"),
    ]
    decisions = [mirules_engine.process(e) for e in stream]
    emitted = [d for d in decisions if d.interventions]
    assert emitted, "the stream should produce interventions to round-trip"
    for decision in decisions:
        assert _roundtrip(decision, Decision) == decision
        assert _roundtrip(decision.state, ClientState) == decision.state
        for iv in decision.interventions:
            assert _roundtrip(iv, Intervention) == iv
    final = decisions[-1].state
    assert final.rule_memory, "rule memory must survive the round trip"
    assert final.goals[0].origin == "should"


def test_json_form_uses_rfc3339(mirules_engine, event) -> None:
    decision = mirules_engine.process(
        event("action_missed", "2026-03-02T08:00:00+01:00", action_id="a")
    )
    data = to_jsonable(decision)
    assert data["interventions"][0]["at"] == "2026-03-02T08:00:00+01:00"
    card = decision.interventions[0].to_card()
    assert card["indicator"] == "info"
    assert card["source"]["label"].startswith("mirules core-mi")
    assert card["summary"] == decision.interventions[0].message
