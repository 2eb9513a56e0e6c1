"""Synthetic client journeys for ``mirules simulate``: deterministic for a given seed.

Each persona is a small generative model of a client over four weeks. The point is to
exercise rulesets at scale and measure what they emit (strategies, processes, fidelity,
suppressions, budget use), not to model real clients.
"""

from __future__ import annotations

import random
from collections import Counter
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import attrs

from ._engine import Engine
from ._fidelity import Fidelity
from ._model import Decision

PERSONAS: tuple[str, ...] = (
    "steady", "lapsing", "low_confidence", "should_goal", "discordant", "crisis_once",
)  # fmt: skip
DAYS = 28
START = datetime(2026, 3, 2, 7, 0, tzinfo=UTC)

ACTIONS = ("a 20-minute walk", "a short stretch routine", "a bike ride to work",
           "a swim at the pool", "a yoga class", "ten minutes of strength exercises")  # fmt: skip
GOALS = ("be more active", "walk every day", "get fit for a 5k", "move more at work")
MESSAGES = {
    "change": ("I want to feel fitter this summer.", "I can manage a short walk tomorrow.",
               "It would help me sleep better.", "I'm going to try again on Monday.",
               "I've started walking to the shop instead of driving."),
    "sustain": ("I can't find the time this week.", "Honestly it's too hard right now.",
                "I don't want to give up my evenings.", "There's no point, nothing changes."),
    "discord": ("Stop nagging me.", "You don't get it.", "These messages are so annoying.",
                "Leave me alone, I know what I'm doing."),
    "neutral": ("Ok.", "It rained all day.", "Thanks.", "Busy week at work."),
}  # fmt: skip
CRISIS = ("I don't want to be alive anymore.", "I've been hurting myself again.",
          "Sometimes I think everyone would be better off without me.")  # fmt: skip

# persona -> (completion probability, confidence range, importance range, talk weights)
PROFILES: dict[str, tuple[float, tuple[int, int], tuple[int, int], dict[str, int]]] = {
    "steady": (0.85, (6, 9), (7, 10), {"change": 5, "neutral": 3, "sustain": 1}),
    "lapsing": (0.35, (3, 7), (5, 8), {"change": 2, "neutral": 3, "sustain": 3}),
    "low_confidence": (0.45, (1, 4), (6, 9), {"change": 2, "neutral": 2, "sustain": 4}),
    "should_goal": (0.4, (4, 7), (1, 4), {"change": 1, "neutral": 3, "sustain": 4}),
    "discordant": (0.5, (4, 7), (3, 7), {"discord": 4, "neutral": 2, "sustain": 2}),
    "crisis_once": (0.4, (2, 5), (4, 8), {"change": 1, "neutral": 3, "sustain": 3}),
}


def journey(persona: str, client_id: str, rng: random.Random) -> list[dict[str, Any]]:
    """One client's events, in time order."""
    if persona not in PROFILES:
        raise ValueError(f"unknown persona {persona!r}; choose from {', '.join(PERSONAS)}")
    complete_p, confidence, importance, talk_weights = PROFILES[persona]
    events: list[dict[str, Any]] = []
    counter = iter(range(1_000_000))

    def add(event_type: str, at: datetime, **fields: Any) -> None:
        stamp = at.isoformat().replace("+00:00", "Z")
        event_id = f"{client_id}-{next(counter)}"
        events.append({"id": event_id, "client_id": client_id, "type": event_type, "at": stamp})
        events[-1].update(fields)

    origin = "should" if persona == "should_goal" else rng.choice(["own", "own", "unknown"])
    add("goal_set", START, goal_id="g1", title=rng.choice(GOALS), origin=origin)
    add(
        "importance_rated",
        START + timedelta(minutes=5),
        value=rng.randint(*importance),
        goal_id="g1",
    )
    add(
        "confidence_rated",
        START + timedelta(minutes=6),
        value=rng.randint(*confidence),
        goal_id="g1",
    )
    silent = set(range(10, 16)) if persona == "lapsing" and rng.random() < 0.6 else set()
    crisis_day = rng.randint(3, DAYS - 3) if persona == "crisis_once" else -1
    talks = list(talk_weights)
    weights = [talk_weights[t] for t in talks]
    for day in range(DAYS):
        morning = START + timedelta(days=day, hours=1, minutes=rng.randint(0, 59))
        if day in silent:
            add("tick", START + timedelta(days=day, hours=13))
            continue
        if rng.random() < 0.8:
            action_id = f"a{day}"
            add(
                "action_planned",
                morning,
                action_id=action_id,
                title=rng.choice(ACTIONS),
                goal_id="g1",
            )
            outcome_at = morning + timedelta(hours=rng.randint(4, 12))
            if rng.random() < complete_p:
                add("action_completed", outcome_at, action_id=action_id, goal_id="g1")
            else:
                add("action_missed", outcome_at, action_id=action_id, goal_id="g1")
        if day % 7 == 6:
            add("confidence_rated", morning + timedelta(hours=13), value=rng.randint(*confidence))
            add(
                "importance_rated",
                morning + timedelta(hours=13, minutes=1),
                value=rng.randint(*importance),
            )
        if rng.random() < 0.35:
            talk = rng.choices(talks, weights)[0]
            add("message", morning + timedelta(hours=14), text=rng.choice(MESSAGES[talk]))
        if day == crisis_day:
            add("message", morning + timedelta(hours=15), text=rng.choice(CRISIS))
        if persona == "should_goal" and day == 10:
            add("goal_changed", morning + timedelta(hours=16), goal_id="g1",
                title="walk with a friend twice a week", reason="this one is mine")  # fmt: skip
        if persona in ("lapsing", "discordant") and day == 20 and rng.random() < 0.3:
            add("goal_abandoned", morning + timedelta(hours=16), goal_id="g1", reason="not now")
        add("tick", START + timedelta(days=day, hours=13))
    events.sort(key=lambda e: e["at"])
    return events


