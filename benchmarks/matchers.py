"""Matcher throughput: events/s of the python and rete matchers beside a hand-coded baseline.

Rulesets of 10, 100 and 1000 generated rules, each a conjunction of two threshold tests on
numeric features, spread over eight event types (within durable_rules' limits: at most 64
distinct tests per event type). The baseline is the same rules written as plain Python
closures indexed by event type, the least a Python matcher could do. All three must return the
same matches; the script checks that before timing. Run:

    python benchmarks/matchers.py [--events 5000] [--repeat 3]
"""

from __future__ import annotations

import argparse
import itertools
import random
import sys
import time
from collections.abc import Callable
from typing import Any

from mirules import Engine, MatcherUnavailable
from mirules._matchers import PythonMatcher
from mirules._rete import ReteMatcher

TYPES = ("action_missed", "action_completed", "confidence_rated", "importance_rated",
         "check_in", "message", "tick", "goal_set")  # fmt: skip
FEATURES = ("missed_streak", "completed_streak", "missed_total", "completed_total",
            "missed_last_7d", "completed_last_7d")  # fmt: skip
THRESHOLDS = range(5)


def rules_for(count: int) -> list[tuple[str, tuple[str, int], tuple[str, int]]]:
    atoms = [(f, k) for f in FEATURES for k in THRESHOLDS]  # 30 distinct tests per type
    pairs = list(itertools.combinations(atoms, 2))
    random.Random(count).shuffle(pairs)
    return [(TYPES[i % len(TYPES)], *pairs[i // len(TYPES)]) for i in range(count)]


def yaml_for(rules: list[tuple[str, tuple[str, int], tuple[str, int]]]) -> str:
    lines = ['ruleset: bench\nversion: "1"\nrules:\n']
    for i, (event_type, (a, j), (b, k)) in enumerate(rules):
        lines.append(
            f"  - id: r{i}\n    on: [{event_type}]\n    when: {a} >= {j} and {b} >= {k}\n"
            "    strategy: express_empathy\n    codes: [simple_reflection]\n"
            '    say: ["It sounds like a lot."]\n    why: benchmark\n'
        )
    return "".join(lines)


def baseline_for(
    rules: list[tuple[str, tuple[str, int], tuple[str, int]]],
) -> Callable[[Any, dict[str, Any]], list[int]]:
    index: dict[str, list[tuple[int, Callable[[dict[str, Any]], bool]]]] = {}
    for i, (event_type, (a, j), (b, k)) in enumerate(rules):

        def test(f: dict[str, Any], a: str = a, j: int = j, b: str = b, k: int = k) -> bool:
            x, y = f.get(a), f.get(b)
            return x is not None and x >= j and y is not None and y >= k

        index.setdefault(event_type, []).append((i, test))

    def match(event: Any, features: dict[str, Any]) -> list[int]:
        return [i for i, test in index.get(event.type, ()) if test(features)]

    return match


def stream(engine: Engine, count: int) -> list[tuple[Any, dict[str, Any]]]:
    rng = random.Random(1)
    cases = []
    for n in range(count):
        raw = {
            "id": f"e{n}",
            "client_id": "c",
            "type": TYPES[n % len(TYPES)],
            "at": "2026-03-02T08:00:00Z",
        }
        raw.update({
            "action_missed": {"action_id": "a"}, "action_completed": {"action_id": "a"},
            "confidence_rated": {"value": 5}, "importance_rated": {"value": 5},
            "message": {"text": "ok", "talk": "neutral"}, "goal_set": {"goal_id": "g", "title": "t"},
        }.get(raw["type"], {}))  # fmt: skip
        features = {f: rng.choice([None, 0, 1, 2, 3, 4, 5, 6]) for f in FEATURES}
        cases.append((engine.parse_event(raw), features))
    return cases


def timed(
    match: Callable[[Any, dict[str, Any]], Any],
    cases: list[tuple[Any, dict[str, Any]]],
    repeat: int,
) -> float:
    best = float("inf")
    for _ in range(repeat):
        start = time.perf_counter()
        for event, features in cases:
            match(event, features)
        best = min(best, time.perf_counter() - start)
    return len(cases) / best


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=5000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    engine = Engine(rulesets=[], load_entry_points=False)
    cases = stream(engine, args.events)
    print(f"python {sys.version.split()[0]}, {args.events} events, best of {args.repeat}")
    print(
        f"{'rules':>6} {'baseline ev/s':>14} {'python ev/s':>12} {'python/base':>12} {'rete ev/s':>10} {'rete/base':>10}"
    )
    for count in (10, 100, 1000):
        rules = rules_for(count)
        ruleset = engine.load_ruleset(f"bench-{count}.yaml", text=yaml_for(rules))
        baseline = baseline_for(rules)
        python = PythonMatcher([ruleset])
        try:
            rete: ReteMatcher | None = ReteMatcher([ruleset])
        except MatcherUnavailable as exc:  # no durable_rules here: python and baseline only
            print(f"(rete skipped: {exc})")
            rete = None
        for event, features in cases[:500]:  # all three agree before anything is timed
            expected = baseline(event, features)
            assert [m.order for m in python.match(event, features)] == expected
            if rete is not None:
                assert [m.order for m in rete.match(event, features)] == expected
        base = timed(baseline, cases, args.repeat)
        py = timed(python.match, cases, args.repeat)
        line = f"{count:>6} {base:>14,.0f} {py:>12,.0f} {py / base:>12.2f}"
        if rete is not None:
            rt = timed(rete.match, cases, args.repeat)
            line += f" {rt:>10,.0f} {rt / base:>10.2f}"
            rete.close()
        print(line)


if __name__ == "__main__":
    main()
