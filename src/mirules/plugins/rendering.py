"""The default renderer: the rule's chosen template, or its strategy's composer."""

from typing import Any

from .._select import Candidate
from ..hookspecs import hookimpl


@hookimpl(trylast=True)
def mirules_render(candidate: Candidate, context: dict[str, Any]) -> str | None:
    say = candidate.rule.say
    if say:
        return say[candidate.variant % len(say)].render(context)
    return None  # the engine falls back to the strategy's composer
