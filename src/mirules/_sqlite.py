"""SQLiteStore (DESIGN §10): stdlib sqlite3 in WAL mode, one transaction per event.

- ``synchronous=FULL`` by default (a commit survives power loss); ``NORMAL`` is opt-in (a
  commit survives a process crash, not necessarily a power cut).
- The schema is versioned in ``mirules_migrations``; a database created by a newer mirules is
  refused with a clear StoreError rather than misread.
- ``lock(client)`` opens ``BEGIN IMMEDIATE`` (the write lock, so two connections or threads
  can never interleave one client's load and commit: no lost updates); inside ``batch()`` the
  batch holds it, and each ``commit`` is a SAVEPOINT. A failure rolls back exactly that
  event's writes.
- Interventions are the outbox: stored ``pending`` until ``mark_delivered``.
- ``writer="process"`` adds write-behind for ``process_many`` (``_pipeline.py``, ``_writer.py``).
"""

from __future__ import annotations

import json
import sqlite3
import threading
from collections.abc import Iterable, Iterator, Sequence
from contextlib import AbstractContextManager, contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Literal

from ._convert import dumps, from_jsonable
from ._errors import MirulesError, StoreError
from ._model import Intervention
from ._pipeline import Pipeline, WriterProcess
from ._state import ClientState

SCHEMA_VERSION = 1
CACHE_SIZE = 10_000  # client states kept parsed (see _check_cache)
MIGRATIONS: dict[int, str] = {
    1: """
        CREATE TABLE clients (
            client_id TEXT PRIMARY KEY,
            state     TEXT NOT NULL,
            version   INTEGER NOT NULL
        );
        CREATE TABLE events (
            seq       INTEGER PRIMARY KEY AUTOINCREMENT,
            client_id TEXT NOT NULL,
            event_id  TEXT NOT NULL,
            UNIQUE (client_id, event_id)
        );
        CREATE TABLE interventions (
            seq          INTEGER PRIMARY KEY AUTOINCREMENT,
            id           TEXT NOT NULL UNIQUE,
            client_id    TEXT NOT NULL,
            event_id     TEXT NOT NULL,
            body         TEXT NOT NULL,
            status       TEXT NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'delivered')),
            delivered_at TEXT
        );
        CREATE INDEX interventions_client ON interventions (client_id, seq);
        CREATE INDEX interventions_pending ON interventions (status, seq);
    """,
}


