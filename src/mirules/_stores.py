"""Stores (DESIGN §10). Every store commits state + event id + interventions atomically."""

from __future__ import annotations

import threading
from collections.abc import Sequence
from typing import Protocol

from ._model import Intervention
from ._state import ClientState


class Store(Protocol):
    """Where client state, processed event ids and emitted interventions live."""

    def load(self, client_id: str) -> ClientState | None:
        """The client's state, or ``None`` for a client never seen."""

    def seen(self, client_id: str, event_id: str) -> bool:
        """Whether ``event_id`` was already committed for this client."""

    def commit(
        self, state: ClientState, event_id: str, interventions: Sequence[Intervention]
    ) -> None:
        """Atomically store ``state``, mark ``event_id`` processed, append ``interventions``."""

    def interventions(self, client_id: str) -> list[Intervention]:
        """Every intervention committed for the client, oldest first."""

    def close(self) -> None:
        """Release resources."""


class MemoryStore:
    """A dict-backed store for tests and embedding. Thread-safe; lost when the process ends."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._states: dict[str, ClientState] = {}
        self._seen: dict[str, set[str]] = {}
        self._interventions: dict[str, list[Intervention]] = {}

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
            # Build everything first, then publish: a failure leaves nothing half-written.
            seen = set(self._seen.get(state.client_id, ()))
            seen.add(event_id)
            log = [*self._interventions.get(state.client_id, ()), *interventions]
            self._states[state.client_id] = state
            self._seen[state.client_id] = seen
            self._interventions[state.client_id] = log

    def interventions(self, client_id: str) -> list[Intervention]:
        with self._lock:
            return list(self._interventions.get(client_id, ()))

    def clients(self) -> list[str]:
        with self._lock:
            return sorted(self._states)

    def close(self) -> None:
        """Nothing to release."""
