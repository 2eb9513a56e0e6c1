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

_SELF = r"(?:my ?self|myself|my self|meself)"
# A verb followed by "myself"; "kil" and "kms" are common misspellings / shorthand.
CRISIS_LEXICON: tuple[tuple[str, str], ...] = (
    # (category, pattern) — case-insensitive, matched on word boundaries.
    # -- suicide: direct, including misspellings (suicde, sucide, suiside, suacide...)
    ("suicide", r"\bsu[ia]{0,2}[cs][ia]{0,2}d(?:e|al|ally|es)?\b"),
    ("suicide", rf"\b(?:kill|kil|killing|end|ending|off|offing|unalive)\s*{_SELF}"),
    ("suicide", r"\bkms\b|\bunalive\b"),
    ("suicide", r"\b(?:end|ending|take|taking)\s+(?:my|my own)\s+(?:life|lyfe)\b"),
    ("suicide", r"\bend(?:ing)?\s+it\s+all\b|\bend(?:ing)?\s+things\b"),
    (
        "suicide",
        r"\b(?:want|wanna|wanted|going|ready|deserve)\s+(?:to\s+)?die\b(?!\s+(?:of|from|laughing|for))",
    ),
    # -- suicide: indirect
    ("suicide", r"\bwish\s+i\s+(?:was|were)\s+(?:dead|gone|never\s+born)\b"),
    ("suicide", r"\bbetter\s+off\s+(?:dead|without\s+me)\b"),
    ("suicide", r"\bno\s*(?:one|body)\s+would\s+(?:even\s+|really\s+)?(?:miss|notice|care\s+if)\b"),
    (
        "suicide",
        r"\bno\s+(?:reason|point)\s+(?:to|in)\s+(?:live|living|going\s+on|being\s+alive)\b",
    ),
    (
        "suicide",
        r"\b(?:life\s+(?:is\s+not|isn'?t|ain'?t)\s+worth\s+living|tired\s+of\s+(?:living|being\s+alive))\b",
    ),
    (
        "suicide",
        r"\bdon'?t\s+want\s+to\s+(?:live|be\s+alive|wake\s+up|exist|be\s+here\s+anymore)\b",
    ),
    (
        "suicide",
        r"\b(?:won'?t|will\s+not)\s+be\s+(?:around|here)\s+(?:much\s+longer|anymore|for\s+long)\b",
    ),
    ("suicide", r"\bgo\s+to\s+sleep\s+and\s+(?:never|not)\s+wake\s+up\b"),
    ("suicide", r"\bcan'?t\s+go\s+on\s+(?:living|like\s+this)\b"),
    ("suicide", r"\bdisappear\s+forever\b"),
    # -- self-harm
    (
        "self-harm",
        rf"\b(?:hurt|hurting|harm|harming|cut|cutting|burn|burning|starve|starving)\s+{_SELF}",
    ),
    ("self-harm", r"\bself[\s-]?harm\w*|\bself[\s-]?injur\w*"),
    ("self-harm", r"\boverdos(?:e|ed|ing)\b"),
    ("self-harm", r"\bcutting\s+again\b"),
    # -- abuse
    (
        "abuse",
        r"\b(?:hits|hit|beats|beat|chokes|choked|kicks|kicked|abuses|abused|hurts|slaps|slapped)\s+me\b",
    ),
    ("abuse", r"\b(?:threatens|threatened|forces|forced)\s+me\b"),
    ("abuse", r"\b(?:being|been|was)\s+abused\b"),
    (
        "abuse",
        r"\babusive\s+(?:relationship|partner|husband|wife|boyfriend|girlfriend|parent|home)\b",
    ),
    (
        "abuse",
        r"\b(?:afraid|scared|terrified)\s+(?:to\s+go\s+home|of\s+(?:him|her|my\s+(?:partner|husband|wife|boyfriend|girlfriend|dad|father|mum|mom|mother)))\b",
    ),
    ("abuse", r"\bwon'?t\s+let\s+me\s+(?:leave|see\s+(?:my|anyone)|go\s+out)\b"),
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
