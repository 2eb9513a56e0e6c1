"""One place for named registrations: duplicates are errors naming both plugins."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Generic, Protocol, TypeVar

from ._errors import PluginError


class Named(Protocol):
    @property
    def name(self) -> str: ...


T = TypeVar("T", bound=Named)


class Registry(Generic[T]):
    """Items of one kind (``what``), by name, in registration order, with their plugin."""

    def __init__(self, what: str, item_type: type) -> None:
        self.what = what
        self.item_type = item_type
        self._items: dict[str, T] = {}
        self._owners: dict[str, str] = {}

    def register(self, item: T, *, plugin: str) -> None:
        if not isinstance(item, self.item_type):
            raise PluginError(
                f"plugin {plugin!r} registered {item!r} as a {self.what}; "
                f"expected a mirules.{self.item_type.__name__}"
            )
        owner = self._owners.get(item.name)
        if owner is not None:
            raise PluginError(
                f"{self.what} {item.name!r} is registered by both {owner!r} and {plugin!r}"
            )
        self._items[item.name] = item
        self._owners[item.name] = plugin

    def __contains__(self, name: object) -> bool:
        return name in self._items

    def __getitem__(self, name: str) -> T:
        return self._items[name]

    def get(self, name: str) -> T | None:
        return self._items.get(name)

    def __iter__(self) -> Iterator[T]:
        return iter(self._items.values())

    def __len__(self) -> int:
        return len(self._items)

    def names(self) -> tuple[str, ...]:
        return tuple(self._items)

    def owner(self, name: str) -> str:
        return self._owners[name]
