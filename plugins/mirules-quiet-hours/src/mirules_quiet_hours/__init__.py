"""Quiet hours for mirules: an example plugin (see README.md)."""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence

import click

from mirules import (
    Candidate,
    ClientState,
    Event,
    Feature,
    Selection,
    SelectionPolicy,
    default_selection,
    hookimpl,
)


def window() -> tuple[int, int]:
    start = int(os.environ.get("MIRULES_QUIET_START", "22"))
    end = int(os.environ.get("MIRULES_QUIET_END", "7"))
    if not (0 <= start <= 23 and 0 <= end <= 23):
        raise ValueError("MIRULES_QUIET_START and MIRULES_QUIET_END must be hours 0-23")
    return start, end


def is_quiet(hour: int) -> bool:
    start, end = window()
    return start <= hour or hour < end if start > end else start <= hour < end


def local_hour(state: ClientState, event: Event) -> int:
    return event.at.hour  # `at` keeps the offset the host sent: the client's local time


@hookimpl
def mirules_register_features(register: Callable[[Feature], None]) -> None:
    register(Feature("local_hour", "number", "Hour of the event in its own UTC offset.",
                     local_hour, nullable=False))  # fmt: skip


@hookimpl
def mirules_select(
    candidates: Sequence[Candidate], state: ClientState, event: Event, policy: SelectionPolicy
) -> Selection | None:
    if not is_quiet(event.at.hour):
        return None  # let mirules' default selection decide
    quiet = [c for c in candidates if c.audience == "client"]
    rest = [c for c in candidates if c.audience != "client"]
    chosen = default_selection(rest, state, event, policy)
    held = tuple(
        c.suppressed("plugin", f"quiet hours ({event.at.hour:02d}:00 local)") for c in quiet
    )
    return Selection(chosen.chosen, chosen.suppressed + held)


@hookimpl
def mirules_register_commands(cli: click.Group) -> None:
    @cli.command("quiet-hours")
    def show() -> None:
        """Show the quiet-hours window of the mirules-quiet-hours plugin."""
        start, end = window()
        click.echo(f"quiet hours: {start:02d}:00-{end:02d}:00 local (client-facing messages held)")
