"""Event time: parsing RFC 3339 timestamps and measuring elapsed whole units."""

from __future__ import annotations

import re
from datetime import datetime, timedelta

_RFC3339 = re.compile(
    r"^\d{4}-\d{2}-\d{2}[Tt]\d{2}:\d{2}:\d{2}(?:\.\d{1,9})?(?:[Zz]|[+-]\d{2}:\d{2})$"
)
_DURATION = re.compile(r"^(\d{1,6})(m|h|d)$")
_UNITS = {"m": timedelta(minutes=1), "h": timedelta(hours=1), "d": timedelta(days=1)}


def parse_timestamp(value: str) -> datetime:
    """Parse an RFC 3339 timestamp that carries an offset (``Z`` or ``+hh:mm``).

    Raises ``ValueError`` with a readable reason otherwise.
    """
    if not _RFC3339.match(value):
        raise ValueError(
            f"{value[:60]!r} is not an RFC 3339 timestamp with an offset "
            "(for example 2026-03-02T08:00:00Z)"
        )
    text = value.upper()
    # Python < 3.11 needs help with 'Z' and with more than 6 fractional digits.
    if "." in text:
        head, _, tail = text.partition(".")
        digits = re.match(r"\d+", tail)
        assert digits is not None
        frac = digits.group(0)
        text = f"{head}.{frac[:6].ljust(6, '0')}{tail[len(frac) :]}"
    try:
        return datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError as exc:  # e.g. month 13
        raise ValueError(f"{value[:60]!r} is not a valid date and time: {exc}") from None


def format_timestamp(value: datetime) -> str:
    """Format an aware datetime as RFC 3339, using ``Z`` for UTC."""
    text = value.isoformat()
    return text[:-6] + "Z" if text.endswith("+00:00") else text


def parse_duration(value: str) -> timedelta:
    """Parse a cooldown such as ``90m``, ``24h`` or ``3d``."""
    match = _DURATION.match(value.strip()) if isinstance(value, str) else None
    if match is None:
        raise ValueError(f"{value!r} is not a duration like 90m, 24h or 3d")
    return int(match.group(1)) * _UNITS[match.group(2)]


def format_duration(value: timedelta) -> str:
    seconds = int(value.total_seconds())
    for suffix, unit in (("d", 86400), ("h", 3600)):
        if seconds and seconds % unit == 0:
            return f"{seconds // unit}{suffix}"
    return f"{seconds // 60}m"


def whole_days(later: datetime, earlier: datetime) -> int:
    """Whole days from ``earlier`` to ``later`` (floor; 0 if ``later`` is not after)."""
    return max(0, (later - earlier) // timedelta(days=1))


def whole_hours(later: datetime, earlier: datetime) -> int:
    return max(0, (later - earlier) // timedelta(hours=1))
