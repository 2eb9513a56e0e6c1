from __future__ import annotations

import json
import random
from datetime import UTC, datetime, timedelta

from mirules import to_jsonable
from mirules._state import MAX_INTERVENTIONS, MAX_OUTCOMES


def test_state_stays_bounded_over_10000_events(mirules_engine) -> None:
    rng = random.Random(7)
    at = datetime(2026, 1, 1, tzinfo=UTC)
    sizes = []
    for i in range(10_000):
        at += timedelta(minutes=rng.randint(1, 600))
        kind = rng.choice(["goal_set", "goal_changed", "action_planned", "action_missed",
                           "action_completed", "confidence_rated", "message", "tick"])  # fmt: skip
        fields = {
            "goal_set": {"goal_id": f"g{i}", "title": f"goal {i}"},
            "goal_changed": {"goal_id": f"g{i - 1}", "title": "changed"},
            "action_planned": {"action_id": f"a{i}", "title": f"step {i}"},
            "action_missed": {"action_id": f"a{i - 1}"},
            "action_completed": {"action_id": f"a{i - 1}"},
            "confidence_rated": {"value": rng.randint(0, 10)},
            "message": {"text": rng.choice(["I want to", "I can't", "ok", "stop nagging me"])},
            "tick": {},
        }[kind]
        decision = mirules_engine.process(
            {
                "id": f"e{i}",
                "client_id": "c1",
                "type": kind,
                "at": at.isoformat(),
                **fields,
            }
        )
        if i % 1000 == 999:
            sizes.append(len(json.dumps(to_jsonable(decision.state))))
    state = decision.state
    assert state.events_processed == 10_000
    assert len(state.outcomes) <= MAX_OUTCOMES
    assert len(state.interventions) <= MAX_INTERVENTIONS
    assert len(state.goals) <= 20
    assert len(state.actions) <= 50
    # Bounded: the serialized state after 10,000 events is no larger than a fixed bound, and
    # stops growing after the first thousand events.
    assert max(sizes) < 60_000, sizes
    assert max(sizes[1:]) < sizes[0] * 1.5, sizes
