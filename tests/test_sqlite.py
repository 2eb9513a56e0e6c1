"""SQLiteStore: one transaction per event, group commit, outbox, schema versions, concurrency."""

from __future__ import annotations

import json
import sqlite3
import threading
from datetime import UTC, datetime, timedelta

import pytest

from mirules import Engine, InvalidEvent, SQLiteStore, StoreError, hookimpl
from mirules._convert import to_jsonable


def ev(i: int, client: str = "c1", kind: str = "action_missed", **fields) -> dict:
    at = (datetime(2026, 3, 1, tzinfo=UTC) + timedelta(hours=i)).isoformat()
    base = {"id": f"e{i}", "client_id": client, "type": kind, "at": at}
    if kind in ("action_missed", "action_completed"):
        base["action_id"] = "a"
    base.update(fields)
    return base


def snapshot(path) -> dict:
    """Everything in the database, for before/after comparisons."""
    db = sqlite3.connect(path)
    try:
        return {
            table: db.execute(f"SELECT * FROM {table} ORDER BY 1, 2").fetchall()
            for table in ("clients", "events", "interventions")
        }
    finally:
        db.close()


@pytest.fixture
def db(tmp_path):
    return tmp_path / "mirules.db"


def engine_on(path, **kwargs) -> Engine:
    return Engine(store=SQLiteStore(path), load_entry_points=False, **kwargs)


def test_state_events_and_interventions_survive_reopening(db) -> None:
    with engine_on(db) as engine:
        decisions = [engine.process(ev(i)) for i in range(5)]
    with engine_on(db) as engine:
        assert engine.state("c1") == decisions[-1].state
        assert engine.store.seen("c1", "e3")
        assert engine.process(ev(3)).duplicate
        log = engine.store.interventions("c1")
        assert [iv.id for iv in log] == [iv.id for d in decisions for iv in d.interventions]
        assert log == [iv for d in decisions for iv in d.interventions]


def test_wal_and_synchronous(db) -> None:
    store = SQLiteStore(db)
    assert store._db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert store._db.execute("PRAGMA synchronous").fetchone()[0] == 2  # FULL
    store.close()
    store = SQLiteStore(db, synchronous="NORMAL")
    assert store._db.execute("PRAGMA synchronous").fetchone()[0] == 1
    store.close()
    with pytest.raises(StoreError, match="synchronous"):
        SQLiteStore(db, synchronous="OFF")  # type: ignore[arg-type]


def test_schema_is_versioned_and_newer_databases_are_refused(db) -> None:
    store = SQLiteStore(db)
    assert store.schema_version() == 1
    store.close()
    raw = sqlite3.connect(db)
    raw.execute("INSERT INTO mirules_migrations VALUES (99, 'future')")
    raw.commit()
    raw.close()
    with pytest.raises(StoreError, match="schema version 99, made by a newer mirules"):
        SQLiteStore(db)


def test_not_a_database(tmp_path) -> None:
    path = tmp_path / "junk.db"
    path.write_bytes(b"this is not sqlite" * 100)
    with pytest.raises(StoreError, match="not a mirules database|cannot open"):
        SQLiteStore(path)


class _FailingInterventionInsert:
    """The store's connection, except that inserting interventions fails like a full disk:
    the state and event rows of the same commit are already written when it fails."""

    def __init__(self, real: sqlite3.Connection) -> None:
        self.real = real

    def executemany(self, sql: str, rows):
        if sql.startswith("INSERT INTO interventions"):
            raise sqlite3.OperationalError("database or disk is full")
        return self.real.executemany(sql, rows)

    def __getattr__(self, name: str):
        return getattr(self.real, name)


