"""The template linter (MI.md §4): non-adherent language and codes that do not fit the text.

Each finding names the file, line, rule, variant, a stable check id and the reason. The
lexicon is a starting point, not a judge: it reads words, not intent, and it errs towards
flagging. Exceptions follow MI.md §4: a flag from the *advice* family is lifted when the same
message asks permission, emphasises autonomy or asks for the client's reaction; a directive
inside a reflection of the client's own words ("you feel you should…") is not a directive.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

import attrs

from ._rulesets import Rule, Ruleset


@attrs.frozen
class LexiconEntry:
    check: str
    family: str
    pattern: re.Pattern[str]
    reason: str


def _entry(check: str, family: str, pattern: str, reason: str) -> LexiconEntry:
    return LexiconEntry(check, family, re.compile(pattern, re.IGNORECASE), reason)


LEXICON: tuple[LexiconEntry, ...] = (
    _entry(
        "directive",
        "advice",
        r"\byou (?:should|ought to|must|have to|need to)\b",
        "moralising or directing (MISC Direct; advice without permission)",
    ),
    _entry(
        "imperative",
        "advice",
        r"(?:^|[.!?]\s+)(?:just|stop)\b|\bno excuses\b|\bmake sure you\b",
        "a leading imperative orders the client",
    ),
    _entry(
        "warning",
        "confront",
        r"\bif you don'?t\b.*\b(?:will|won'?t)\b|\byou'?d better\b|\bor else\b|\byou'?re risking\b",
        "a warning (MITI Confront)",
    ),
    _entry(
        "blaming-question",
        "confront",
        r"\bwhy (?:didn'?t|haven'?t|don'?t|can'?t|won'?t) you\b",
        "a blaming question draws out sustain talk",
    ),
    _entry(
        "inconsistency",
        "confront",
        r"\byou said you would\b|\byou promised\b|\bstill haven'?t\b|\bagain\?",
        "confronting inconsistency",
    ),
    _entry(
        "arguing",
        "confront",
        r"\byes,? but\b|\bthat'?s not true\b|\byou'?re wrong\b",
        "arguing with the client",
    ),
    _entry(
        "label",
        "confront",
        r"\b(?:non-?compliant|in denial|resistant|lazy|failure|failed|cheat(?:ed|ing)?)\b",
        "a label shames the client",
    ),
    _entry(
        "lecturing",
        "confront",
        r"\bthe facts are\b|\bdo you reali[sz]e\b|\bit'?s easy\b|\ball you have to do\b",
        "lecturing or minimising",
    ),
    _entry(
        "unsolicited-advice",
        "advice",
        r"\bi recommend\b|\byou should try\b|\bhave you tried\b|\bthe best thing for you\b",
        "advice with no permission marker",
    ),
    _entry(
        "guilt",
        "confront",
        r"\bthink of your (?:kids|children|family|health)\b|\bwouldn'?t that be great\b",
        "guilt or rhetorical pressure",
    ),
    _entry(
        "ruler-misuse",
        "confront",
        r"\bwhy not (?:a )?10\b|\bwhy aren'?t you higher\b",
        "ruler misuse makes the client defend a low score",
    ),
    _entry(
        "all-or-nothing",
        "confront",
        r"\bbroke your streak\b|\bback to zero\b|\bruined\b",
        "all-or-nothing framing deepens a lapse",
    ),
)
PRAISE = re.compile(
    r"\b(?:great job|good job|way to go|proud of you|well done|awesome|amazing|nice work)\b",
    re.IGNORECASE,
)
PERMISSION = re.compile(
    r"\bwould it be (?:ok|okay|alright|all right)\b|\bcan i (?:share|offer|suggest|ask)\b"
    r"|\bmay i\b|\bwould you like (?:some|an?|me to)\b|\bif you'?d like\b"
    r"|\bit'?s (?:up to you|your (?:call|choice|decision))\b|\byou know (?:yourself )?best\b"
    r"|\bwhat do you make of (?:that|this)\b|\bhow does that sound\b|\bwhat do you think\b",
    re.IGNORECASE,
)
REFLECTION_STEM = re.compile(
    r"\b(?:you (?:feel|felt|think|believe|said|say|mentioned|told me|wonder|worry)"
    r"|it sounds like|part of you|you'?re saying|you'?ve been told|others say)\b[^.!?]*$",
    re.IGNORECASE,
)


@attrs.frozen
class Finding:
    file: str
    line: int | None
    ruleset: str
    rule: str
    variant: int
    check: str
    reason: str
    matched: str = ""

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}" if self.line is not None else self.file
        quote = f' ("{self.matched}")' if self.matched else ""
        variant = f"variant {self.variant}"
        return f"{where}: rule {self.rule!r}: {variant}: {self.check}: {self.reason}{quote}"


def lint_text(text: str, codes: Iterable[str]) -> list[tuple[str, str, str]]:
    """(check, reason, matched) for every problem in one message template."""
    codes = set(codes)
    found: list[tuple[str, str, str]] = []
    permission = PERMISSION.search(text) is not None
    for entry in LEXICON:
        for match in entry.pattern.finditer(text):
            if entry.family == "advice" and permission:
                continue
            if entry.check == "directive" and REFLECTION_STEM.search(text[: match.start()]):
                continue
            found.append((entry.check, entry.reason, match.group(0).strip()))
            break
    questions = text.count("?")
    if questions >= 2:
        found.append(("question-stacking", "two or more questions in one message", ""))
    if "question" in codes and questions == 0:
        found.append(("codes", "coded 'question' but the message asks no question", ""))
    if "question" not in codes and questions:
        found.append(("codes", "the message asks a question but is not coded 'question'", ""))
    if "affirm" in codes:
        praise = PRAISE.search(text)
        if praise:
            found.append(
                (
                    "praise",
                    "praise is not an affirmation: name the specific strength or effort",
                    praise.group(0),
                )
            )
    if "complex_reflection" in codes or "simple_reflection" in codes:
        statements = [
            s for s in re.split(r"(?<=[.!?])\s+", text.strip()) if s and not s.endswith("?")
        ]
        if not statements:
            found.append(("codes", "coded as a reflection, but the message is only a question", ""))
    return found


def lint_rule(ruleset: Ruleset, rule: Rule) -> list[Finding]:
    findings = []
    for index, template in enumerate(rule.say, start=1):
        for check, reason, matched in lint_text(template.source, rule.codes):
            findings.append(Finding(ruleset.source, template.line or rule.line, ruleset.name,
                                    rule.id, index, check, reason, matched))  # fmt: skip
    return findings


def lint_ruleset(ruleset: Ruleset) -> list[Finding]:
    """Every finding in every template of ``ruleset``."""
    return [finding for rule in ruleset.rules for finding in lint_rule(ruleset, rule)]
