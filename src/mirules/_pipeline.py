"""Write-behind for ``SQLiteStore(writer="process")``: the engine evaluates the next events while
a writer process commits the previous ones (the protocol is in ``_writer.py``).

:class:`Pipeline` is what ``Engine.process_many`` sees. It answers ``seen`` and ``load`` from
its own in-flight writes first, then from the store (a WAL reader never waits for the
writer). ``stage`` queues one decided event, ``submit`` sends the queued events as one
transaction, and ``acks`` reports which transactions committed. Every state carries the version
it was decided on, so the writer refuses, as a conflict, a batch that another connection
overtook. After any failed batch the engine calls ``reset`` and carries on without the
pipeline.
"""

from __future__ import annotations

import contextlib
import os
import select
import subprocess
import sys
import threading
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import msgspec

from ._convert import dumps
from ._errors import StoreError
from ._model import Intervention
from ._state import ClientState
from ._writer import HEADER

if TYPE_CHECKING:
    from ._sqlite import SQLiteStore

#: One acknowledgement: (batch number, None if committed else the reason, message).
Ack = tuple[int, str | None, str]
START_TIMEOUT = 60.0


class WriterProcess:
    """The child process that commits batches; see ``_writer.py`` for the protocol."""

    def __init__(self, path: str, synchronous: str, timeout: float) -> None:
        if os.name != "posix":
            raise StoreError(f'{path}: writer="process" needs a POSIX system; use "inline"')
        script = Path(__file__).with_name("_writer.py")
        self.path = path
        try:
            self._proc = subprocess.Popen(
                [sys.executable, str(script), path, synchronous, str(timeout)],
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
            )
        except OSError as exc:
            raise StoreError(f"{path}: cannot start the writer process: {exc}") from None
        stdin, stdout = self._proc.stdin, self._proc.stdout
        assert stdin is not None
        assert stdout is not None
        self._stdin, self._fd = stdin, stdout.fileno()
        _widen_pipe(stdin.fileno())
        self._buffer = bytearray()
        self._encode, self._decode = msgspec.msgpack.encode, msgspec.msgpack.decode
        try:
            ready = self.receive(START_TIMEOUT)
        except StoreError:
            ready = []
        if not ready or ready[0] != ["ready"]:
            self.close()
            reason = f": {ready[0][1]}" if ready and ready[0][0] == "failed" else ""
            raise StoreError(f"{path}: the writer process did not start{reason}")

    @property
    def alive(self) -> bool:
        return self._proc.poll() is None

    def send(self, message: list[Any]) -> None:
        payload = self._encode(message)
        try:
            self._stdin.write(HEADER.pack(len(payload)) + payload)
            self._stdin.flush()
        except (BrokenPipeError, OSError) as exc:
            raise StoreError(f"{self.path}: the writer process went away: {exc}") from None

    def receive(self, timeout: float | None) -> list[Any]:
        """The messages that arrived within ``timeout`` seconds (``None``: wait for one)."""
        messages = self._frames()
        while not messages:
            ready, _, _ = select.select([self._fd], [], [], timeout)
            if not ready:
                return []
            chunk = os.read(self._fd, 1 << 16)
            if not chunk:
                raise StoreError(f"{self.path}: the writer process exited unexpectedly")
            self._buffer += chunk
            messages = self._frames()
        return messages

    def _frames(self) -> list[Any]:
        messages = []
        while len(self._buffer) >= HEADER.size:
            (size,) = HEADER.unpack_from(self._buffer)
            if len(self._buffer) < HEADER.size + size:
                break
            messages.append(self._decode(bytes(self._buffer[HEADER.size : HEADER.size + size])))
            del self._buffer[: HEADER.size + size]
        return messages

    def close(self) -> None:
        """Close its input (it finishes the batch in hand and exits) and wait for it."""
        with contextlib.suppress(OSError):
            self._stdin.close()
        try:
            self._proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self._proc.kill()
            self._proc.wait()
        if self._proc.stdout is not None:
            self._proc.stdout.close()


def _widen_pipe(fd: int) -> None:
    """Let a whole batch fit in the pipe to the writer (Linux; elsewhere the default stays), so
    sending it is a copy, not a wait for the writer to read."""
    import fcntl

    setsize = getattr(fcntl, "F_SETPIPE_SZ", None)
    if setsize is None:
        return
    with contextlib.suppress(OSError), open("/proc/sys/fs/pipe-max-size") as limit:
        fcntl.fcntl(fd, setsize, int(limit.read()))