@attrs.frozen
class SimulationReport:
    clients: int
    events: int
    personas: Counter[str]
    strategies: Counter[str]
    processes: Counter[str]
    audiences: Counter[str]
    suppressed: Counter[str]
    fidelity: Fidelity
    client_facing_per_client_day: float
    budget_use: float
    escalations: int


def persona_of(index: int) -> str:
    return PERSONAS[index % len(PERSONAS)]


def mixed_journeys(clients: int) -> list[dict[str, Any]]:
    """The journeys of clients ``c0`` .. ``c{clients-1}`` (personas in turn, client ``i``
    seeded with ``i``) merged in time order: a deterministic many-client stream."""
    events: list[dict[str, Any]] = []
    for index in range(clients):
        events += journey(persona_of(index), f"c{index}", random.Random(index))
    events.sort(key=lambda e: (e["at"], e["id"]))
    return events


def simulate(
    engine: Engine, clients: int, seed: int, *, progress: Callable[[int], None] | None = None
) -> SimulationReport:
    """Run ``clients`` synthetic journeys through ``engine`` and summarise what it emitted."""
    personas: Counter[str] = Counter()
    strategies: Counter[str] = Counter()
    processes: Counter[str] = Counter()
    audiences: Counter[str] = Counter()
    suppressed: Counter[str] = Counter()
    fidelity = Fidelity()
    events = escalations = 0
    for index in range(clients):
        persona = persona_of(index)
        personas[persona] += 1
        rng = random.Random(f"{seed}:{index}")
        for decision in _run(engine, journey(persona, f"sim-{seed}-{index}", rng)):
            events += 1
            for iv in decision.interventions:
                strategies[iv.strategy] += 1
                processes[iv.process] += 1
                audiences[iv.audience] += 1
                escalations += iv.ruleset == "safety"
            for sup in decision.suppressed:
                suppressed[sup.reason] += 1
            fidelity += Fidelity.of(decision.interventions)
        if progress is not None:
            progress(1)
    client_days = max(clients * DAYS, 1)
    per_day = audiences["client"] / client_days
    budget = engine.config.policy.fatigue_budget
    return SimulationReport(
        clients, events, personas, strategies, processes, audiences, suppressed, fidelity,
        per_day, (100.0 * per_day / budget) if budget else 0.0, escalations,
    )  # fmt: skip


def _run(engine: Engine, events: list[dict[str, Any]]) -> Iterator[Decision]:
    for event in events:
        yield engine.process(event)


def format_report(report: SimulationReport, seed: int) -> str:
    personas = ", ".join(f"{p} {n}" for p, n in sorted(report.personas.items()))
    lines = [
        f"simulated {report.clients} clients ({DAYS} days each), "
        f"{report.events} events, seed {seed}",
        f"personas: {personas}",
    ]

    def table(title: str, counts: Counter[str]) -> None:
        total = sum(counts.values()) or 1
        lines.append("")
        lines.append(f"{title:<28}{'count':>8}{'share':>8}")
        for name, count in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0])):
            lines.append(f"  {name:<26}{count:>8}{100 * count / total:>7.1f}%")

    table("interventions by strategy", report.strategies)
    table("interventions by process", report.processes)
    table("interventions by audience", report.audiences)
    table("suppressed by reason", report.suppressed)
    lines.append("")
    lines.append("fidelity (client-facing): " + report.fidelity.summary())
    lines.append(
        f"budget use: {report.client_facing_per_client_day:.2f} client-facing interventions per "
        f"client-day ({report.budget_use:.0f}% of the fatigue budget)"
    )
    lines.append(f"safety escalations: {report.escalations}")
    return "\n".join(lines)
