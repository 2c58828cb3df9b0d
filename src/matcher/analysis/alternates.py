"""Alternates: for each filled seat, the next cadres who could take it (the 1:2 shortlist).

An alternate is a cadre the plan leaves at home who could take the seat
instead of its holder with every hard rule still holding: the holder goes
home, the alternate comes in, and every row (seats, quotas, team ratios,
must-place) is re-evaluated exactly on the two pairs that change. Alternates
are ranked by what the swap costs in fit; the shortlist is then confirmed by
the independent checker (``SwapCheck``: what the swap changes, re-checked rule by rule).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from fractions import Fraction

import numpy as np

from matcher.analysis.planview import PlanView
from matcher.check.checker import SwapCheck
from matcher.prepare.encoding import IntArray
from matcher.solve import implicit
from matcher.solve.pipeline import Prepared, restricted

SHORTLIST = 2
POOL = 10
"""Cadres at home per filled post considered, best fit first, when pairs are not listed."""


@dataclass(frozen=True)
class Alternate:
    """Cadre ``alternate_id`` could take ``holder_id``'s seat on ``post_id`` at ``fit_cost``."""

    post_id: str
    holder_id: str
    rank: int
    alternate_id: str
    alternate_fit: Fraction
    fit_cost: Fraction
    """Holder's fit minus the alternate's: what the plan would lose by the swap."""


def alternates_of(prepared: Prepared, assignments: Sequence[tuple[int, int]]) -> list[Alternate]:
    """The shortlist for a solver's plan, given as (candidate index, post index) pairs.

    Where the pairs are not all listed (``model.implicit``), the plan's pairs and each
    filled post's ``POOL`` best cadres left at home (by fit) are: the shortlist is then
    drawn from those, in the same order as from all pairs.
    """
    if prepared.universe is not None:
        universe = prepared.universe
        cands = np.array([c for c, _ in assignments], dtype=np.int64)
        posts = np.array([p for _, p in assignments], dtype=np.int64)
        pool = implicit.best_at_home(universe, cands, posts, POOL)
        plan_keys = implicit.pair_keys(universe, cands, posts)
        prepared = restricted(universe, np.union1d(plan_keys, pool))
    # find_alternates builds the one view it needs (the rows' matrix: seconds at province)
    return find_alternates(prepared, PlanView.pair_indices(prepared, list(assignments)))


def find_alternates(
    prepared: Prepared, plan_pairs: IntArray, shortlist: int = SHORTLIST
) -> list[Alternate]:
    """Up to ``shortlist`` checked alternates for every assignment (pair index) in the plan."""
    view = PlanView(prepared, plan_pairs)
    space = prepared.space
    instance = prepared.enc.instance
    plan_ids = [
        (instance.candidates[space.cand_idcs[k]].id, instance.posts[space.post_idcs[k]].id)
        for k in plan_pairs.tolist()
    ]
    fit = prepared.fit.total
    independent = SwapCheck(instance, plan_ids)
    found: list[Alternate] = []
    for position, k in enumerate(plan_pairs.tolist()):
        others = space.post2pairs[space.post_idcs[k]]
        others = others[view.placed_at[space.cand_idcs[others]] < 0]  # cadres left at home
        others = others[np.argsort(-fit[others], kind="stable")]  # best fit first
        others = others[view.feasible_swaps(k, others)]
        taken = 0
        for other in others.tolist():
            holder, post_id = plan_ids[position]
            alternate = instance.candidates[space.cand_idcs[other]].id
            if independent.violations(position, alternate):  # the independent word on every swap
                continue
            taken += 1
            found.append(
                Alternate(
                    post_id=post_id,
                    holder_id=holder,
                    rank=taken,
                    alternate_id=alternate,
                    alternate_fit=prepared.fit.value(int(fit[other])),
                    fit_cost=prepared.fit.value(int(fit[k] - fit[other])),
                )
            )
            if taken == shortlist:
                break
    return found
