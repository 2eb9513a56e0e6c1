"""Write-behind: SQLiteStore(writer="process") gives the same results as the inline store, and
stays correct when another writer, a broken row or a dead writer process gets in the way."""

from __future__ import annotations

import io
import json
import os
import signal
import sqlite3
import sys
import threading
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conftest import stored_rows
from mirules import Engine, SQLiteStore, StoreError, hookimpl
from mirules._pipeline import Pipeline, WriterProcess
from mirules._simulate import mixed_journeys
from mirules.testing import event_streams


def engine_on(path: Path, writer: str = "process", **kwargs) -> Engine:
    return Engine(store=SQLiteStore(path, writer=writer), load_entry_points=False, **kwargs)  # type: ignore[arg-type]


def run(path: Path, events: list, writer: str, batch_size: int, **kwargs):
    with engine_on(path, writer) as engine:
        return engine.process_many(events, batch_size=batch_size, **kwargs)


@pytest.fixture(scope="module")
def events() -> list[dict]:
    return mixed_journeys(12)


@pytest.fixture
def resets(monkeypatch) -> list[int]:
    """Counts the pipeline's fall-backs to the inline path (one per failed batch)."""
    calls: list[int] = []
    real = Pipeline.reset

    def reset(self) -> None:
        calls.append(1)
        real(self)

    monkeypatch.setattr(Pipeline, "reset", reset)
    return calls


@pytest.mark.parametrize("batch_size", [1, 7, 100])
def test_same_decisions_and_database_as_the_inline_store(
    tmp_path, events, batch_size, resets, monkeypatch
) -> None:
    inline = run(tmp_path / "inline.db", events, "inline", batch_size)
    sent: list[int] = []
    real_send = WriterProcess.send

    def send(self, message) -> None:
        if message[0] == "batch":
            sent.append(len(message[2]))  # events in this transaction
        real_send(self, message)

    monkeypatch.setattr(WriterProcess, "send", send)
    behind = run(tmp_path / "behind.db", events, "process", batch_size)
    assert sum(sent) == len(events)  # no duplicates in the stream: every event is written
    assert max(sent) == batch_size  # one transaction per batch: per event when batch_size is 1
    assert inline.failures == behind.failures == ()
    assert behind.decisions == inline.decisions
    assert stored_rows(tmp_path / "behind.db") == stored_rows(tmp_path / "inline.db")
    assert resets == []  # all of it went through the writer process


def test_notifications_follow_the_commit(tmp_path, events) -> None:
    """A delivery plugin is told of a decision only once its batch is durable."""
    path = tmp_path / "m.db"
    seen_stored: list[bool] = []

    class Delivery:
        @hookimpl
        def mirules_on_decision(self, decision) -> None:
            reader = sqlite3.connect(path)
            row = reader.execute(
                "SELECT 1 FROM events WHERE client_id = ? AND event_id = ?",
                (decision.client_id, decision.event_id),
            ).fetchone()
            reader.close()
            seen_stored.append(row is not None)

    with engine_on(path, plugins=[Delivery()]) as engine:
        engine.process_many(events[:200], batch_size=1)
    assert len(seen_stored) == 200
    assert all(seen_stored)


def test_duplicates_before_and_within_the_run_are_not_stored_twice(
    tmp_path, events, resets
) -> None:
    path = tmp_path / "d.db"
    with engine_on(path, "inline") as engine:
        engine.process_many(events[:150])  # a replay that stopped at 150
    again = events[:300] + events[100:110] + [events[299]] * 3  # resumed, with repeats
    with engine_on(path) as engine:
        result = engine.process_many(again, batch_size=5)
    assert result.failures == ()
    duplicate = [d.duplicate for d in result.decisions]
    assert duplicate == [True] * 150 + [False] * 150 + [True] * 13
    run(tmp_path / "ref.db", events[:300], "inline", 100)
    assert stored_rows(path) == stored_rows(tmp_path / "ref.db")
    assert resets == []  # the repeats were recognised before they reached the writer