class SQLiteStore:
    """A durable store in one SQLite file. Safe to share between threads of one process; several
    processes may open the same file (SQLite serialises writers).

    :param synchronous: ``"FULL"`` (default) or ``"NORMAL"``.
    :param timeout: seconds to wait for another writer's lock before a StoreError.
    :param writer: ``"inline"`` (default): every commit runs in the calling thread.
        ``"process"``: ``Engine.process_many`` hands each batch to a writer process (started
        on first use, stopped by ``close``) and evaluates the next batch while it commits; a
        decision is still notified only once its batch is durable, and results are those of
        ``"inline"``. ``Engine.process`` always commits inline. POSIX only.
    """

    def __init__(
        self,
        path: str | Path,
        *,
        synchronous: Literal["FULL", "NORMAL"] = "FULL",
        timeout: float = 30.0,
        writer: Literal["inline", "process"] = "inline",
    ) -> None:
        if synchronous not in ("FULL", "NORMAL"):
            raise StoreError(f"synchronous must be 'FULL' or 'NORMAL', got {synchronous!r}")
        if writer not in ("inline", "process"):
            raise StoreError(f"writer must be 'inline' or 'process', got {writer!r}")
        self.path = str(path)
        self.synchronous, self.writer, self.timeout = synchronous, writer, timeout
        self._writer_process: WriterProcess | None = None
        self._pipeline_lock = threading.Lock()
        try:
            self._db = sqlite3.connect(
                self.path, timeout=timeout, isolation_level=None, check_same_thread=False
            )
        except sqlite3.Error as exc:
            raise StoreError(f"{self.path}: cannot open the database: {exc}") from None
        try:
            self._db.execute("PRAGMA journal_mode=WAL")
            self._db.execute(f"PRAGMA synchronous={synchronous}")
            self._db.execute("PRAGMA foreign_keys=ON")
        except sqlite3.Error as exc:
            self._db.close()
            raise StoreError(f"{self.path}: not a mirules database or unreadable: {exc}") from None
        self._mutex = threading.RLock()
        # client -> (stored version, state); valid while data_version stands still
        self._cache: dict[str, tuple[int, ClientState]] = {}
        self._data_version: int | None = None
        self._pending_cache: list[tuple[str, int, ClientState]] = []
        self._depth = 0  # nesting of lock()/batch() scopes on this connection
        self._savepoints = 0
        try:
            self._migrate()
        except BaseException:
            self._db.close()  # a refused database leaves no open connection behind
            raise

    # -- schema ------------------------------------------------------------------------------
    def _migrate(self) -> None:
        with self._mutex:
            try:
                self._db.execute("BEGIN IMMEDIATE")
                self._db.execute(
                    "CREATE TABLE IF NOT EXISTS mirules_migrations "
                    "(version INTEGER PRIMARY KEY, applied_at TEXT NOT NULL)"
                )
                row = self._db.execute("SELECT MAX(version) FROM mirules_migrations").fetchone()
                current = row[0] or 0
                if current > SCHEMA_VERSION:
                    raise StoreError(
                        f"{self.path}: the database has schema version {current}, made by a "
                        f"newer mirules; this one understands up to {SCHEMA_VERSION}. "
                        "Upgrade mirules."
                    )
                for version in range(current + 1, SCHEMA_VERSION + 1):
                    for statement in _statements(MIGRATIONS[version]):
                        self._db.execute(statement)
                    self._db.execute(
                        "INSERT INTO mirules_migrations VALUES (?, ?)",
                        (version, datetime.now(UTC).isoformat()),
                    )
                self._db.execute("COMMIT")
            except StoreError:
                self._db.execute("ROLLBACK")
                raise
            except sqlite3.Error as exc:
                if self._db.in_transaction:
                    self._db.execute("ROLLBACK")
                raise StoreError(
                    f"{self.path}: not a mirules database or unreadable: {exc}"
                ) from None

    def schema_version(self) -> int:
        with self._mutex:
            return int(
                self._db.execute("SELECT MAX(version) FROM mirules_migrations").fetchone()[0]
            )

    # -- transactions ------------------------------------------------------------------------
    @contextmanager
    def _scope(self, *, savepoint: bool = True) -> Iterator[None]:
        """A transaction, or a savepoint inside an enclosing one; rolled back on exceptions.

        With ``savepoint=False`` a nested scope adds nothing: the caller writes nothing of its
        own and relies on the enclosing transaction (and on ``commit``'s own savepoint)."""
        with self._mutex:
            outer = self._depth == 0
            if not (outer or savepoint):
                self._depth += 1
                try:
                    yield
                finally:
                    self._depth -= 1
                return
            name = f"sp{self._savepoints}"
            self._savepoints += 1
            self._execute("BEGIN IMMEDIATE" if outer else f"SAVEPOINT {name}")
            if outer:
                self._check_cache()
            self._depth += 1
            mark = len(self._pending_cache)
            try:
                yield
                self._execute("COMMIT" if outer else f"RELEASE {name}")
            except BaseException:
                del self._pending_cache[mark:]
                if self._db.in_transaction:  # a failed COMMIT may already have rolled back
                    self._execute("ROLLBACK" if outer else f"ROLLBACK TO {name}")
                    if not outer:
                        self._execute(f"RELEASE {name}")
                raise
            finally:
                self._depth -= 1
            if outer:
                for client_id, version, state in self._pending_cache:
                    self._remember(client_id, version, state)
                self._pending_cache.clear()

    def _execute(self, sql: str) -> None:
        """A transaction-control statement; a failure (a busy or full database, an I/O error)
        becomes a StoreError naming the file."""
        try:
            self._db.execute(sql)
        except sqlite3.Error as exc:
            raise StoreError(f"{self.path}: {sql.split()[0]} failed: {exc}") from None

    def _check_cache(self) -> None:
        """Forget every cached state if another connection committed since the last look.

        ``PRAGMA data_version`` changes only when *another* connection commits, so while it
        stands still (always, for a database this store alone writes) a cached state is the
        stored one, and a load costs no query. Called under the write lock, or before a read
        outside any transaction."""
        (version,) = self._db.execute("PRAGMA data_version").fetchone()
        if version != self._data_version:
            self._cache.clear()
            self._data_version = version

    def lock(self, client_id: str) -> AbstractContextManager[None]:
        """``BEGIN IMMEDIATE``: the write lock is taken before the client's state is read, so
        no other writer can interleave. Inside ``batch()`` the batch already holds it."""
        return self._scope(savepoint=False)

    def batch(self) -> AbstractContextManager[None]:
        """One transaction around many events; each event's commit is its own savepoint."""
        return self._scope()

    # -- reads -------------------------------------------------------------------------------
    def load(self, client_id: str) -> ClientState | None:
        with self._mutex:
            # This connection's own uncommitted writes first (visible to it, like the rows).
            for pending_id, _, state in reversed(self._pending_cache):
                if pending_id == client_id:
                    return state
            if self._depth == 0:
                self._check_cache()
            found = self._load_versioned(client_id)
        return found[1] if found is not None else None

    def _load_versioned(self, client_id: str) -> tuple[int, ClientState] | None:
        """The cached (version, state), else the stored one (then cached)."""
        with self._mutex:
            cached = self._cache.get(client_id)
            if cached is not None:
                return cached
            row = self._db.execute(
                "SELECT version, state FROM clients WHERE client_id = ?", (client_id,)
            ).fetchone()
            if row is None:
                return None
            try:
                state = from_jsonable(json.loads(row[1]), ClientState)
            except (ValueError, MirulesError) as exc:
                raise StoreError(
                    f"{self.path}: stored state of {client_id!r} is unreadable: {exc}"
                ) from None
            self._remember(client_id, row[0], state)
            return row[0], state

    def _remember(self, client_id: str, version: int, state: ClientState) -> None:
        """Cache a state unless a newer version of it is cached already (a write-behind
        acknowledgement can arrive after this connection stored a later version)."""
        with self._mutex:
            cached = self._cache.pop(client_id, None)
            if cached is not None and cached[0] > version:
                version, state = cached
            self._cache[client_id] = (version, state)
            while len(self._cache) > CACHE_SIZE:
                self._cache.pop(next(iter(self._cache)))

    def seen(self, client_id: str, event_id: str) -> bool:
        with self._mutex:
            row = self._db.execute(
                "SELECT 1 FROM events WHERE client_id = ? AND event_id = ?", (client_id, event_id)
            ).fetchone()
        return row is not None

    def _stored_events(self, keys: Sequence[tuple[str, str]]) -> set[tuple[str, str]]:
        """Which of these (client, event) pairs are stored, in few queries."""
        found: set[tuple[str, str]] = set()
        with self._mutex:
            for start in range(0, len(keys), 250):
                part = keys[start : start + 250]
                values = ", ".join(["(?, ?)"] * len(part))
                rows = self._db.execute(
                    f"SELECT client_id, event_id FROM events WHERE (client_id, event_id) "
                    f"IN (VALUES {values})",
                    [item for key in part for item in key],
                )
                found.update(rows)
        return found

    def events_processed(self) -> int:
        with self._mutex:
            return int(self._db.execute("SELECT COUNT(*) FROM events").fetchone()[0])

    def interventions(self, client_id: str) -> list[Intervention]:
        with self._mutex:
            rows = self._db.execute(
                "SELECT body FROM interventions WHERE client_id = ? ORDER BY seq", (client_id,)
            ).fetchall()
        return [from_jsonable(json.loads(body), Intervention) for (body,) in rows]

    def pending(self, limit: int | None = None) -> list[Intervention]:
        with self._mutex:
            rows = self._db.execute(
                "SELECT body FROM interventions WHERE status = 'pending' ORDER BY seq LIMIT ?",
                (-1 if limit is None else limit,),
            ).fetchall()
        return [from_jsonable(json.loads(body), Intervention) for (body,) in rows]

    def clients(self) -> list[str]:
        with self._mutex:
            return [
                r[0] for r in self._db.execute("SELECT client_id FROM clients ORDER BY client_id")
            ]

    # -- writes ------------------------------------------------------------------------------
    def commit(
        self, state: ClientState, event_id: str, interventions: Sequence[Intervention]
    ) -> None:
        state_json = dumps(state)
        bodies = [(iv.id, iv.client_id, iv.event_id, dumps(iv)) for iv in interventions]
        with self._mutex, self._scope():
            db = self._db
            try:
                db.execute(
                    "INSERT INTO events (client_id, event_id) VALUES (?, ?)",
                    (state.client_id, event_id),
                )
                (version,) = db.execute(
                    "INSERT INTO clients (client_id, state, version) VALUES (?, ?, 1) "
                    "ON CONFLICT (client_id) DO UPDATE SET state = excluded.state, "
                    "version = clients.version + 1 RETURNING version",
                    (state.client_id, state_json),
                ).fetchone()
                db.executemany(
                    "INSERT INTO interventions (id, client_id, event_id, body) VALUES (?, ?, ?, ?)",
                    bodies,
                )
            except sqlite3.IntegrityError as exc:
                if str(exc).startswith("UNIQUE constraint failed: events"):
                    raise StoreError(
                        f"event {event_id!r} of client {state.client_id!r} is already stored"
                    ) from None
                raise StoreError(
                    f"{self.path}: cannot store event {event_id!r} of client "
                    f"{state.client_id!r}: {exc}"
                ) from None
            except sqlite3.Error as exc:
                raise StoreError(
                    f"{self.path}: cannot store event {event_id!r} of client "
                    f"{state.client_id!r}: {exc}"
                ) from None
            # Cached only once the transaction commits: a rollback must not leave a cached state.
            self._pending_cache.append((state.client_id, version, state))

    def mark_delivered(self, ids: Iterable[str]) -> int:
        now = datetime.now(UTC).isoformat()
        with self._mutex, self._scope():
            cursor = self._db.executemany(
                "UPDATE interventions SET status = 'delivered', delivered_at = ? "
                "WHERE id = ? AND status = 'pending'",
                [(now, i) for i in ids],
            )
            return cursor.rowcount

    # -- write-behind ------------------------------------------------------------------------
    def pipeline(self) -> Pipeline | None:
        """With ``writer="process"``: a :class:`Pipeline` for ``Engine.process_many``, whose
        batches a writer process commits while the engine evaluates the next ones (started on
        first use, stopped by ``close``). ``None`` inline, or inside a transaction."""
        if self.writer != "process" or self._depth:
            return None
        self._pipeline_lock.acquire()
        try:
            if self._writer_process is not None and not self._writer_process.alive:
                self._writer_process.close()
                self._writer_process = None
            if self._writer_process is None:
                self._writer_process = WriterProcess(self.path, self.synchronous, self.timeout)
            return Pipeline(self, self._writer_process, self._pipeline_lock)
        except BaseException:
            self._pipeline_lock.release()
            raise

    def _forget_cache(self) -> None:
        with self._mutex:
            self._cache.clear()

    def close(self) -> None:
        with self._pipeline_lock:
            if self._writer_process is not None:
                self._writer_process.close()
                self._writer_process = None
        with self._mutex:
            self._db.close()


def _statements(script: str) -> list[str]:
    return [s.strip() for s in script.split(";") if s.strip()]
