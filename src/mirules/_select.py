"""Selection values and the default policy of DESIGN §7."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta

import attrs

from ._events import Event
from ._fidelity import Fidelity
from ._model import ConditionResult, Suppressed
from ._rulesets import Rule, Ruleset
from ._state import ClientState
from ._timeutil import format_timestamp


@attrs.frozen
class SelectionPolicy:
    """Spacing and caps. MI.md §5: no validated universal cap exists, so these are settings."""

    fatigue_budget: int = attrs.field(default=3, validator=attrs.validators.ge(0))
    fatigue_window: timedelta = timedelta(hours=24)
    max_client_per_event: int = attrs.field(default=1, validator=attrs.validators.ge(0))
    max_coach_per_event: int = attrs.field(default=2, validator=attrs.validators.ge(0))
    #: Among candidates of equal priority, prefer the one whose codes move the client's
    #: reflection-to-question ratio closest to this target (MITI "good" is 2). ``None``
    #: turns the preference off (then specificity decides).
    rq_target: float | None = 2.0


@attrs.frozen
class Candidate:
    """A rule that matched an event, with the explanation of why."""

    ruleset: Ruleset = attrs.field(repr=lambda r: r.name)
    rule: Rule = attrs.field(repr=lambda r: r.id)
    explanation: tuple[ConditionResult, ...]
    order: int
    variant: int = 0

    @property
    def key(self) -> str:
        return f"{self.ruleset.name}/{self.rule.id}"

    @property
    def audience(self) -> str:
        return self.rule.audience

    def suppressed(self, reason: str, detail: str) -> Suppressed:
        return Suppressed(self.ruleset.name, self.rule.id, reason, detail)  # type: ignore[arg-type]


@attrs.frozen
class Selection:
    chosen: tuple[Candidate, ...]
    suppressed: tuple[Suppressed, ...] = ()


def rank_key(
    candidate: Candidate, fidelity: Fidelity | None = None, rq_target: float | None = None
) -> tuple[int, float, int, int]:
    """Priority; then (if ``rq_target``) closeness of the client's R:Q to the target after this
    candidate; then specificity (number of conjuncts); then ruleset order."""
    distance = 0.0
    if rq_target is not None and fidelity is not None and candidate.audience == "client":
        distance = round(fidelity.add(candidate.rule.codes).rq_distance(rq_target), 9)
    return (-candidate.rule.priority, distance, -candidate.rule.specificity, candidate.order)


def default_select(
    candidates: list[Candidate] | tuple[Candidate, ...],
    state: ClientState,
    at: datetime,
    policy: SelectionPolicy,
) -> Selection:
    """DESIGN §7 steps 2-5: cooldown, fatigue budget, ranking, per-event caps."""
    suppressed: list[Suppressed] = []
    live: list[Candidate] = []
    for cand in candidates:
        memory = state.rule_memory.get(cand.key)
        if memory is not None and cand.rule.cooldown and at < memory.at + cand.rule.cooldown:
            until = memory.at + cand.rule.cooldown
            suppressed.append(
                cand.suppressed(
                    "cooldown",
                    f"fired at {format_timestamp(memory.at)}; cooling down until "
                    f"{format_timestamp(until)}",
                )
            )
        else:
            live.append(cand)
    live.sort(key=lambda c: rank_key(c, state.fidelity, policy.rq_target))

    recent = sum(
        1
        for r in state.interventions
        if r.audience == "client" and at - policy.fatigue_window < r.at <= at
    )
    chosen: list[Candidate] = []
    counts = {"client": 0, "coach": 0}
    caps = {"client": policy.max_client_per_event, "coach": policy.max_coach_per_event}
    for cand in live:
        audience = cand.audience
        if counts[audience] >= caps[audience]:
            winner = next((c.key for c in chosen if c.audience == audience), None)
            ranked = f"; ranked below {winner}" if winner else ""
            suppressed.append(
                cand.suppressed(
                    "cap", f"at most {caps[audience]} {audience}-facing per event{ranked}"
                )
            )
        elif audience == "client" and recent + counts["client"] >= policy.fatigue_budget:
            suppressed.append(
                cand.suppressed(
                    "fatigue",
                    f"{recent} client-facing interventions in the last "
                    f"{_hours(policy.fatigue_window)}h; budget {policy.fatigue_budget}",
                )
            )
        else:
            counts[audience] += 1
            chosen.append(cand)
    return Selection(tuple(chosen), tuple(suppressed))


def _hours(delta: timedelta) -> int:
    return int(delta.total_seconds() // 3600)


def default_selection(
    candidates: Sequence[Candidate], state: ClientState, event: Event, policy: SelectionPolicy
) -> Selection:
    """mirules' own selection (DESIGN §7), for plugins that wrap it: filter or reorder the
    candidates, then call this for cooldowns, fatigue, ranking and caps."""
    return default_select(list(candidates), state, event.at, policy)
