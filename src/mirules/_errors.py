"""The one error hierarchy of mirules.

Every error the library raises on bad input is a :class:`MirulesError`. Each carries a
message that names what is wrong (a field, a file and line, a rule, a plugin), so a caller
can print ``str(exc)`` and a user knows what to fix.
"""

from __future__ import annotations

from collections.abc import Sequence


class MirulesError(Exception):
    """Base class of every error mirules raises on purpose."""


class InvalidEvent(MirulesError, ValueError):
    """An event failed validation. ``field`` names the offending field (or ``None``)."""

    def __init__(self, field: str | None, reason: str, *, event_id: str | None = None) -> None:
        self.field = field
        self.reason = reason
        self.event_id = event_id
        super().__init__(f"{field}: {reason}" if field else reason)


class ConditionError(MirulesError, ValueError):
    """A ``when``/``never`` condition does not parse or does not type-check.

    ``column`` is 1-based within the condition text, when known.
    """

    def __init__(self, message: str, *, column: int | None = None) -> None:
        self.message = message
        self.column = column
        super().__init__(f"{message} (column {column})" if column else message)


class TemplateError(MirulesError, ValueError):
    """A message template is malformed or uses a placeholder that is not allowed."""


class RulesetError(MirulesError):
    """One mistake in a ruleset, located by file, line, rule id and key."""

    def __init__(
        self,
        message: str,
        *,
        file: str | None = None,
        line: int | None = None,
        rule: str | None = None,
        key: str | None = None,
    ) -> None:
        self.message = message
        self.file = file
        self.line = line
        self.rule = rule
        self.key = key
        super().__init__(self.location_prefix() + message)

    def location_prefix(self) -> str:
        where = self.file or "<ruleset>"
        if self.line is not None:
            where += f":{self.line}"
        parts = [where]
        if self.rule is not None:
            parts.append(f"rule {self.rule!r}")
        if self.key is not None:
            parts.append(f"key {self.key!r}")
        return ": ".join(parts) + ": "


class RulesetErrors(RulesetError):
    """Several mistakes found in one pass; ``errors`` lists each of them."""

    def __init__(self, errors: Sequence[RulesetError]) -> None:
        self.errors = tuple(errors)
        first = self.errors[0]
        MirulesError.__init__(self, "\n".join(str(e) for e in self.errors))
        self.message = first.message
        self.file, self.line, self.rule, self.key = first.file, first.line, first.rule, first.key

    def __str__(self) -> str:
        return "\n".join(str(e) for e in self.errors)


class PluginError(MirulesError):
    """A plugin is broken: a duplicate name, a bad registration, an unknown hook."""


class StoreError(MirulesError):
    """A store cannot load or commit."""


class MatcherUnavailable(MirulesError):
    """The requested matcher cannot be used here (for example, an extra is not installed)."""
