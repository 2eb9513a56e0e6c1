"""The built-in talk classifier: DARN-CAT cue phrases (MI.md §1), answering last.

Limits, stated honestly: it reads surface cues, not meaning. It misses sarcasm, irony,
negation beyond the listed phrases, and most phrasings it has no cue for (these are
``neutral``). "I have to" and "I should" are deliberately not change cues: they usually report
someone else's expectation (a "should"), not the client's own reason. When a message has cues
of several kinds it takes the kind of the last cue, on the reasoning that an ambivalent
client's final clause carries the weight ("I want to, but I can't" reads as sustain). A host
with a better classifier replaces it through ``mirules_classify_message``; hosts that know
the talk send it in the event's ``talk`` field.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from .. import _events as ev
from .._features import Feature
from .._state import ClientState
from ..hookspecs import hookimpl

DISCORD_CUES = (
    r"stop (?:nagging|bugging|messaging|texting|telling me)",
    r"leave me alone",
    r"back off",
    r"you don'?t (?:get|understand|know)",
    r"(?:so|really|super) annoying",
    r"not helping",
    r"waste of (?:my )?time",
    r"quit (?:nagging|bugging)",
    r"get off my back",
    r"mind your own",
    r"who are you to",
    r"sick of (?:you|these|this app)",
)
SUSTAIN_CUES = (
    r"i can'?t",
    r"i cannot",
    r"i don'?t (?:want|need|think i can|see the point)",
    r"i won'?t",
    r"no point",
    r"too (?:hard|difficult|much|busy|tired)",
    r"not worth",
    r"no time",
    r"i (?:like|enjoy|need) (?:my |the )?(?:cigarettes|smoking|wine|beer|couch|snacks)",
    r"i give up",
    r"never going to",
    r"doesn'?t matter",
    r"i'?m fine (?:as i am|the way i am)",
    r"not (?:ready|interested)",
    r"what'?s the point",
    r"it'?s (?:pointless|hopeless)",
    r"(?:is|it'?s) not for me",
    r"i hate (?:it|running|walking|exercise|this)",
)
#: Preparatory change talk: Desire, Ability, Reasons, Need.
PREPARATORY_CUES = (
    r"i (?:really )?(?:want|wanna|would like|'d like|wish|hope) to",
    r"i can\b(?!'?t)",
    r"i could",
    r"i'?m able to",
    r"because i",
    r"it would (?:help|be good|be better)",
    r"i need to",
    r"(?:better|healthier|more energy) for",
)
#: Mobilising change talk (Commitment, Activation): the client is ready to act.
COMMITMENT_CUES = (
    r"i will\b",
    r"i'?ll\b",
    r"i'?m going to",
    r"i'?m (?:ready|willing|prepared) to",
    r"i plan to",
    r"i intend to",
    r"i promise myself",
    r"i'?ve (?:started|decided)",
    r"i (?:started|decided)",
)
#: Taking steps: reports of what the client already did.
STEP_CUES = (
    r"i (?:tried|managed|did it|walked|went)",
    r"i'?ve (?:been|managed|cut down)",
)
CHANGE_CUES = PREPARATORY_CUES + COMMITMENT_CUES + STEP_CUES
_COMMITMENT = re.compile(r"\b(?:" + "|".join(COMMITMENT_CUES) + ")", re.IGNORECASE)
_KINDS = (("discord", DISCORD_CUES), ("sustain", SUSTAIN_CUES), ("change", CHANGE_CUES))
_PATTERNS = tuple(
    (kind, re.compile(r"\b(?:" + "|".join(cues) + ")", re.IGNORECASE)) for kind, cues in _KINDS
)


def classify(text: str) -> str:
    """``discord`` if any discord cue, else the kind of the last change/sustain cue, else
    ``neutral``. Sustain cues are checked before change cues at the same position, so
    "I can't" is never read as "I can"."""
    hits: list[tuple[int, int, str]] = []
    for priority, (kind, pattern) in enumerate(_PATTERNS):
        for match in pattern.finditer(text):
            if kind == "discord":
                return "discord"
            hits.append((match.start(), -priority, kind))
    if not hits:
        return "neutral"
    return max(hits)[2]


@hookimpl(trylast=True)
def mirules_classify_message(text: str, state: ClientState) -> str:
    return classify(text)


def has_commitment(text: str) -> bool:
    """Whether ``text`` holds mobilising change talk (commitment, activation, taking steps)."""
    return _COMMITMENT.search(text) is not None and classify(text) == "change"


def _commitment(state: ClientState, event: ev.Event) -> bool | None:
    return has_commitment(event.text) if isinstance(event, ev.Message) else None


COMMITMENT = Feature(
    "commitment", "bool",
    "This message is change talk with commitment language (I will, I'm going to, I've started).",
    _commitment,
)  # fmt: skip


@hookimpl
def mirules_register_features(register: Callable[[Feature], None]) -> None:
    register(COMMITMENT)