class Pipeline:
    """One ``process_many`` call's view of a SQLiteStore whose commits go to a writer process.
    Hold it with ``with``: the store serves one pipeline at a time."""

    def __init__(self, store: SQLiteStore, writer: WriterProcess, lock: threading.Lock) -> None:
        self._store, self._writer, self._lock = store, writer, lock
        self._next = 0
        self._sent: list[int] = []  # batch numbers awaiting an acknowledgement, in order
        # client -> (batch, version, state) of its newest write not yet committed
        self._overlay: dict[str, tuple[int, int, ClientState]] = {}
        self._events: dict[tuple[str, str], int] = {}  # (client, event) -> batch, not committed
        self._committed: set[tuple[str, str]] = set()  # events committed since the prefetch
        self._prefetched: set[tuple[str, str]] = set()  # stored as of the prefetch
        self._staged: list[list[Any]] = []

    def __enter__(self) -> Pipeline:
        return self

    def __exit__(self, *exc: object) -> None:
        self._lock.release()

    @property
    def in_flight(self) -> int:
        return len(self._sent)

    def prefetch(self, keys: Sequence[tuple[str, str]]) -> None:
        """Look up, in one query, which of these (client, event) pairs are stored. ``seen``
        answers for them from then on; call it again only once every earlier event was
        decided (and staged, if new)."""
        self._committed.clear()
        self._prefetched = self._store._stored_events(keys)

    def seen(self, client_id: str, event_id: str) -> bool:
        """Whether the event is stored or staged: it must be among the last ``prefetch``."""
        key = (client_id, event_id)
        return key in self._events or key in self._committed or key in self._prefetched

    def load(self, client_id: str) -> tuple[int, ClientState | None]:
        """The client's newest state, staged or stored, with its version (0: none yet). Pass
        the version to ``stage``: it is what the writer checks the stored row against."""
        pending = self._overlay.get(client_id)
        if pending is not None:
            return pending[1], pending[2]
        stored = self._store._load_versioned(client_id)
        return stored if stored is not None else (0, None)

    def stage(
        self,
        base: int,
        state: ClientState,
        event_id: str,
        interventions: Sequence[Intervention],
    ) -> None:
        """Queue one decided event for the next batch; ``state`` was decided on version
        ``base`` of the client (from ``load``), and now shadows the store's."""
        item = [
            state.client_id,
            event_id,
            base,
            dumps(state),
            [[iv.id, dumps(iv)] for iv in interventions],
        ]
        self._staged.append(item)
        self._overlay[state.client_id] = (self._next, base + 1, state)
        self._events[(state.client_id, event_id)] = self._next

    def submit(self) -> int | None:
        """Send the staged events as one transaction; its number, or None if none were staged."""
        if not self._staged:
            return None
        seq, self._next = self._next, self._next + 1
        # A writer that went away is reported by ``acks``, after the answers it did send.
        with contextlib.suppress(StoreError):
            self._writer.send(["batch", seq, self._staged])
        self._staged = []
        self._sent.append(seq)
        return seq

    def acks(self, *, block: bool) -> list[Ack]:
        """Acknowledgements that have arrived (``block``: wait for at least one)."""
        if not self._sent:
            return []
        acks: list[Ack] = []
        for message in self._writer.receive(None if block else 0):
            seq, reason = message[0], message[1]
            if seq != self._sent[0]:
                raise StoreError(f"{self._writer.path}: the writer answered out of order")
            self._sent.pop(0)
            if reason is None:
                self._done(seq)
            acks.append((seq, reason, message[2] if len(message) > 2 else ""))
        return acks

    def _done(self, seq: int) -> None:
        for key in [k for k, s in self._events.items() if s == seq]:
            del self._events[key]
            self._committed.add(key)
        for client_id in [c for c, entry in self._overlay.items() if entry[0] == seq]:
            _, version, state = self._overlay.pop(client_id)
            self._store._remember(client_id, version, state)

    def reset(self) -> None:
        """After a failed batch: wait out the batches in flight (the writer skips them), forget
        every uncommitted and cached state, and let the writer accept batches again."""
        try:
            while self._sent:
                self.acks(block=True)
            self._writer.send(["reset"])
        except StoreError:  # the writer is gone; the store starts another one when needed
            self._sent.clear()
        finally:
            self._overlay.clear()
            self._events.clear()
            self._committed.clear()
            self._prefetched.clear()
            self._staged = []
            self._store._forget_cache()
