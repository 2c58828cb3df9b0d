"""The largest numbers the solver represents exactly, checked when an instance is read.

The objective (``model/objective.py``) folds coverage and fit into one integer
weight per pair, ``M·priority + fit``, where fit is the pair's fit in scaled
integer units (``prepare/fit.py``: every weight times ``S``, the least common
multiple of the weights' denominators) and ``M`` exceeds the spread of fit
over all plans. Those weights go to GLOP, HiGHS and CP-SAT, and sums of them
over a plan are compared with proven bounds. GLOP and HiGHS compute in
doubles, which hold every integer up to ``2**53`` exactly and no odd one
beyond; numpy holds them in int64. A number past that does not fail loudly:
an affinity bonus of 9,000,000,000,000 made ``M`` overflow int64 into Python
objects and scipy stop with a traceback, and a smaller one past ``2**53``
would round weights silently, so the "proven optimal" plan might not be.

The limit is therefore on the folded objective of *any* plan, derived from the
instance exactly as ``objective.build`` derives ``M``:

* per cadre ``c`` and fit term ``t`` with weight ``w_t`` (scaled: ``S·w_t``),
  the term's value over ``c``'s pairs lies in ``[lo, hi]`` (score: the
  cadre's score; development, reserve, party, dept_priority, category_match:
  0 or 1; preference: 0 to 20; affinity: the cadre's most negative and most
  positive bonus, 0 for a pair without one). So ``c``'s best pair is at most
  ``P_c = Σ_t max(0, w_t·hi, w_t·lo)`` and its worst at least
  ``-N_c = -Σ_t max(0, -w_t·hi, -w_t·lo)``;
* ``K``, the spread of fit over all plans plus one, is at most
  ``Σ_c (P_c + N_c) + 1``; a plain solve uses ``M = K``, a re-plan keeping up
  to ``k`` published pairs ``M = K·(k + 1)`` with the keep tier ``K``;
* coverage ``C`` is at most the sum of the highest priorities, one per seat,
  over as many seats as there are cadres;
* so the objective of every plan is at most ``B = M·C + k·K + Σ_c P_c`` in
  absolute value (and at least ``-Σ_c N_c``), and one pair's weight at most
  ``W = M·(highest priority) + K + max_c P_c``.

Two limits follow. :data:`LIMIT`, ``2**53 - 1``, on ``B``: the objective of a
plan, summed in doubles by GLOP and HiGHS, stays exact. :data:`PAIR_LIMIT`,
``2**38``, on ``W``: the exact Lagrangian bound (``solve/relaxation.py``)
scales the LP's duals by ``DUAL_SCALE = 2**20`` into int64 and sums a pair's
weight times that scale with up to a few rows' dual products, all under
``2**62``; a dual is of the order of the largest weight, so ``W·2**20`` must
leave a factor 16 of room: ``W ≤ 2**62 / 2**20 / 16 = 2**38``. An instance
past either is refused (exit 2) naming the number to lower and the largest
value it may take, e.g. the affinity bonus with the largest magnitude. Cells
are parsed with at most 15 digits, so every single number also fits int64.
The city instance is far inside both (``B`` about 1.8·10**7).
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from fractions import Fraction

from matcher.instance import PREFERENCE_BONUS, Instance

__all__ = ["LIMIT", "PAIR_LIMIT", "Excess", "objective_bound", "objective_excess"]

LIMIT = 2**53 - 1
"""The largest objective value of a plan the solver represents exactly."""

PAIR_LIMIT = 2**38
"""The largest weight of one pair the exact Lagrangian bound handles in int64."""

_FLAGS = ("development", "reserve", "party", "dept_priority", "category_match")


@dataclass(frozen=True)
class Excess:
    """Why an instance's objective can pass :data:`LIMIT`, and what would bring it back.

    ``what`` is ``"bonus"`` (``key``: the (candidate_id, post_id) of the largest
    ``|bonus|``), ``"priority"`` (``key``: the post id of the highest priority) or
    ``"weights"``; ``allowed`` is the largest magnitude of that number keeping
    the objective within :data:`LIMIT` (``None`` for weights).
    """

    what: str
    key: tuple[str, ...]
    value: int | Fraction
    allowed: int | None
    bound: int
    pair: int

    def describe(self) -> str:
        if self.bound > LIMIT:
            head = (
                f"the objective (M·coverage + fit) of a plan can reach {self.bound:,},"
                f" beyond {LIMIT:,} (2**53 - 1, the largest integer the solver keeps exact)"
            )
        else:
            head = (
                f"one pair's weight (M·priority + fit) can reach {self.pair:,},"
                f" beyond {PAIR_LIMIT:,} (2**38, what the solver's exact bound holds in int64)"
            )
        if self.allowed is not None:
            return f"{head}; in this instance a {self.what} may be at most {self.allowed:,}"
        return f"{head}; lower the weights or write them with smaller denominators"


def _scale(instance: Instance) -> int:
    return math.lcm(*(Fraction(value).denominator for _, value in instance.rules.weights))


def objective_bound(
    instance: Instance, kept: int = 0, bonus_cap: int | None = None, priority_cap: int | None = None
) -> tuple[int, int]:
    """``B`` and ``W`` of the module docstring; ``*_cap`` clip bonuses and priorities."""
    weights = instance.rules.weights
    scale = _scale(instance)
    scaled = {name: int(Fraction(value) * scale) for name, value in weights}
    low: dict[str, int] = defaultdict(int)
    high: dict[str, int] = defaultdict(int)
    for affinity in instance.affinities:
        bonus = affinity.bonus
        if bonus_cap is not None:
            bonus = max(-bonus_cap, min(bonus, bonus_cap))
        low[affinity.candidate_id] = min(low[affinity.candidate_id], bonus)
        high[affinity.candidate_id] = max(high[affinity.candidate_id], bonus)

    def spread(weight: int, lo: int, hi: int) -> tuple[int, int]:
        return max(0, weight * hi, weight * lo), max(0, -weight * hi, -weight * lo)

    flags = [spread(scaled[name], 0, 1) for name in _FLAGS]
    flag_best = sum(up for up, _ in flags)
    flag_worst = sum(down for _, down in flags)
    pref_best, pref_worst = spread(scaled["preference"], 0, max(PREFERENCE_BONUS))
    best_sum = worst_sum = best_pair = 0
    for cadre in instance.candidates:
        score_up, score_down = spread(scaled["score"], cadre.score, cadre.score)
        bonus_up, bonus_down = spread(scaled["affinity"], low[cadre.id], high[cadre.id])
        best = flag_best + pref_best + score_up + bonus_up
        best_sum += best
        best_pair = max(best_pair, best)
        worst_sum += flag_worst + pref_worst + score_down + bonus_down
    keep_weight = best_sum + worst_sum + 1
    coverage_weight = keep_weight * (kept + 1)
    seats_left = len(instance.candidates)
    coverage = top_priority = 0
    for post in sorted(instance.posts, key=lambda post: -post.priority):
        taken = min(post.seats, seats_left)
        priority = post.priority if priority_cap is None else min(post.priority, priority_cap)
        coverage += taken * priority
        top_priority = max(top_priority, priority)
        seats_left -= taken
    plan = coverage_weight * coverage + kept * keep_weight + best_sum
    return plan, coverage_weight * top_priority + keep_weight + best_pair


def _within(bounds: tuple[int, int]) -> bool:
    return bounds[0] <= LIMIT and bounds[1] <= PAIR_LIMIT


def _largest_within(bounds_at: Callable[[int], tuple[int, int]], top: int) -> int | None:
    """The largest ``x`` in ``[0, top]`` whose bounds are within the limits (monotone), or None."""
    if not _within(bounds_at(0)):
        return None
    low, high = 0, top
    while low < high:
        middle = (low + high + 1) // 2
        if _within(bounds_at(middle)):
            low = middle
        else:
            high = middle - 1
    return low


def objective_excess(instance: Instance, kept: int = 0) -> Excess | None:
    """``None`` when every plan's objective stays within :data:`LIMIT`, else what to lower."""
    bounds = objective_bound(instance, kept)
    if _within(bounds):
        return None
    if instance.affinities:
        largest = max(instance.affinities, key=lambda affinity: abs(affinity.bonus))
        allowed = _largest_within(
            lambda cap: objective_bound(instance, kept, bonus_cap=cap), abs(largest.bonus)
        )
        if allowed is not None and allowed < abs(largest.bonus):
            key = (largest.candidate_id, largest.post_id)
            return Excess("bonus", key, largest.bonus, allowed, *bounds)
    if instance.posts:
        top = max(instance.posts, key=lambda post: post.priority)
        allowed = _largest_within(
            lambda cap: objective_bound(instance, kept, priority_cap=cap),
            top.priority,
        )
        if allowed is not None and allowed < top.priority:
            return Excess("priority", (top.id,), top.priority, allowed, *bounds)
    return Excess("weights", (), 0, None, *bounds)
