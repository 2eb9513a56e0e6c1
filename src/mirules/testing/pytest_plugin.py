"""The mirules pytest plugin (entry point ``pytest11``). Kept light: mirules is imported
only when a fixture is used.

Fixtures:

* ``mirules_engine``: an Engine with the built-in plugins and shipped rulesets, and no
  third-party plugins from entry points; closed after the test.
* ``mirules_engine_factory``: call it with Engine keyword arguments to build more engines
  (entry points off unless you pass ``load_entry_points=True``); all are closed after the test.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING, Any

import pytest

if TYPE_CHECKING:
    from mirules import Engine


@pytest.fixture
def mirules_engine_factory() -> Iterator[Callable[..., Engine]]:
    from mirules import Engine

    engines: list[Engine] = []

    def make(**kwargs: Any) -> Engine:
        kwargs.setdefault("load_entry_points", False)
        engine = Engine(**kwargs)
        engines.append(engine)
        return engine

    yield make
    for engine in engines:
        engine.close()


@pytest.fixture
def mirules_engine(mirules_engine_factory: Callable[..., Engine]) -> Engine:
    return mirules_engine_factory()
