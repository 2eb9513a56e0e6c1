"""SQLite pipeline throughput beside a raw SQLite insert+commit loop with the same batching.

Both write to files in the same temporary directory with WAL and synchronous=FULL (the
store's default). The raw loop writes what the store writes per event, into the store's own
schema (tables and indexes), with no engine: one event row, one upserted state row (the same
JSON the pipeline stored) and the event's intervention rows, committed per event or per batch.

The same engine over a MemoryStore is timed too: its time per event is what evaluation alone
costs. ``ceiling`` is the ratio a store with no overhead at all beyond the raw loop would reach
(raw time / (raw time + in-memory time)): no SQLite store can beat it with this engine.
``of ceiling`` (ratio / ceiling) is then what the store's own overhead leaves of that bound.
Each figure is the best of ``--repeat`` runs. Run:

    python benchmarks/store.py [--events 3000] [--batch 100] [--repeat 3]
"""

from __future__ import annotations

import argparse
import random
import sqlite3
import sys
import tempfile
import time
from pathlib import Path

from mirules import Engine, MemoryStore, SQLiteStore
from mirules._convert import dumps
from mirules._simulate import PERSONAS, journey
from mirules._sqlite import MIGRATIONS, SCHEMA_VERSION


def stream(count: int) -> list[dict]:
    events: list[dict] = []
    index = 0
    while len(events) < count:
        events += journey(PERSONAS[index % len(PERSONAS)], f"c{index}", random.Random(index))
        index += 1
    events.sort(key=lambda e: (e["at"], e["id"]))
    return events[:count]


def pipeline(
    path: Path | None, events: list[dict], batch: int | None, writer: str = "inline"
) -> float:
    """events/s through an engine: ``batch`` None commits per event with ``Engine.process``;
    otherwise ``process_many`` with that batch size (1 is per-event commit too)."""
    store = SQLiteStore(path, writer=writer) if path is not None else MemoryStore()  # type: ignore[arg-type]
    with Engine(store=store, load_entry_points=False) as engine:
        if path is not None and writer == "process":
            engine.process_many(events[:1], batch_size=1)  # start the writer process untimed
            events = events[1:]
        start = time.perf_counter()
        if batch is None:
            for event in events:
                engine.process(event)
        else:
            result = engine.process_many(events, batch_size=batch)
            if result.failures:
                raise SystemExit(f"the pipeline failed: {result.failures[0]}")
        elapsed = time.perf_counter() - start
    return len(events) / elapsed


def stored(path: Path) -> tuple[list[tuple[str, ...]], list[tuple[str, ...]]]:
    db = sqlite3.connect(path)
    clients = db.execute("SELECT client_id, state FROM clients ORDER BY 1").fetchall()
    ivs = db.execute("SELECT id, body FROM interventions ORDER BY 1").fetchall()
    db.close()
    return clients, ivs


Row = tuple[str, str, str, list[tuple[str, str, str]]]


def captured_rows(events: list[dict], path: Path) -> list[Row]:
    """What the pipeline writes, event by event: (client, event id, state JSON, interventions).

    The database keeps only each client's latest state, so the rows are rebuilt by the same
    (deterministic) engine in memory, and checked against what the pipeline stored. Writing the
    latest state for every event instead would let SQLite skip unchanged overflow pages and
    make the raw loop unfairly fast."""
    rows: list[Row] = []
    with Engine(load_entry_points=False) as engine:
        for event in events:
            decision = engine.process(event)
            bodies = [(iv.id, iv.event_id, dumps(iv)) for iv in decision.interventions]
            rows.append((decision.client_id, decision.event_id, dumps(decision.state), bodies))
    db = sqlite3.connect(path)
    stored = dict(db.execute("SELECT client_id, state FROM clients"))
    stored_ivs = {iv for (iv,) in db.execute("SELECT body FROM interventions")}
    db.close()
    latest = {client: state for client, _, state, _ in rows}
    if stored != latest or stored_ivs != {b for *_, ivs in rows for *_, b in ivs}:
        raise SystemExit("the rebuilt rows differ from what the pipeline stored")
    return rows


