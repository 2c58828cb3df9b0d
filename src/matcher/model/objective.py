"""The published objective as one integer weight per pair, exactly lexicographic.

Coverage (Σ priority of filled seats) comes first, then fit. Both are folded
into one objective ``M·coverage + fit`` with ``M`` larger than the spread of fit
over all plans: one more unit of coverage then always outweighs any change in
fit, so the weighted optimum is the lexicographic one, and one LP and one
CP-SAT solve suffice instead of two chained phases.

A re-plan (``matcher.planning.replan``) adds a tier between the two: ``keep`` marks the
pairs of the published plan, and the objective becomes ``M·coverage + K·kept +
fit`` with ``K`` above the spread of fit and ``M`` above ``K·(most pairs that can
be kept) +`` that spread. Coverage, then kept assignments, then fit, still
exactly lexicographic; without ``keep`` the weights are the same as before.
"""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction

import numpy as np

from matcher.model.space import PairSpace
from matcher.prepare.encoding import IntArray
from matcher.prepare.fit import PairFit


@dataclass(frozen=True)
class Objective:
    """``weights[k] = M·priority + K·keep + fit`` of pair ``k`` (fit in scaled integer units)."""

    coverage_weight: int
    """``M``: exceeds ``K·max_kept`` plus the largest difference in fit between two plans."""
    priority: IntArray
    fit: IntArray
    weights: IntArray
    fit_floor: int
    """The lowest fit any plan can have (each cadre's worst negative pair)."""
    keep: IntArray
    """1 for a pair of the published plan (a re-plan keeps it if it can), else 0."""
    keep_weight: int
    """``K``: exceeds the largest difference in fit between two plans."""
    max_kept: int
    """The most published pairs any plan can keep (one per cadre)."""

    def value(self, coverage: int, kept: int, fit: int) -> int:
        """The weighted objective of a plan with these tiers (fit scaled)."""
        return coverage * self.coverage_weight + kept * self.keep_weight + fit

    def split(self, value: int) -> tuple[int, int, int]:
        """(coverage, kept, scaled fit) of a weighted objective value or bound."""
        coverage, rest = divmod(value - self.fit_floor, self.coverage_weight)
        kept, fit = divmod(rest, self.keep_weight)
        return coverage, kept, fit + self.fit_floor

    def tier_bounds(self, bound: int, coverage: int, kept: int) -> tuple[int, int, int]:
        """What a proven ``bound`` says about each tier, given a plan's coverage and keeps.

        No plan covers more than the first; no plan covering at least ``coverage``
        keeps more than the second; no plan covering at least ``coverage`` and
        keeping at least ``kept`` has a scaled fit above the third.
        """
        coverage_bound = self.split(bound)[0]
        kept_bound = min(
            (bound - coverage * self.coverage_weight - self.fit_floor) // self.keep_weight,
            self.max_kept,
        )
        fit_bound = bound - coverage * self.coverage_weight - kept * self.keep_weight
        return coverage_bound, kept_bound, fit_bound


def relative_gap(
    coverage: int, coverage_bound: int, kept: int, kept_bound: int, fit: Fraction,
    fit_bound: Fraction,
) -> float:  # fmt: skip
    """Relative distance to the proven bound, of the first tier not closed.

    The tiers are strictly ordered, so a gap in coverage is the whole story
    while it lasts; fit only counts once coverage and keeps are proven.
    """
    if coverage_bound > coverage:
        return (coverage_bound - coverage) / max(coverage_bound, 1)
    if kept_bound > kept:
        return (kept_bound - kept) / kept_bound
    return float(abs(fit_bound - fit) / max(abs(fit_bound), Fraction(1)))


def fit_range(space: PairSpace, fit: PairFit) -> tuple[IntArray, IntArray]:
    """Per cadre, the best and worst fit of its pairs in ``space``, clipped at 0 (no post)."""
    num_cands = space.enc.instance.num_candidates
    best = np.zeros(num_cands, dtype=np.int64)
    worst = np.zeros(num_cands, dtype=np.int64)
    np.maximum.at(best, space.cand_idcs, fit.total)
    np.minimum.at(worst, space.cand_idcs, fit.total)
    return best, worst


def build(
    space: PairSpace,
    fit: PairFit,
    keep: IntArray | None = None,
    cand_fit_range: tuple[IntArray, IntArray] | None = None,
) -> Objective:
    """Weights of every eligible pair; ``M`` and ``K`` from per-cadre best and worst fit.

    ``keep`` (0/1 per pair, optional) marks the published plan's pairs for a re-plan.
    ``cand_fit_range`` (best, worst per cadre over ALL eligible pairs, from
    ``model.implicit``) is given when ``space`` holds only some pairs, so that the
    weights are those of the full problem.
    """
    best, worst = cand_fit_range if cand_fit_range is not None else fit_range(space, fit)
    # any plan's fit lies in [Σ worst, Σ best] since each cadre holds at most one post
    low, high = int(-worst.sum()), int(best.sum())
    keep_weight = low + high + 1
    keep = np.zeros(space.num_pairs, np.int64) if keep is None else (keep != 0).astype(np.int64)
    # one post per cadre: a plan keeps at most one published pair per cadre
    max_kept = int(np.unique(space.cand_idcs[keep == 1]).size)
    coverage_weight = keep_weight * (max_kept + 1)
    priority = space.enc.post_priority[space.post_idcs]
    weights = priority * coverage_weight + keep * keep_weight + fit.total
    return Objective(
        coverage_weight, priority, fit.total, weights, -low, keep, keep_weight, max_kept
    )
