"""MITI-style fidelity signals over client-facing interventions (MI.md §2).

MITI was designed for 20-minute spoken sessions; these are quality signals over a client's
intervention history, not certification. Each intervention contributes its *codes*: at most
one question, one simple and one complex reflection, and its adherent codes.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import attrs

REFLECTIONS = frozenset({"simple_reflection", "complex_reflection"})
ADHERENT = frozenset({"affirm", "seeking_collaboration", "emphasizing_autonomy"})
#: MITI 4.2.1 thresholds (expert opinion): fair / good.
RQ_FAIR, RQ_GOOD = 1.0, 2.0
PCT_CR_FAIR, PCT_CR_GOOD = 40.0, 50.0


@attrs.frozen
class Fidelity:
    """Counts of MITI codes over client-facing interventions."""

    interventions: int = 0
    questions: int = 0
    simple_reflections: int = 0
    complex_reflections: int = 0
    adherent: int = 0

    @classmethod
    def of(cls, interventions: Iterable[Any]) -> Fidelity:
        """Fidelity of the client-facing items of ``interventions`` (anything with
        ``audience`` and ``codes``)."""
        result = cls()
        for item in interventions:
            if item.audience == "client":
                result = result.add(item.codes)
        return result

    def add(self, codes: Iterable[str]) -> Fidelity:
        codes = set(codes)
        return Fidelity(
            self.interventions + 1,
            self.questions + ("question" in codes),
            self.simple_reflections + ("simple_reflection" in codes),
            self.complex_reflections + ("complex_reflection" in codes),
            self.adherent + len(codes & ADHERENT),
        )

    def __add__(self, other: Fidelity) -> Fidelity:
        return Fidelity(
            *(a + b for a, b in zip(attrs.astuple(self), attrs.astuple(other), strict=True))
        )

    @property
    def reflections(self) -> int:
        return self.simple_reflections + self.complex_reflections

    @property
    def rq(self) -> float | None:
        """Reflections per question (``None`` before the first question)."""
        return self.reflections / self.questions if self.questions else None

    @property
    def pct_complex(self) -> float | None:
        """Complex reflections as a percentage of all reflections."""
        return 100.0 * self.complex_reflections / self.reflections if self.reflections else None

    def rq_distance(self, target: float) -> float:
        """How far R:Q is from ``target``; with no question yet, R:Q counts as R."""
        return abs(self.reflections / max(self.questions, 1) - target)

    def summary(self) -> str:
        rq = f"{self.rq:.2f}" if self.rq is not None else "n/a"
        cr = f"{self.pct_complex:.0f}%" if self.pct_complex is not None else "n/a"
        return (
            f"R:Q {rq} (good >= {RQ_GOOD:g})  %CR {cr} (good >= {PCT_CR_GOOD:g}%)  "
            f"adherent {self.adherent}  over {self.interventions} client-facing interventions"
        )
