"""Built-in plugins. Each is registered by name exactly like a third-party plugin.

``DEFAULT_PLUGINS`` lists them in registration order. ``mirules.plugins.safety`` cannot be
blocked: crisis screening runs before rules and no plugin can weaken it (MI.md §5).
"""

DEFAULT_PLUGINS: tuple[str, ...] = (
    "mirules.plugins.events",
    "mirules.plugins.features",
    "mirules.plugins.strategies",
    "mirules.plugins.rulesets",
    "mirules.plugins.talk",
    "mirules.plugins.selection",
    "mirules.plugins.rendering",
    "mirules.plugins.safety",
)

UNBLOCKABLE: frozenset[str] = frozenset({"mirules.plugins.safety"})
