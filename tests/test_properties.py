"""Hypothesis properties over generated event streams (the shipped rulesets)."""

from __future__ import annotations

from datetime import timedelta

from hypothesis import given
from hypothesis import strategies as st

from mirules import Engine, EngineConfig, SelectionPolicy, from_jsonable, to_jsonable
from mirules._convert import EventSchema
from mirules._state import MAX_INTERVENTIONS, MAX_OUTCOMES, MAX_TALK
from mirules.testing import CRISIS_PHRASES, assert_decision_ok, event_streams

SCHEMA = EventSchema()


def engine(**kwargs) -> Engine:
    return Engine(load_entry_points=False, **kwargs)


def replay(stream) -> list:
    with engine() as e:
        return [e.process(event) for event in stream]


@given(event_streams(client_ids=("c1", "c2")))
def test_determinism(stream) -> None:
    first, second = replay(stream), replay(stream)
    assert first == second
    assert [to_jsonable(d) for d in first] == [to_jsonable(d) for d in second]


@given(event_streams(), st.data())
def test_idempotency(stream, data) -> None:
    with engine() as e:
        for event in stream:
            e.process(event)
        state = e.store.load("c1")
        log = e.store.interventions("c1")
        resent = data.draw(st.sampled_from(stream))
        decision = e.process(resent)
        assert decision.duplicate
        assert decision.interventions == ()
        assert e.store.load("c1") == state
        assert e.store.interventions("c1") == log


@given(event_streams(min_size=30, max_size=120, max_gap=timedelta(hours=6)))
def test_bounded_state(stream) -> None:
    decisions = replay(stream)
    state = decisions[-1].state
    assert len(state.outcomes) <= MAX_OUTCOMES
    assert len(state.talk_history) <= MAX_TALK
    assert len(state.interventions) <= MAX_INTERVENTIONS
    assert len(state.confidence_ratings) <= 2
    assert from_jsonable(to_jsonable(state), type(state)) == state


@given(event_streams(client_ids=("c1", "c2")))
def test_messages_codes_invariants_and_caps(stream) -> None:
    with engine() as e:
        for event in stream:
            decision = e.process(event)
            assert_decision_ok(e, decision, event["type"])
            for iv in decision.interventions:
                assert iv.codes
                assert "persuade" not in iv.codes
                assert "confront" not in iv.codes


@given(
    event_streams(max_gap=timedelta(hours=3)),
    st.integers(0, 4),
)
def test_cooldowns_and_fatigue_budget_respected(stream, budget) -> None:
    policy = SelectionPolicy(fatigue_budget=budget)
    with engine(config=EngineConfig(policy=policy)) as e:
        emitted = []
        for event in stream:
            emitted.extend(e.process(event).interventions)
    rules = {(r.name, rule.id): rule for r in e.rulesets for rule in r.rules}
    client = [i for i in emitted if i.audience == "client"]
    for iv in client:
        window = [o for o in client if iv.at - policy.fatigue_window < o.at <= iv.at]
        assert len(window) <= budget
    for i, iv in enumerate(emitted):
        rule = rules.get((iv.ruleset, iv.rule))
        if rule is None:
            continue
        for later in emitted[i + 1 :]:
            if (later.ruleset, later.rule, later.client_id) == (iv.ruleset, iv.rule, iv.client_id):
                assert later.at >= iv.at + rule.cooldown
                break


@given(event_streams(crisis=False), st.sampled_from(CRISIS_PHRASES), st.data())
def test_crisis_screen_always_wins(stream, phrase, data) -> None:
    index = data.draw(st.integers(0, len(stream)))
    at = stream[index - 1]["at"] if index else "2026-03-01T08:00:00Z"
    crisis = {"id": "crisis", "client_id": "c1", "type": "message", "at": at, "text": phrase}
    stream = [*stream[:index], crisis, *stream[index:]]
    with engine() as e:
        for event in stream:
            decision = e.process(event)
            if event["id"] == "crisis":
                assert [(i.audience, i.indicator) for i in decision.interventions][:1] == [
                    ("coach", "critical")
                ]
                assert all(i.audience == "coach" for i in decision.interventions)
                assert all(s.reason == "safety" for s in decision.suppressed if s.rule != "screen")
