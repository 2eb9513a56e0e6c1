"""The write-behind writer: a child process that commits batches of decided events to SQLite
while the engine's process evaluates the next ones (DESIGN §10, docs/storage.md).

Threads cannot overlap evaluation with commits: the GIL passes back and forth after every
SQLite call. A separate process can. The parent sends one frame per transaction and reads one
acknowledgement per frame, in order. Frames are length-prefixed msgpack:

- parent -> writer: ``["batch", seq, [[client_id, event_id, expected_version, state_json,
  [[intervention_id, body], ...]], ...]]`` or ``["reset"]``;
- writer -> parent: ``["ready"]`` once (or ``["failed", message]``, and it exits), then, per
  batch, ``[seq, None]`` (committed) or ``[seq, reason, message]``. The reason is
  ``"conflict"`` (another writer changed a client or stored the event), ``"error"`` (SQLite
  failed) or ``"skipped"`` (an earlier batch failed, and this one was decided on top of it).
  Nothing of a batch that was not committed is stored. After a failure every batch is skipped
  until ``["reset"]``.

The writer checks each state against the version the parent decided on, so a change made by
another connection in the meantime is a conflict, never a lost update. It exits when its input
closes (the parent closed the store or died): it never commits part of a batch.

Run as a script (``python _writer.py DB SYNCHRONOUS TIMEOUT``) so that it imports only the
standard library and msgspec, not mirules.
"""

from __future__ import annotations

import contextlib
import sqlite3
import struct
import sys
from typing import IO, Any

HEADER = struct.Struct("<I")


def read_frame(stream: IO[bytes]) -> bytes | None:
    """One frame's payload, or ``None`` at a clean end of input."""
    head = stream.read(HEADER.size)
    if len(head) < HEADER.size:
        return None
    (size,) = HEADER.unpack(head)
    payload = stream.read(size)
    if len(payload) < size:
        return None
    return payload


def write_frame(stream: IO[bytes], payload: bytes) -> None:
    stream.write(HEADER.pack(len(payload)) + payload)
    stream.flush()


class Conflict(Exception):
    """Another connection changed a client or stored the event since the parent decided."""


def _is_duplicate(exc: sqlite3.IntegrityError) -> bool:
    """A UNIQUE or PRIMARY KEY clash (another writer got there first), not, say, a trigger."""
    return str(exc).startswith("UNIQUE constraint failed")


def _write_batch(db: sqlite3.Connection, items: list[Any]) -> None:
    db.execute("BEGIN IMMEDIATE")
    try:
        for client_id, event_id, expected, state_json, interventions in items:
            try:
                db.execute(
                    "INSERT INTO events (client_id, event_id) VALUES (?, ?)", (client_id, event_id)
                )
            except sqlite3.IntegrityError as exc:
                if not _is_duplicate(exc):
                    raise
                raise Conflict(
                    f"event {event_id!r} of client {client_id!r} is already stored"
                ) from None
            if expected == 0:
                try:
                    db.execute(
                        "INSERT INTO clients (client_id, state, version) VALUES (?, ?, 1)",
                        (client_id, state_json),
                    )
                except sqlite3.IntegrityError as exc:
                    if not _is_duplicate(exc):
                        raise
                    raise Conflict(f"client {client_id!r} was created by another writer") from None
            else:
                changed = db.execute(
                    "UPDATE clients SET state = ?, version = version + 1 "
                    "WHERE client_id = ? AND version = ?",
                    (state_json, client_id, expected),
                ).rowcount
                if changed != 1:
                    raise Conflict(f"client {client_id!r} was changed by another writer")
            db.executemany(
                "INSERT INTO interventions (id, client_id, event_id, body) VALUES (?, ?, ?, ?)",
                [(iv_id, client_id, event_id, body) for iv_id, body in interventions],
            )
        db.execute("COMMIT")
    except BaseException:
        if db.in_transaction:
            db.execute("ROLLBACK")
        raise


def serve(path: str, synchronous: str, timeout: float, source: IO[bytes], sink: IO[bytes]) -> None:
    import msgspec

    encode, decode = msgspec.msgpack.encode, msgspec.msgpack.decode
    try:
        db = sqlite3.connect(path, timeout=timeout, isolation_level=None)
        db.execute("PRAGMA journal_mode=WAL")
        db.execute(f"PRAGMA synchronous={'FULL' if synchronous == 'FULL' else 'NORMAL'}")
    except sqlite3.Error as exc:
        write_frame(sink, encode(["failed", str(exc)]))
        return
    write_frame(sink, encode(["ready"]))
    failed = False
    while (payload := read_frame(source)) is not None:
        message = decode(payload)
        if message[0] == "reset":
            failed = False
            continue
        _, seq, items = message
        if failed:
            write_frame(sink, encode([seq, "skipped", "an earlier batch failed"]))
            continue
        try:
            _write_batch(db, items)
        except Conflict as exc:
            failed = True
            write_frame(sink, encode([seq, "conflict", str(exc)]))
        except sqlite3.Error as exc:
            failed = True
            write_frame(sink, encode([seq, "error", str(exc)]))
        else:
            write_frame(sink, encode([seq, None]))
    db.close()


if __name__ == "__main__":
    sys.path.pop(0)  # this file's folder is the mirules package: import nothing from it
    with contextlib.suppress(BrokenPipeError, KeyboardInterrupt):  # the parent went away
        serve(sys.argv[1], sys.argv[2], float(sys.argv[3]), sys.stdin.buffer, sys.stdout.buffer)