@pytest.mark.parametrize("grouped", [False, True])
def test_a_failing_commit_leaves_nothing_half_written(db, grouped) -> None:
    with engine_on(db) as engine:
        engine.process(ev(0))
        before, state = snapshot(db), engine.state("c1")
        store = engine.store
        real = store._db
        store._db = _FailingInterventionInsert(real)
        try:
            if grouped:
                result = engine.process_many([ev(1), ev(2)])
                assert [f.event_id for f in result.failures] == ["e1", "e2"]
                assert all(isinstance(f.error, StoreError) for f in result.failures)
                assert "disk is full" in str(result.failures[0].error)
            else:
                with pytest.raises(StoreError, match="cannot store event 'e1'.*disk is full"):
                    engine.process(ev(1))
        finally:
            store._db = real
        assert snapshot(db) == before
        assert engine.state("c1") == state  # no uncommitted state left in the cache
        assert not engine.store.seen("c1", "e1")
        assert engine.process(ev(1)).interventions  # and the event can be processed after all


def test_group_commit_rolls_back_only_the_failing_event(db) -> None:
    with engine_on(db) as engine:
        events = [
            ev(0),
            ev(1),
            {**ev(2), "action_id": 5},
            ev(3),
            ev(4, kind="confidence_rated", value=42),
            ev(5),
        ]
        result = engine.process_many(events, batch_size=4)
        assert [d.event_id for d in result.decisions] == ["e0", "e1", "e3", "e5"]
        assert [(f.index, f.event_id) for f in result.failures] == [(2, "e2"), (4, "e4")]
        assert all(isinstance(f.error, InvalidEvent) for f in result.failures)
        assert engine.store.events_processed() == 4
        assert not engine.store.seen("c1", "e2")


def test_group_commit_stop_on_error(db) -> None:
    with engine_on(db) as engine:
        result = engine.process_many([ev(0), {**ev(1), "at": "nope"}, ev(2)], stop_on_error=True)
        assert [d.event_id for d in result.decisions] == ["e0"]
        assert engine.store.events_processed() == 1


def test_group_commit_equals_per_event_commit(tmp_path) -> None:
    events = [
        ev(i, client=f"c{i % 3}", kind=("action_missed", "action_completed", "tick")[i % 3])
        for i in range(60)
    ]
    with engine_on(tmp_path / "a.db") as a:
        for e in events:
            a.process(e)
    with engine_on(tmp_path / "b.db") as b:
        b.process_many(events, batch_size=7)
    assert snapshot(tmp_path / "a.db")["clients"] == snapshot(tmp_path / "b.db")["clients"]
    assert [r[1:4] for r in snapshot(tmp_path / "a.db")["interventions"]] == [
        r[1:4] for r in snapshot(tmp_path / "b.db")["interventions"]
    ]


def test_outbox_pending_and_delivered(db) -> None:
    with engine_on(db) as engine:
        for i in range(4):
            engine.process(ev(i * 30))
        pending = engine.pending_interventions()
        assert len(pending) >= 2
        assert engine.mark_delivered([pending[0].id, "nope"]) == 1
        assert [iv.id for iv in engine.pending_interventions()] == [iv.id for iv in pending[1:]]
        assert engine.mark_delivered([pending[0].id]) == 0  # already delivered
        assert len(engine.pending_interventions(limit=1)) == 1


def test_a_raising_delivery_plugin_never_loses_the_intervention(db) -> None:
    class Delivery:
        @hookimpl
        def mirules_on_decision(self, decision):
            raise ConnectionError("push service down")

    with Engine(store=SQLiteStore(db), plugins=[Delivery()], load_entry_points=False) as engine:
        decision = engine.process(ev(0))
        assert decision.interventions
        assert [iv.id for iv in engine.pending_interventions()] == [
            iv.id for iv in decision.interventions
        ]
    with engine_on(db) as engine:  # still pending after a restart
        assert [iv.id for iv in engine.pending_interventions()] == [
            iv.id for iv in decision.interventions
        ]