def test_bad_events_are_reported_in_place_and_stop_on_error_keeps_what_came_before(
    tmp_path, events
) -> None:
    mixed = [*events[:40], {"id": "x", "type": "nope"}, *events[40:80], "{not json"]
    result = run(tmp_path / "b.db", mixed, "process", 3)
    assert [(f.index, f.event_id) for f in result.failures] == [(40, "x"), (81, None)]
    assert len(result.decisions) == 80
    stopped = run(tmp_path / "s.db", mixed, "process", 3, stop_on_error=True)
    assert [f.index for f in stopped.failures] == [40]
    assert len(stopped.decisions) == 40
    assert len(stored_rows(tmp_path / "s.db")["events"]) == 40


def test_another_writer_mid_run_is_a_conflict_not_a_lost_update(tmp_path, events, resets) -> None:
    """A second connection processes an extra event for c0 while the pipeline runs: the
    pipeline's next write of c0 is refused and c0's later events are decided again on the
    state that includes the extra event."""
    path = tmp_path / "c.db"
    extra = {**next(e for e in events if e["client_id"] == "c0"), "id": "extra-by-other"}
    calls = {"n": 0}
    with engine_on(path) as engine, engine_on(path, "inline") as other:
        real = engine.evaluate

        def evaluate(state, raw):
            calls["n"] += 1
            if calls["n"] == 60:
                assert not other.process(extra).duplicate
            return real(state, raw)

        engine.evaluate = evaluate  # type: ignore[method-assign]
        result = engine.process_many(events, batch_size=4)
        assert result.failures == ()
        c0_events = sum(1 for e in events if e["client_id"] == "c0")
        assert engine.state("c0").events_processed == c0_events + 1
    stored = stored_rows(path)
    assert len(stored["events"]) == len(events) + 1
    assert ("c0", "extra-by-other") in stored["events"]
    assert resets == [1]


@pytest.mark.parametrize("reaped", [False, True])  # True: the next send meets a closed pipe
def test_a_dead_writer_process_loses_nothing_and_is_replaced(
    tmp_path, events, resets, reaped
) -> None:
    path = tmp_path / "k.db"
    calls = {"n": 0}
    with engine_on(path) as engine:
        store = engine.store
        real = engine.evaluate

        def evaluate(state, raw):
            calls["n"] += 1
            if calls["n"] == 100:
                proc = store._writer_process._proc
                os.kill(proc.pid, signal.SIGKILL)
                if reaped:
                    proc.wait()
            return real(state, raw)

        engine.evaluate = evaluate  # type: ignore[method-assign]
        result = engine.process_many(events[:300], batch_size=2)
        assert result.failures == ()
        # Events the writer committed but could not confirm before it died come back as
        # duplicates when decided again; none is lost or applied twice (compared below).
        assert [d.event_id for d in result.decisions] == [e["id"] for e in events[:300]]
        engine.evaluate = real  # type: ignore[method-assign]
        assert engine.process_many(events[300:], batch_size=2).failures == ()  # a new writer
    run(tmp_path / "ref.db", events, "inline", 2)
    assert stored_rows(path) == stored_rows(tmp_path / "ref.db")
    assert resets == [1]


def test_a_failing_write_is_reported_for_its_event_only(tmp_path, events, resets) -> None:
    """A trigger refuses one event's row: the writer's batch fails, the events are decided
    again inline, and only that event is reported."""
    bad = events[57]
    paths = {}
    for writer in ("inline", "process"):
        paths[writer] = path = tmp_path / f"{writer}.db"
        SQLiteStore(path).close()
        db = sqlite3.connect(path)
        assert "'" not in bad["id"]
        db.execute(
            f"CREATE TRIGGER refuse BEFORE INSERT ON events WHEN NEW.event_id = '{bad['id']}' "
            "BEGIN SELECT RAISE(ABORT, 'refused by a trigger'); END"
        )
        db.close()
        result = run(path, events, writer, 10)
        assert [(f.index, f.event_id) for f in result.failures] == [(57, bad["id"])]
        assert isinstance(result.failures[0].error, StoreError)
        assert "refused by a trigger" in str(result.failures[0].error)
    assert stored_rows(paths["process"]) == stored_rows(paths["inline"])
    assert resets == [1]


def test_writer_option_is_checked(tmp_path) -> None:
    with pytest.raises(StoreError, match="writer must be 'inline' or 'process'"):
        SQLiteStore(tmp_path / "x.db", writer="thread")  # type: ignore[arg-type]


