"""Safe templates: ``{name}`` placeholders from a fixed context, nothing else.

A template is parsed once at load time into literal text and placeholder names. Rendering
joins the pieces, so a value supplied by a client (a goal or action title) is inserted as plain
text and can never expand into further placeholders. Values are cleaned: control characters
and braces removed, whitespace folded, length capped.
"""

from __future__ import annotations

import re
import string
from collections.abc import Mapping
from typing import Any

import attrs

from . import _events as ev
from ._errors import TemplateError
from ._state import ClientState

MAX_VALUE_LENGTH = 80
ACTION_EVENTS = frozenset({"action_planned", "action_completed", "action_missed"})
GOAL_EVENTS = frozenset({"goal_set", "goal_changed", "goal_abandoned"})


@attrs.frozen
class Placeholder:
    """A placeholder templates may use.

    It is never null on the event types in ``always_on``; elsewhere it is null exactly when the
    condition name ``guard`` is null (a rule's ``when`` must then guarantee ``guard`` is set).
    ``guard=None`` with an empty ``always_on`` means it is never null.
    """

    name: str
    description: str
    guard: str | None = None
    always_on: frozenset[str] = frozenset()


PLACEHOLDERS: Mapping[str, Placeholder] = {
    p.name: p
    for p in (
        Placeholder(
            "action",
            "Title of the event's action ('that step' if it was never planned).",
            guard="event.action_id",
            always_on=ACTION_EVENTS,
        ),
        Placeholder(
            "goal",
            "Title of the event's goal, else of the latest active goal.",
            guard="goal_origin",
            always_on=GOAL_EVENTS,
        ),
        Placeholder("last_success", "Title of the latest completed action.", guard="last_success"),
        Placeholder("confidence", "Latest confidence rating.", guard="confidence"),
        Placeholder("importance", "Latest importance rating.", guard="importance"),
        Placeholder("missed_streak", "Misses since the last completion."),
        Placeholder("completed_streak", "Completions since the last miss."),
        Placeholder("missed_total", "All misses ever."),
        Placeholder("completed_total", "All completions ever."),
        Placeholder("missed_last_7d", "Misses in the last 7 days."),
        Placeholder("completed_last_7d", "Completions in the last 7 days."),
        Placeholder(
            "days_since_last_event",
            "Whole days since the previous event.",
            guard="days_since_last_event",
        ),
        Placeholder(
            "days_since_last_completion",
            "Whole days since the latest completion.",
            guard="days_since_last_completion",
        ),
    )
}

Piece = tuple[str, str | None]  # (literal text, placeholder name or None)


@attrs.frozen
class Template:
    source: str
    pieces: tuple[Piece, ...]
    line: int | None = attrs.field(default=None, eq=False)

    @property
    def placeholders(self) -> tuple[str, ...]:
        return tuple(name for _, name in self.pieces if name is not None)

    def render(self, context: Mapping[str, Any]) -> str:
        out: list[str] = []
        for literal, name in self.pieces:
            out.append(literal)
            if name is not None:
                value = context.get(name)
                if value is None:
                    raise TemplateError(f"placeholder {{{name}}} has no value")
                out.append(clean_value(value))
        text = "".join(out)
        return text[:1].upper() + text[1:]  # a title may open the sentence


def parse_template(text: str, line: int | None = None) -> Template:
    """Parse and check a template. Raises TemplateError naming the problem."""
    if not isinstance(text, str):
        raise TemplateError(f"a message variant must be text, got {type(text).__name__}")
    if not text.strip():
        raise TemplateError("a message variant must not be empty")
    if "{{" in text or "}}" in text:
        raise TemplateError("literal braces ({{ or }}) are not allowed in messages")
    pieces: list[Piece] = []
    try:
        parsed = list(string.Formatter().parse(text))
    except ValueError as exc:
        raise TemplateError(f"malformed placeholder: {exc}") from None
    for literal, field, spec, conversion in parsed:
        if field is None:
            pieces.append((literal, None))
            continue
        if conversion or spec:
            raise TemplateError(f"{{{field}}}: conversions and format specs are not allowed")
        if not field.isidentifier():
            raise TemplateError(
                f"{{{field}}}: only plain names are allowed (no attribute or index access)"
            )
        if field not in PLACEHOLDERS:
            known = ", ".join(sorted(PLACEHOLDERS))
            raise TemplateError(f"unknown placeholder {{{field}}}; known: {known}")
        pieces.append((literal, field))
    return Template(text, tuple(pieces), line)


_CONTROL = re.compile(r"[\x00-\x1f\x7f{}]")


def clean_value(value: Any) -> str:
    text = _CONTROL.sub(" ", str(value))
    text = " ".join(text.split())
    if len(text) > MAX_VALUE_LENGTH:
        text = text[: MAX_VALUE_LENGTH - 1].rstrip() + "…"
    return text or "that"


def build_context(
    state: ClientState, event: ev.Event, features: Mapping[str, Any]
) -> dict[str, Any]:
    """The render context for ``event``: every documented placeholder (``None`` if unknown)."""
    from .plugins.features import relevant_goal

    context: dict[str, Any] = {
        name: features.get(name) for name in PLACEHOLDERS if name not in ("action", "goal")
    }
    action: str | None = None
    if event.type in ACTION_EVENTS:
        planned = state.action(event.field("action_id"))
        action = planned.title if planned else "that step"
    context["action"] = action
    goal = relevant_goal(state, event)
    context["goal"] = (goal.title or "that goal") if goal else None
    return context


def may_be_null(
    name: str, on: frozenset[str], guaranteed: frozenset[str], nullable: Mapping[str, bool]
) -> bool:
    """Whether placeholder ``name`` can be null when a rule with ``on`` and a ``when`` that
    guarantees the names in ``guaranteed`` fires. ``nullable`` tells each feature's nullability."""
    spec = PLACEHOLDERS[name]
    if on and on <= spec.always_on:
        return False
    if spec.guard is None:
        return False
    if spec.guard in guaranteed:
        return False
    return nullable.get(spec.guard, True)
