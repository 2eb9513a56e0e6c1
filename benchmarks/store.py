"""SQLite pipeline throughput beside a raw SQLite insert+commit loop with the same batching.

Both write to files in the same temporary directory with WAL and synchronous=FULL (the
store's default). The raw loop writes what the store writes per event, with no engine: one
upserted state row (the same JSON the pipeline stored), one event row and the event's
intervention rows, committed per event or per batch. Run:

    python benchmarks/store.py [--events 3000] [--batch 100]
"""

from __future__ import annotations

import argparse
import random
import sqlite3
import sys
import tempfile
import time
from pathlib import Path

from mirules import Engine, SQLiteStore
from mirules._simulate import PERSONAS, journey


def stream(count: int) -> list[dict]:
    events: list[dict] = []
    index = 0
    while len(events) < count:
        events += journey(PERSONAS[index % len(PERSONAS)], f"c{index}", random.Random(index))
        index += 1
    events.sort(key=lambda e: (e["at"], e["id"]))
    return events[:count]


def pipeline(path: Path, events: list[dict], batch: int | None) -> float:
    with Engine(store=SQLiteStore(path), load_entry_points=False) as engine:
        start = time.perf_counter()
        if batch is None:
            for event in events:
                engine.process(event)
        else:
            engine.process_many(events, batch_size=batch)
        elapsed = time.perf_counter() - start
    return len(events) / elapsed


def captured_rows(path: Path) -> list[tuple[str, str, str, list[tuple[str, str, str]]]]:
    """What the pipeline wrote, event by event: (client, event id, state JSON, interventions)."""
    db = sqlite3.connect(path)
    states = dict(db.execute("SELECT client_id, state FROM clients"))
    ivs: dict[tuple[str, str], list[tuple[str, str, str]]] = {}
    for iv_id, client, event, body in db.execute(
        "SELECT id, client_id, event_id, body FROM interventions"
    ):
        ivs.setdefault((client, event), []).append((iv_id, event, body))
    rows = [
        (c, e, states[c], ivs.get((c, e), []))
        for c, e in db.execute("SELECT client_id, event_id FROM events ORDER BY seq")
    ]
    db.close()
    return rows


def raw(path: Path, rows: list, batch: int | None) -> float:
    db = sqlite3.connect(path, isolation_level=None)
    db.execute("PRAGMA journal_mode=WAL")
    db.execute("PRAGMA synchronous=FULL")
    db.executescript(
        "CREATE TABLE clients (client_id TEXT PRIMARY KEY, state TEXT NOT NULL, version INTEGER NOT NULL);"
        "CREATE TABLE events (seq INTEGER PRIMARY KEY AUTOINCREMENT, client_id TEXT, event_id TEXT, UNIQUE (client_id, event_id));"
        "CREATE TABLE interventions (seq INTEGER PRIMARY KEY AUTOINCREMENT, id TEXT UNIQUE, client_id TEXT, event_id TEXT, body TEXT,"
        " status TEXT DEFAULT 'pending', delivered_at TEXT);"
    )
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
    args = parser.parse_args()
    events = stream(args.events)
    with tempfile.TemporaryDirectory(dir=".") as tmp:
        folder = Path(tmp)
        per_event = pipeline(folder / "p1.db", events, None)
        grouped = pipeline(folder / "p2.db", events, args.batch)
        rows = captured_rows(folder / "p1.db")
        raw_per_event = raw(folder / "r1.db", rows, None)
        raw_grouped = raw(folder / "r2.db", rows, args.batch)
    print(
        f"python {sys.version.split()[0]}, {args.events} events, synchronous=FULL, WAL, batch {args.batch}"
    )
    print(f"{'commit':<12} {'pipeline ev/s':>14} {'raw ev/s':>10} {'ratio':>7} {'goal':>6}")
    print(
        f"{'per event':<12} {per_event:>14,.0f} {raw_per_event:>10,.0f} {per_event / raw_per_event:>7.2f} {'0.80':>6}"
    )
    print(
        f"{'group':<12} {grouped:>14,.0f} {raw_grouped:>10,.0f} {grouped / raw_grouped:>7.2f} {'0.50':>6}"
    )


if __name__ == "__main__":
    main()
