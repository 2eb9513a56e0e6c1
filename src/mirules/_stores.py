"""Stores (DESIGN §10). Every store commits state + event id + interventions atomically.

The engine drives a store like this, for each event::

    with store.lock(client_id):          # serialises one client's load..commit
        if store.seen(client_id, event_id): ...duplicate...
        state = store.load(client_id)
        ...evaluate...
        store.commit(state, event_id, interventions)

and ``with store.batch(): ...`` around many events for group commit, where each event keeps
its own atomicity (a failure rolls back that event only).
"""

from __future__ import annotations

import threading
from collections.abc import Iterable, Iterator, Sequence
from contextlib import AbstractContextManager, contextmanager
from typing import Protocol

from ._model import Intervention
from ._state import ClientState


class Store(Protocol):
    """Where client state, processed event ids and emitted interventions live."""

    def lock(self, client_id: str) -> AbstractContextManager[None]:
        """Hold this client exclusively from load to commit; roll back on an exception."""

    def batch(self) -> AbstractContextManager[None]:
        """Group the commits inside into fewer durable transactions (group commit)."""

    def load(self, client_id: str) -> ClientState | None:
        """The client's state, or ``None`` for a client never seen."""

    def seen(self, client_id: str, event_id: str) -> bool:
        """Whether ``event_id`` was already committed for this client."""

    def commit(
        self, state: ClientState, event_id: str, interventions: Sequence[Intervention]
    ) -> None:
        """Atomically store ``state``, mark ``event_id`` processed, add ``interventions`` to the
        outbox as pending."""

    def interventions(self, client_id: str) -> list[Intervention]:
        """Every intervention committed for the client, oldest first."""

    def pending(self, limit: int | None = None) -> list[Intervention]:
        """Undelivered interventions, oldest first."""

    def mark_delivered(self, ids: Iterable[str]) -> int:
        """Mark interventions delivered; returns how many changed."""

    def close(self) -> None:
        """Release resources."""


class MemoryStore:
    """A dict-backed store for tests and embedding. Thread-safe; lost when the process ends."""

    def __init__(self) -> None:
        self._lock = threading.RLock()
        self._client_locks: dict[str, threading.RLock] = {}
        self._states: dict[str, ClientState] = {}
        self._seen: dict[str, set[str]] = {}
        self._interventions: dict[str, list[Intervention]] = {}
        self._outbox: dict[str, Intervention] = {}

    @contextmanager
    def lock(self, client_id: str) -> Iterator[None]:
        with self._lock:
            client_lock = self._client_locks.setdefault(client_id, threading.RLock())
        with client_lock:
            yield

    @contextmanager
    def batch(self) -> Iterator[None]:
        yield  # nothing to group: every commit is already in memory

    def load(self, client_id: str) -> ClientState | None:
        with self._lock:
            return self._states.get(client_id)

    def seen(self, client_id: str, event_id: str) -> bool:
        with self._lock:
            return event_id in self._seen.get(client_id, ())

    def commit(
        self, state: ClientState, event_id: str, interventions: Sequence[Intervention]
    ) -> None:
        with self._lock:
            # Nothing below can fail part-way, so no commit is ever half-applied.
            self._states[state.client_id] = state
            self._seen.setdefault(state.client_id, set()).add(event_id)
            self._interventions.setdefault(state.client_id, []).extend(interventions)
            self._outbox.update((iv.id, iv) for iv in interventions)

    def interventions(self, client_id: str) -> list[Intervention]:
        with self._lock:
            return list(self._interventions.get(client_id, ()))

    def pending(self, limit: int | None = None) -> list[Intervention]:
        with self._lock:
            items = list(self._outbox.values())
        return items[:limit] if limit is not None else items

    def mark_delivered(self, ids: Iterable[str]) -> int:
        with self._lock:
            return sum(self._outbox.pop(i, None) is not None for i in ids)

    def clients(self) -> list[str]:
        with self._lock:
            return sorted(self._states)

    def close(self) -> None:
        """Nothing to release."""
