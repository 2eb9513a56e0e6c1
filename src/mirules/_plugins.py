"""The plugin host: one pluggy PluginManager per Engine, built-ins registered like third parties.

A typed facade sits in front of ``pm.hook`` because pluggy does not type-check calls.
"""

from __future__ import annotations

import importlib
import importlib.metadata
import os
from collections.abc import Callable, Iterable, Sequence
from typing import Any

import attrs
import pluggy

from . import hookspecs
from ._errors import PluginError
from .plugins import DEFAULT_PLUGINS, UNBLOCKABLE

ENTRY_POINT_GROUP = "mirules"
ENV_LOAD = "MIRULES_LOAD_PLUGINS"
ENV_DISABLE = "MIRULES_DISABLE_PLUGINS"


@attrs.frozen
class PluginInfo:
    """One loaded plugin, for ``mirules plugins``."""

    name: str
    version: str
    source: str
    hooks: tuple[str, ...]


def _split(value: str) -> set[str]:
    return {part.strip() for part in value.split(",") if part.strip()}


class PluginHost:
    """Owns a PluginManager. ``plugins`` are extra plugin objects (modules, classes, instances);
    ``block`` names built-in or entry-point plugins not to register."""

    def __init__(
        self,
        plugins: Sequence[object] = (),
        *,
        block: Iterable[str] = (),
        entry_points: bool = True,
    ) -> None:
        self.pm = pluggy.PluginManager(hookspecs.PROJECT)
        self.pm.add_hookspecs(hookspecs)
        self._sources: dict[str, tuple[str, str]] = {}
        blocked = set(block)
        for name in sorted(blocked & UNBLOCKABLE):
            raise PluginError(f"plugin {name!r} cannot be blocked: crisis screening always runs")
        for name in DEFAULT_PLUGINS:
            if name in blocked:
                self.pm.set_blocked(name)
                continue
            self._register(importlib.import_module(name), name, ("mirules", "builtin"))
        for name in blocked:
            if not self.pm.is_blocked(name):
                self.pm.set_blocked(name)
        if entry_points:
            self._load_entry_points()
        for plugin in plugins:
            name = getattr(plugin, "__name__", None) or f"{type(plugin).__name__}-{id(plugin):x}"
            self._register(plugin, name, ("(passed to Engine)", "-"))
        try:
            self.pm.check_pending()
        except pluggy.PluginValidationError as exc:
            raise PluginError(
                f"plugin {exc.plugin!r} implements a hook mirules does not have: {exc}"
            ) from None

    def _register(self, plugin: object, name: str, source: tuple[str, str]) -> None:
        if self.pm.get_plugin(name) is not None:
            raise PluginError(f"a plugin named {name!r} is already registered")
        try:
            self.pm.register(plugin, name=name)
        except (ValueError, pluggy.PluginValidationError) as exc:
            raise PluginError(f"cannot register plugin {name!r}: {exc}") from None
        self._sources[name] = source

    def _load_entry_points(self) -> None:
        allow = _split(os.environ[ENV_LOAD]) if ENV_LOAD in os.environ else None
        disable = os.environ.get(ENV_DISABLE, "")
        blocked = _split(disable)
        block_all = bool(blocked & {"*", "1", "all", "true"})
        for ep in sorted(
            importlib.metadata.entry_points(group=ENTRY_POINT_GROUP), key=lambda e: e.name
        ):
            if block_all or ep.name in blocked or (allow is not None and ep.name not in allow):
                continue
            if self.pm.is_blocked(ep.name) or self.pm.get_plugin(ep.name) is not None:
                continue
            try:
                plugin = ep.load()
            except Exception as exc:
                raise PluginError(
                    f"plugin {ep.name!r} ({ep.value}) failed to import: {exc}"
                ) from exc
            dist = ep.dist
            source = (dist.name, dist.version) if dist is not None else (ep.value, "?")
            self._register(plugin, ep.name, source)

    # -- registration hooks --------------------------------------------------------------
    def collect(self, hook_name: str, register: Callable[..., None]) -> None:
        """Call every implementation of a ``register_*`` hook with a ``register`` callable that
        knows which plugin is calling (so duplicates can name both plugins)."""
        caller = getattr(self.pm.hook, hook_name)
        for impl in caller.get_hookimpls():

            def bound(item: Any, _plugin: str = impl.plugin_name) -> None:
                register(item, plugin=_plugin)

            try:
                impl.function(**dict.fromkeys(impl.argnames, bound))
            except PluginError:
                raise
            except Exception as exc:
                raise PluginError(
                    f"plugin {impl.plugin_name!r} failed in {hook_name}: {exc!r}"
                ) from exc

    # -- typed hook calls ----------------------------------------------------------------
    @property
    def hook(self) -> Any:
        return self.pm.hook

    def info(self) -> list[PluginInfo]:
        result = []
        for name, plugin in self.pm.list_name_plugin():
            if plugin is None:
                continue
            callers = self.pm.get_hookcallers(plugin) or []
            source, version = self._sources.get(name, ("?", "?"))
            result.append(PluginInfo(name, version, source, tuple(sorted(c.name for c in callers))))
        return result
