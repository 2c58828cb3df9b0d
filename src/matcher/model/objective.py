"""The published objective as one integer weight per pair, exactly lexicographic.

Coverage (Σ priority of filled seats) comes first, then fit. Both are folded
into one objective ``M·coverage + fit`` with ``M`` larger than the spread of fit
over all plans: one more unit of coverage then always outweighs any change in
fit, so the weighted optimum is the lexicographic one, and one LP and one
CP-SAT solve suffice instead of two chained phases.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from matcher.encoding import IntArray
from matcher.fit import PairFit
from matcher.model.space import PairSpace


@dataclass(frozen=True)
class Objective:
    """``weights[k] = M·priority + fit`` of pair ``k`` (fit in scaled integer units)."""

    coverage_weight: int
    """``M``: exceeds the largest possible difference in fit between two plans."""
    priority: IntArray
    fit: IntArray
    weights: IntArray
    fit_floor: int
    """The lowest fit any plan can have (each cadre's worst negative pair)."""

    def split(self, value: int) -> tuple[int, int]:
        """(coverage, scaled fit) of a weighted objective value or bound."""
        coverage, fit = divmod(value - self.fit_floor, self.coverage_weight)
        return coverage, fit + self.fit_floor


def build(space: PairSpace, fit: PairFit) -> Objective:
    """Weights of every eligible pair; ``M`` from per-cadre best and worst fit."""
    num_cands = space.enc.instance.num_candidates
    best = np.zeros(num_cands, dtype=np.int64)
    worst = np.zeros(num_cands, dtype=np.int64)
    np.maximum.at(best, space.cand_idcs, fit.total)
    np.minimum.at(worst, space.cand_idcs, fit.total)
    # any plan's fit lies in [Σ worst, Σ best] since each cadre holds at most one post
    low, high = int(-worst.sum()), int(best.sum())
    coverage_weight = low + high + 1
    priority = space.enc.post_priority[space.post_idcs]
    weights = priority * coverage_weight + fit.total
    return Objective(coverage_weight, priority, fit.total, weights, -low)
