"""The crisis screen (MI.md §5). It cannot be blocked and runs before any rule.

The lexicon below is documented in docs/safety.md. It is deliberately sensitive: a false
alarm costs a coach a look; a miss can cost far more. Every hit becomes one coach-facing
``critical`` escalation and stops client-facing automation for that event.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from .. import _events as ev
from .._screens import Screen, ScreenHit
from .._state import ClientState
from ..hookspecs import hookimpl

_SELF = r"(?:my ?self|myself|my self)"
CRISIS_LEXICON: tuple[tuple[str, str], ...] = (
    # (category, pattern) — case-insensitive, matched on word boundaries.
    ("suicide", r"\bsu[ia]c[ia]d\w*"),
    ("suicide", rf"\b(?:kill|killing|end|ending|off)\s+{_SELF}"),
    ("suicide", r"\b(?:end|ending|take|taking)\s+(?:my|my own)\s+life\b"),
    ("suicide", r"\bend(?:ing)?\s+it\s+all\b"),
    (
        "suicide",
        r"\b(?:want|wanna|wanted|going|ready)\s+(?:to\s+)?die\b(?!\s+(?:of|from|laughing))",
    ),
    ("suicide", r"\bwish\s+i\s+(?:was|were)\s+(?:dead|gone|never\s+born)\b"),
    ("suicide", r"\bbetter\s+off\s+(?:dead|without\s+me)\b"),
    ("suicide", r"\bno\s+(?:reason|point)\s+(?:to|in)\s+(?:live|living|going\s+on)\b"),
    ("suicide", r"\bdon'?t\s+want\s+to\s+(?:live|be\s+alive|wake\s+up|exist)\b"),
    ("suicide", r"\bcan'?t\s+go\s+on\s+(?:living|like\s+this\s+anymore)\b"),
    ("self-harm", rf"\b(?:hurt|hurting|harm|harming|cut|cutting|burn|burning)\s+{_SELF}"),
    ("self-harm", r"\bself[\s-]?harm\w*"),
    ("self-harm", r"\boverdos(?:e|ed|ing)\b"),
    ("abuse", r"\b(?:hits|hit|beats|beat|chokes|choked|kicks|kicked|abuses|abused|hurts)\s+me\b"),
    ("abuse", r"\b(?:being|been|was)\s+abused\b"),
    ("abuse", r"\babusive\s+(?:relationship|partner|husband|wife|boyfriend|girlfriend|parent)\b"),
    (
        "abuse",
        r"\bafraid\s+(?:to\s+go\s+home|of\s+my\s+(?:partner|husband|wife|boyfriend|girlfriend))\b",
    ),
)
_COMPILED = tuple(
    (category, re.compile(pattern, re.IGNORECASE)) for category, pattern in CRISIS_LEXICON
)
TEXT_FIELDS = ("text", "note", "reason")

ESCALATION_TEMPLATE = (
    "Safety check needed: the client wrote something that may indicate {category} risk "
    '("{excerpt}"). Automated coaching is paused for this event. Please reach out to the '
    "client personally today, and follow your organisation's crisis protocol if they may be "
    "in danger (emergency services, or a crisis line such as 988 in the US or 116 123 in the UK)."
)


def find_crisis(text: str) -> tuple[str, str] | None:
    """The (category, matched text) of the first crisis cue in ``text``, or ``None``."""
    for category, pattern in _COMPILED:
        match = pattern.search(text)
        if match:
            return category, match.group(0)
    return None


def _excerpt(text: str, matched: str) -> str:
    index = text.lower().find(matched.lower())
    start, end = max(0, index - 40), min(len(text), index + len(matched) + 40)
    snippet = " ".join(text[start:end].replace("{", "(").replace("}", ")").split())
    return ("…" if start else "") + snippet + ("…" if end < len(text) else "")


def crisis_screen(event: ev.Event, state: ClientState) -> ScreenHit | None:
    for name in TEXT_FIELDS:
        text = event.field(name)
        if not isinstance(text, str):
            continue
        found = find_crisis(text)
        if found:
            category, matched = found
            message = ESCALATION_TEMPLATE.format(category=category, excerpt=_excerpt(text, matched))
            return ScreenHit(reason=category, matched=matched, message=message)
    return None


CRISIS_SCREEN = Screen("crisis", crisis_screen, "Crisis language: suicide, self-harm, abuse.")


@hookimpl
def mirules_register_screens(register: Callable[[Screen], None]) -> None:
    register(CRISIS_SCREEN)