def test_closing_the_store_stops_the_writer_process(tmp_path, events) -> None:
    with engine_on(tmp_path / "z.db") as engine:
        engine.process_many(events[:10])
        proc = engine.store._writer_process._proc
        assert proc.poll() is None
    assert proc.poll() == 0


@pytest.mark.parametrize("shared_store", [True, False])
def test_write_behind_beside_another_thread_never_loses_an_update(tmp_path, shared_store) -> None:
    """One thread feeds one client through the writer process in small process_many calls while
    another thread processes events of the same client inline, on the same store or another
    store on the file: every event of both is folded into the one state."""
    path = tmp_path / "t.db"
    behind = SQLiteStore(path, writer="process")
    inline = behind if shared_store else SQLiteStore(path)
    engines = [
        Engine(store=behind, load_entry_points=False),
        Engine(store=inline, load_entry_points=False),
    ]

    def tick(i: int) -> dict:
        at = f"2026-03-01T{i // 3600:02d}:{i // 60 % 60:02d}:{i % 60:02d}Z"
        return {"id": f"t{i}", "client_id": "c1", "type": "tick", "at": at}

    errors: list[BaseException] = []

    def pipelined() -> None:
        try:
            for start in range(0, 200, 10):
                result = engines[0].process_many(
                    [tick(i) for i in range(start, start + 10)], batch_size=2
                )
                assert result.failures == ()
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)

    def one_by_one() -> None:
        try:
            for i in range(1000, 1100):
                engines[1].process(tick(i))
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)

    threads = [threading.Thread(target=pipelined), threading.Thread(target=one_by_one)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    try:
        assert errors == []
        stored = stored_rows(path)
        assert len(stored["events"]) == 300
        (state,) = [json.loads(row[1]) for row in stored["clients"]]
        assert state["events_processed"] == 300  # as stored
        assert engines[1].state("c1").events_processed == 300  # as the store's cache has it
    finally:
        for engine in engines:
            engine.close()


def test_a_writer_process_that_cannot_start_is_a_store_error(tmp_path, events, monkeypatch) -> None:
    with engine_on(tmp_path / "r.db") as engine:
        monkeypatch.setattr(sys, "executable", "/bin/false")  # exits at once, says nothing
        with pytest.raises(StoreError, match=r"r\.db: the writer process did not start$"):
            engine.process_many(events[:3])
        monkeypatch.undo()
        assert engine.process_many(events[:3]).failures == ()  # the next call starts one


def test_the_writer_says_why_it_cannot_open_the_database(tmp_path) -> None:
    import msgspec

    from mirules._writer import read_frame, serve

    out = io.BytesIO()
    serve(str(tmp_path / "missing" / "x.db"), "FULL", 1.0, io.BytesIO(), out)
    out.seek(0)
    failed, message = msgspec.msgpack.decode(read_frame(out))
    assert failed == "failed"
    assert "unable to open database file" in message


@given(
    stream=event_streams(client_ids=("a", "b", "c"), max_size=60),
    repeats=st.lists(st.integers(min_value=0, max_value=59), max_size=8),
    bad_at=st.lists(st.integers(min_value=0, max_value=70), max_size=3),
    batch_size=st.sampled_from([1, 2, 5, 64]),
)
@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
def test_write_behind_decides_any_stream_as_the_inline_store_does(
    tmp_path_factory, stream, repeats, bad_at, batch_size
) -> None:
    """Generated streams with repeated events and bad events spliced in: the same decisions,
    failures and database either way."""
    events: list = [*stream, *(stream[i] for i in repeats if i < len(stream))]
    for position in bad_at:
        events.insert(min(position, len(events)), {"id": f"bad{position}", "type": "nope"})
    folder = tmp_path_factory.mktemp("prop")
    inline = run(folder / "inline.db", events, "inline", batch_size)
    behind = run(folder / "behind.db", events, "process", batch_size)
    assert behind.decisions == inline.decisions
    assert [(f.index, f.event_id, str(f.error)) for f in behind.failures] == [
        (f.index, f.event_id, str(f.error)) for f in inline.failures
    ]
    assert stored_rows(folder / "behind.db") == stored_rows(folder / "inline.db")