@pytest.mark.parametrize("shared_store", [True, False])
def test_two_threads_on_one_client_never_lose_an_update(tmp_path, shared_store: bool) -> None:
    path = tmp_path / "conc.db"
    stores = [SQLiteStore(path)] * 2 if shared_store else [SQLiteStore(path), SQLiteStore(path)]
    engines = [Engine(store=store, load_entry_points=False) for store in stores]
    errors: list[BaseException] = []

    def work(worker: int) -> None:
        try:
            for i in range(150):
                engines[worker].process(ev(1000 * worker + i, kind="tick"))
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)

    threads = [threading.Thread(target=work, args=(w,)) for w in (0, 1)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    state = engines[0].state("c1")
    assert state is not None
    assert state.events_processed == 300  # every event folded into the one state
    assert engines[0].store.events_processed() == 300
    for engine in engines:
        engine.close()


def test_memory_and_sqlite_stores_decide_alike(db) -> None:
    events = [ev(i, client=f"c{i % 2}") for i in range(20)]
    with Engine(load_entry_points=False) as memory, engine_on(db) as sqlite:
        for e in events:
            assert to_jsonable(memory.process(e)) == to_jsonable(sqlite.process(e))
        assert json.dumps(to_jsonable(memory.pending_interventions())) == json.dumps(
            to_jsonable(sqlite.pending_interventions())
        )


def test_a_busy_database_is_a_store_error_and_the_event_can_be_retried(db) -> None:
    with Engine(store=SQLiteStore(db, timeout=0.05), load_entry_points=False) as engine:
        engine.process(ev(0))
        before = snapshot(db)
        other = sqlite3.connect(db, isolation_level=None)
        other.execute("BEGIN IMMEDIATE")  # another writer holds the write lock
        try:
            with pytest.raises(StoreError, match=r"mirules\.db: BEGIN failed: database is locked"):
                engine.process(ev(1))
        finally:
            other.execute("ROLLBACK")
            other.close()
        assert snapshot(db) == before
        assert not engine.process(ev(1)).duplicate


def test_another_connections_commit_is_seen_through_the_cache(db) -> None:
    """The parsed-state cache stays valid only while no other connection writes."""
    with engine_on(db) as first, engine_on(db) as second:
        first.process(ev(0))
        assert second.process(ev(1)).state.events_processed == 2
        assert first.state("c1").events_processed == 2  # not the cached state of one event
        assert first.process(ev(2)).state.events_processed == 3


def test_an_unreadable_stored_state_is_a_store_error_naming_the_client(db) -> None:
    with engine_on(db) as engine:
        engine.process(ev(0))
    raw = sqlite3.connect(db)
    raw.execute("UPDATE clients SET state = ? WHERE client_id = 'c1'", ('{"client_id": 5}',))
    raw.commit()
    raw.close()
    with engine_on(db) as engine:
        with pytest.raises(StoreError, match=r"stored state of 'c1' is unreadable.*client_id"):
            engine.process(ev(1))
        assert not engine.store.seen("c1", "e1")


class _FailingFirstCommit:
    """The store's connection, except that its first COMMIT fails like a full disk."""

    def __init__(self, real: sqlite3.Connection) -> None:
        self.real, self.failed = real, False

    def execute(self, sql: str, *args):
        if sql == "COMMIT" and not self.failed:
            self.failed = True
            raise sqlite3.OperationalError("database or disk is full")
        return self.real.execute(sql, *args)

    def __getattr__(self, name: str):
        return getattr(self.real, name)


def test_a_failed_batch_commit_reports_its_events_and_the_next_batch_goes_on(db) -> None:
    with engine_on(db) as engine:
        engine.process(ev(0))
        store = engine.store
        real = store._db
        store._db = _FailingFirstCommit(real)
        try:
            result = engine.process_many([ev(0), ev(1), ev(2), ev(3), ev(4)], batch_size=3)
        finally:
            store._db = real
        # e0 was already stored: a duplicate needs no write, so the failed COMMIT costs it nothing.
        assert [d.event_id for d in result.decisions] == ["e0", "e3", "e4"]
        assert [(f.index, f.event_id) for f in result.failures] == [(1, "e1"), (2, "e2")]
        assert all(
            "COMMIT failed: database or disk is full" in str(f.error) for f in result.failures
        )
        # e3 was decided on the stored state (one event), not on the rolled-back e1 and e2.
        assert result.decisions[1].state.events_processed == 2
        assert [row[2] for row in snapshot(db)["events"]] == ["e0", "e3", "e4"]
        assert engine.process_many([ev(1), ev(2)]).failures == ()
