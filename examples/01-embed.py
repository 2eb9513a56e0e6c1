"""Embed mirules in ten lines: send events, read explained interventions.

Run: python examples/01-embed.py
"""

from mirules import Engine

events = [
    {"id": "e1", "client_id": "c1", "type": "action_planned", "at": "2026-03-02T08:00:00Z",
     "action_id": "walk", "title": "a 20-minute walk"},
    {"id": "e2", "client_id": "c1", "type": "action_missed", "at": "2026-03-03T08:00:00Z",
     "action_id": "walk"},
]  # fmt: skip

with Engine.default() as engine:
    for event in events:
        decision = engine.process(event)
        for intervention in decision.interventions:
            print(f"[{intervention.strategy}] {intervention.message}")
            print(f"  why: {intervention.reason()}")
