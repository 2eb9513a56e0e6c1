from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

import mirules
from conftest import MISS
from mirules import (
    ActionMissed,
    ClientState,
    Engine,
    EngineConfig,
    InvalidEvent,
    MatcherUnavailable,
    MemoryStore,
    hookimpl,
)


def test_public_api_is_listed() -> None:
    for name in mirules.__all__:
        assert hasattr(mirules, name), name
    assert "Engine" in mirules.__all__


def test_default_engine_loads_shipped_rulesets(mirules_engine) -> None:
    assert "core-mi" in [r.name for r in mirules_engine.rulesets]
    assert isinstance(mirules_engine.store, MemoryStore)


def test_process_accepts_dict_json_and_event(engine_factory) -> None:
    import json

    event = ActionMissed(
        id="e1", client_id="c1", at=datetime(2026, 3, 2, 8, tzinfo=UTC), action_id="a"
    )
    results = []
    for raw in (MISS, json.dumps(MISS), json.dumps(MISS).encode(), event):
        results.append(engine_factory().process(raw))
    assert all(r.interventions == results[0].interventions for r in results)
    assert results[0].interventions[0].rule == "lapse-first-miss"


def test_idempotent_on_client_and_event_id(mirules_engine) -> None:
    first = mirules_engine.process(MISS)
    again = mirules_engine.process(MISS)
    assert again.duplicate
    assert again.interventions == ()
    assert again.state == first.state
    assert len(mirules_engine.store.interventions("c1")) == 1
    other = mirules_engine.process({**MISS, "client_id": "c2"})
    assert not other.duplicate  # same id, different client


def test_evaluate_is_pure(mirules_engine) -> None:
    state = ClientState.empty("c1")
    a = mirules_engine.evaluate(state, MISS)
    b = mirules_engine.evaluate(state, MISS)
    assert a == b
    assert mirules_engine.store.load("c1") is None
    assert not mirules_engine.store.seen("c1", "e1")


def test_invalid_event_stores_nothing(mirules_engine) -> None:
    with pytest.raises(InvalidEvent, match="action_id: must be a string, got null"):
        mirules_engine.process({**MISS, "action_id": None})
    bad = dict(MISS)
    del bad["action_id"]
    with pytest.raises(InvalidEvent, match="action_id: required field is missing"):
        mirules_engine.process(bad)
    assert mirules_engine.store.load("c1") is None


def test_state_for_another_client_is_refused(mirules_engine) -> None:
    with pytest.raises(InvalidEvent, match="client_id"):
        mirules_engine.evaluate(ClientState.empty("c2"), MISS)


def test_decisions_depend_on_event_time_not_wall_clock(engine_factory, monkeypatch) -> None:
    first = engine_factory().process(MISS)
    import time

    monkeypatch.setattr(time, "time", lambda: 0.0)
    second = engine_factory().process(MISS)
    assert first == second


def test_backwards_timestamps_are_refused_when_configured(engine_factory) -> None:
    engine = engine_factory(config=EngineConfig(max_backwards=timedelta(hours=1)))
    engine.process(MISS)
    engine.process({**MISS, "id": "e2", "at": "2026-03-02T07:30:00Z"})
    with pytest.raises(InvalidEvent, match="at: .*earlier than the client's latest event"):
        engine.process({**MISS, "id": "e3", "at": "2026-03-02T06:00:00Z"})


def test_close_and_context_manager() -> None:
    with Engine.default(load_entry_points=False) as engine:
        engine.process(MISS)
    with pytest.raises(RuntimeError, match="closed"):
        engine.process(MISS)
    engine.close()  # twice is fine


def test_each_engine_owns_its_plugins_and_store(engine_factory) -> None:
    class Hook:
        calls = 0

        @hookimpl
        def mirules_on_decision(self, decision):
            Hook.calls += 1

    a = engine_factory(plugins=[Hook()])
    b = engine_factory()
    assert a._plugins.pm is not b._plugins.pm
    a.process(MISS)
    b.process(MISS)
    assert Hook.calls == 1
    assert a.store is not b.store


def test_failing_notifier_never_undoes_the_commit(engine_factory) -> None:
    from structlog.testing import capture_logs

    class Broken:
        @hookimpl
        def mirules_on_decision(self, decision):
            raise RuntimeError("delivery down")

    seen = []

    class Audit:
        @hookimpl
        def mirules_on_decision(self, decision):
            seen.append(decision.event_id)

    engine = engine_factory(plugins=[Broken(), Audit()])
    with capture_logs() as logs:
        decision = engine.process(MISS)
    assert decision.interventions
    assert engine.store.seen("c1", "e1")
    assert seen == ["e1"]
    assert any("mirules_on_decision failed" in entry["event"] for entry in logs)


def test_unknown_matcher(engine_factory) -> None:
    with pytest.raises(MatcherUnavailable, match="unknown matcher"):
        engine_factory(matcher="magic")


def test_explain_lists_rules_that_did_not_match(mirules_engine) -> None:
    rows = mirules_engine.explain(None, MISS)
    by_rule = {rule.id: held for _, rule, held, _ in rows}
    assert by_rule["lapse-first-miss"] is True
    assert by_rule["lapse-repeated-revisit-plan"] is False