def raw(path: Path, rows: list[Row], batch: int | None) -> float:
    db = sqlite3.connect(path, isolation_level=None)
    db.execute("PRAGMA journal_mode=WAL")
    db.execute("PRAGMA synchronous=FULL")
    db.executescript(MIGRATIONS[SCHEMA_VERSION])  # the store's own tables and indexes
    size = batch or 1
    start = time.perf_counter()
    for offset in range(0, len(rows), size):
        db.execute("BEGIN IMMEDIATE")
        for client, event, state, ivs in rows[offset : offset + size]:
            db.execute(
                "INSERT INTO clients VALUES (?, ?, 1) ON CONFLICT (client_id) DO UPDATE SET state = excluded.state, version = clients.version + 1",
                (client, state),
            )
            db.execute("INSERT INTO events (client_id, event_id) VALUES (?, ?)", (client, event))
            db.executemany("INSERT INTO interventions (id, client_id, event_id, body) VALUES (?, ?, ?, ?)",
                           [(i, client, e, b) for i, e, b in ivs])  # fmt: skip
        db.execute("COMMIT")
    elapsed = time.perf_counter() - start
    db.close()
    return len(rows) / elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=3000)
    parser.add_argument("--batch", type=int, default=100)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    events = stream(args.events)
    best: dict[str, float] = {}
    with tempfile.TemporaryDirectory(dir=".") as tmp:
        for run in range(args.repeat):
            folder = Path(tmp) / str(run)
            folder.mkdir()
            figures = {
                "memory": pipeline(None, events, args.batch),
                "per event": pipeline(folder / "p1.db", events, None),
                "per event, write-behind": pipeline(folder / "w1.db", events, 1, "process"),
                "group": pipeline(folder / "p2.db", events, args.batch),
                "group, write-behind": pipeline(folder / "w2.db", events, args.batch, "process"),
            }
            reference = stored(folder / "p1.db")
            for name in ("w1", "p2", "w2"):
                if stored(folder / f"{name}.db") != reference:
                    raise SystemExit(f"{name}.db differs from the per-event pipeline's database")
            rows = captured_rows(events, folder / "p1.db")
            figures["raw per event"] = raw(folder / "r1.db", rows, None)
            figures["raw group"] = raw(folder / "r2.db", rows, args.batch)
            for name, value in figures.items():
                best[name] = max(best.get(name, 0.0), value)
    print(
        f"python {sys.version.split()[0]}, {args.events} events, synchronous=FULL, WAL, "
        f"batch {args.batch}, best of {args.repeat}"
    )
    memory = best["memory"]
    print(f"in-memory pipeline (evaluation only): {memory:,.0f} ev/s")
    print(
        f"{'commit':<24} {'pipeline ev/s':>14} {'raw ev/s':>9} {'ratio':>6} {'goal':>5} "
        f"{'ceiling':>8} {'of ceiling':>10}"
    )
    for name, goal in (
        ("per event", 0.8),
        ("per event, write-behind", 0.8),
        ("group", 0.5),
        ("group, write-behind", 0.5),
    ):
        pipe, base = best[name], best[f"raw {name.split(',')[0]}"]
        if "write-behind" in name:  # evaluation and commits overlap: the slower one bounds
            ceiling = min(1.0, memory / base)
        else:  # one after the other
            ceiling = (1 / base) / (1 / base + 1 / memory)
        print(
            f"{name:<24} {pipe:>14,.0f} {base:>9,.0f} {pipe / base:>6.2f} {goal:>5.2f} "
            f"{ceiling:>8.2f} {pipe / base / ceiling:>10.2f}"
        )


if __name__ == "__main__":
    main()
