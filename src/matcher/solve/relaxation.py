"""The LP relaxation (GLOP): a proven upper bound, a likely plan, and which pairs can be fixed.

Without the local-ratio rows the problem is a network flow (departments →
cadres → posts), whose LP optimum is already integral; with them it is nearly
so. Solving the LP first therefore gives CP-SAT a tight bound and, through
reduced costs, removes most pairs before the search starts.

Column generation keeps the LP small: it starts from the most valuable pairs of
every cadre and post, prices all pairs against the duals in one sparse
product, adds those that could improve the LP, and stops when none can. The LP
over a handful of pairs per cadre is then optimal for all of them.

The bound is not GLOP's floating-point objective. It is recomputed exactly
from the duals by Lagrangian duality: for any multipliers ``y`` of the right
signs, ``Σ_k max(0, c_k − (Aᵀy)_k) + Σ_i y_i·(the bound side of row i)`` bounds
every 0/1 plan from above, over all pairs, priced or not. The duals are rounded
to multiples of 2⁻²⁰, so the whole sum is in exact integers: rounding errors can
weaken the bound but never make it wrong.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass, replace
from fractions import Fraction
from typing import Any

import numpy as np
import numpy.typing as npt
import scipy.sparse as sp

from matcher.model.space import PairSpace, Row, row_sides
from matcher.solve import team_bound
from matcher.solve.glop import ColumnGLOP
from matcher.solve.result import Status

FloatArray = npt.NDArray[np.float64]
_log = logging.getLogger(__name__)

DUAL_SCALE_BITS = 20
DUAL_SCALE = 1 << DUAL_SCALE_BITS
START_PER_CADRE = 4
START_PER_POST = 40
"""Pairs per cadre and per post (times its seats) in the first restricted LP, by weight."""
FORCING_COLUMNS = 20
"""Columns per unit of a row's lower side (best by weight) in the first restricted LP."""
ADD_PER_POST = 30
"""At most this many improving pairs per post join the LP each round (30: 9 GLOP solves at
5000x1500 instead of 15 with 10, 49 s against 86 s)."""
MAX_ROUNDS = 50
MAX_PENALTY_RAISES = 3
"""Times the artificial columns' price is raised (×16) before their use proves infeasibility."""
LP_SHARE = 0.6
"""Column generation stops adding columns after this share of its time: the bound is only
as good as the duals (an unconverged LP at 5,000 × 1,500 gave a 1.75% gap instead of
0.017%), but a first plan must still be found after it (8 s on province seed 3, which at
0.7 ended a 60 s solve with no plan)."""


@dataclass(frozen=True)
class Relaxation:
    """What the LP says about the 0/1 problem."""

    status: str
    """``optimal``, ``infeasible`` or ``unknown`` (time limit, numerical trouble)."""
    values: FloatArray
    bound: Fraction | None
    """Proven upper bound on the weighted objective of every 0/1 plan (None if unknown)."""
    reduced_costs: npt.NDArray[Any]
    """Exact reduced cost of each pair in units of 2⁻²⁰ (int64, or Python ints if huge)."""
    runtime: float
    rounds: int = 0
    columns: int = 0
    """Pairs in the final restricted LP."""
    lp_bound: Fraction | None = None
    """The LP's own Lagrangian bound; ``bound`` may be tighter (``tightened``)."""
    multipliers: npt.NDArray[np.int64] | None = None
    """The exact multipliers (scaled by 2²⁰) behind ``reduced_costs``."""
    sides: npt.NDArray[np.int64] | None = None
    """The side of each row its multiplier prices (0 where the multiplier is 0)."""
    matrix: sp.csr_matrix | None = None
    in_blocks: npt.NDArray[np.bool_] | None = None
    """Pairs whose rows ``tightened`` solved exactly (their reduced cost no longer tells)."""

    def tightened(
        self, space: PairSpace, rows: list[Row], time_limit: float, plan: int | None = None
    ) -> Relaxation:
        """The same relaxation with each binding team solved exactly (``team_bound``);
        ``plan`` (a plan's value) is a bound no tightening can pass, where it may stop."""
        if (
            self.bound is None
            or self.multipliers is None
            or self.sides is None
            or self.matrix is None
            or self.reduced_costs.dtype != np.int64
        ):
            return self
        lp_total = self.bound.numerator * (DUAL_SCALE // self.bound.denominator)
        found = team_bound.tighten(space, rows, self.matrix, self.multipliers,
                                   self.reduced_costs, lp_total, self.sides, time_limit,
                                   None if plan is None else plan * DUAL_SCALE)  # fmt: skip
        if found.total >= lp_total:
            return self
        return replace(self, bound=Fraction(found.total, DUAL_SCALE), in_blocks=found.in_blocks)

    def fixings(self, incumbent: int) -> npt.NDArray[np.int8]:
        """Per pair: 0 or 1 where every plan worth ≥ ``incumbent`` must take that value, else −1.

        Forcing pair k against its LP side moves the Lagrangian bound by |reduced
        cost|; if that drops it below the incumbent, no plan at least as good can do it.
        A pair inside a block solved exactly is measured against the LP's own bound:
        its reduced cost bounds what forcing it costs the LP, not the block's optimum.
        """
        fixed = np.full(self.reduced_costs.size, -1, dtype=np.int8)
        if self.bound is None:
            return fixed
        slack: Any = _scaled(self.bound) - incumbent * DUAL_SCALE
        if self.in_blocks is not None and self.lp_bound is not None:
            slack = np.where(self.in_blocks, _scaled(self.lp_bound) - incumbent * DUAL_SCALE,
                             slack)  # fmt: skip
        reduced = self.reduced_costs
        fixed[(reduced < 0) & (-reduced > slack)] = 0
        fixed[(reduced > 0) & (reduced > slack)] = 1
        return fixed


def _scaled(bound: Fraction) -> int:
    """A bound in units of 2⁻²⁰ (it is one already: its denominator divides 2²⁰)."""
    return bound.numerator * (DUAL_SCALE // bound.denominator)


def constraint_matrix(rows: list[Row], num_pairs: int) -> sp.csr_matrix:
    """The rows as one sparse integer matrix (rows × pairs)."""
    lengths = np.array([row.pairs.size for row in rows], dtype=np.int64)
    indptr = np.concatenate(([0], np.cumsum(lengths)))
    indices = np.concatenate([row.pairs for row in rows]) if rows else np.zeros(0, np.int64)
    data = np.concatenate([row.coeffs for row in rows]) if rows else np.zeros(0, np.int64)
    return sp.csr_matrix(
        (data.astype(np.int64), indices, indptr), shape=(len(rows), num_pairs), dtype=np.int64
    )


def top_per_group(
    groups: npt.NDArray[np.int64], score: FloatArray, k: int
) -> npt.NDArray[np.bool_]:
    """Mask of the ``k`` highest-``score`` pairs within each group (ties: lower index first).

    One sort by (group, rank of score) as a single int64 key: ``np.lexsort`` on the
    two columns took 1.3-1.6 s per call at 5M pairs, this about 0.9 s.
    """
    rank = np.empty(score.size, dtype=np.int64)
    rank[np.argsort(-score, kind="stable")] = np.arange(score.size)
    order = np.argsort(groups.astype(np.int64) * score.size + rank)
    sorted_groups = groups[order]
    starts = np.searchsorted(sorted_groups, sorted_groups, side="left")
    mask = np.zeros(groups.size, dtype=bool)
    mask[order[np.arange(order.size) - starts < k]] = True
    return mask


def solve_relaxation(
    rows: list[Row],
    weights: npt.NDArray[np.int64],
    time_limit: float,
    *,
    cand_idcs: npt.NDArray[np.int64] | None = None,
    post_idcs: npt.NDArray[np.int64] | None = None,
) -> Relaxation:
    """Maximise ``weights·x`` over ``0 ≤ x ≤ 1`` and the rows, by column generation.

    Without ``cand_idcs``/``post_idcs`` every pair is a column from the start.
    """
    start = time.perf_counter()
    num_pairs = int(weights.size)
    matrix = constraint_matrix(rows, num_pairs)
    lower, upper = row_sides(rows)
    matrix_csc = matrix.tocsc()
    matrix_t = matrix_csc.T  # CSR of the transpose, for pricing, without a copy
    penalty = (
        4.0
        * (float(np.abs(weights).max(initial=1)) + 1.0)
        * max(float(np.abs(matrix.data).max(initial=1)), 1.0)
    )
    lp = ColumnGLOP(lower, upper, penalty)
    columns = np.zeros(0, dtype=np.int64)
    """The pair of each LP column, in the order the columns were added."""
    known = np.zeros(num_pairs, dtype=bool)
    score = weights.astype(np.float64)
    if cand_idcs is None or post_idcs is None:
        in_lp = np.ones(num_pairs, dtype=bool)
    else:
        in_lp = top_per_group(cand_idcs, score, START_PER_CADRE)
        in_lp |= top_per_group(post_idcs, score, START_PER_POST)
        # rows with a lower side (must place, min send, teams short of locals) need
        # some of their columns from the start, or the first LP may be infeasible
        for row in np.flatnonzero(lower > 0).tolist():
            helping = rows[row].pairs[rows[row].coeffs > 0]
            wanted = FORCING_COLUMNS * int(lower[row])
            best = np.argsort(-score[helping], kind="stable")[:wanted]
            in_lp[helping[best]] = True

    def failed(status: str) -> Relaxation:
        return Relaxation(status, np.zeros(num_pairs), None, np.zeros(num_pairs, np.int64),
                          time.perf_counter() - start)  # fmt: skip

    for round_ in range(1, MAX_ROUNDS + 1):
        new = np.flatnonzero(in_lp & ~known)
        block = matrix_csc[:, new].tocoo()
        lp.add(weights[new], block.col, block.row, block.data)
        columns = np.concatenate([columns, new])
        known[new] = True
        status = lp.solve(time_limit - (time.perf_counter() - start))
        if status == Status.INFEASIBLE:  # upper sides alone contradict: no column can help
            return failed(Status.INFEASIBLE)
        if status != Status.OPTIMAL:
            return failed(Status.UNKNOWN)
        duals = lp.duals()
        priced = weights - matrix_t @ duals
        improving = (priced > 1e-7) & ~in_lp
        out_of_time = time.perf_counter() - start > LP_SHARE * time_limit
        converged = not improving.any() or in_lp.all()
        if converged and lp.artificial_used():
            if lp.raises == MAX_PENALTY_RAISES:  # no pair can meet a lower side: the rules clash
                return failed(Status.INFEASIBLE)
            lp.raise_penalty()
            continue
        if converged or round_ == MAX_ROUNDS or out_of_time:
            break  # the bound below holds for any duals, converged or not
        if post_idcs is not None:  # the best few per post, ranked among the improving only
            candidates = np.flatnonzero(improving)
            chosen = top_per_group(post_idcs[candidates], priced[candidates], ADD_PER_POST)
            improving[candidates[~chosen]] = False
        if _log.isEnabledFor(logging.DEBUG):  # the sum is not free: only when shown
            _log.debug("round %s %s %s %s", round_, lp.num_columns, int(improving.sum()),
                       time.perf_counter() - start)  # fmt: skip
        in_lp |= improving
    values = np.zeros(num_pairs)
    values[columns] = lp.values()
    scaled, reduced, y, sides = _lagrangian_bound(matrix, weights, lower, upper, duals)
    bound = Fraction(scaled, DUAL_SCALE)
    return Relaxation(Status.OPTIMAL, values, bound, reduced, time.perf_counter() - start, round_,
                      lp.num_columns, bound, y, sides, matrix)  # fmt: skip


def _lagrangian_bound(
    matrix: sp.csr_matrix,
    weights: npt.NDArray[np.int64],
    lower: FloatArray,
    upper: FloatArray,
    duals: FloatArray,
) -> tuple[int, npt.NDArray[Any], npt.NDArray[np.int64], npt.NDArray[np.int64]]:
    """Exact Lagrangian bound (scaled by 2²⁰), reduced costs, multipliers and priced sides."""
    y, sides = multipliers(duals, lower, upper)
    biggest_term = int(np.abs(y).max(initial=0)) * int(np.abs(matrix.data).max(initial=0))
    per_column = int(np.diff(matrix.tocsc().indptr).max(initial=0))
    safe = (
        biggest_term * max(per_column, 1) + int(np.abs(weights).max(initial=0)) * DUAL_SCALE
    ) < 1 << 62
    if safe:  # int64 products and sums cannot overflow: exact
        reduced: npt.NDArray[Any] = weights * DUAL_SCALE - matrix.T @ y
    else:  # Python integers
        reduced = weights.astype(object) * DUAL_SCALE - _exact_column_sums(matrix, y)
    total = int(reduced[reduced > 0].sum(dtype=object)) + priced_sides(y, sides)
    return total, reduced, y, sides


def _exact_column_sums(matrix: sp.csr_matrix, y: npt.NDArray[np.int64]) -> npt.NDArray[Any]:
    """``matrix.T @ y`` in Python integers (scipy.sparse refuses object entries): each
    column's products summed as differences of one running total."""
    csc = matrix.tocsc()
    products = csc.data.astype(object) * y.astype(object)[csc.indices]
    running = np.concatenate([np.zeros(1, dtype=object), np.cumsum(products, dtype=object)])
    return running[csc.indptr[1:]] - running[csc.indptr[:-1]]


def multipliers(
    duals: FloatArray, lower: FloatArray, upper: FloatArray
) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.int64]]:
    """The duals as exact multipliers (scaled by 2²⁰) of the right signs, and the side each prices.

    Shared with ``model.implicit``, which sums the same bound block by block.
    """
    y = np.rint(duals * DUAL_SCALE).astype(np.int64)
    y[(y > 0) & np.isinf(upper)] = 0  # a multiplier may only price a side that exists
    y[(y < 0) & np.isinf(lower)] = 0
    return y, sides_of(y, lower, upper)


def sides_of(
    y: npt.NDArray[np.int64], lower: FloatArray, upper: FloatArray
) -> npt.NDArray[np.int64]:
    """The side of each row its multiplier prices: upper for y > 0, lower for y < 0, else 0."""
    sides = np.where(y > 0, np.nan_to_num(upper, posinf=0), np.nan_to_num(lower, neginf=0))
    return np.where(y != 0, sides, 0).astype(np.int64)


def priced_sides(y: npt.NDArray[np.int64], sides: npt.NDArray[np.int64]) -> int:
    """``Σ y_i·side_i`` in Python integers: the row part of the Lagrangian bound."""
    return int(sum(int(a) * int(b) for a, b in zip(y[y != 0], sides[y != 0], strict=True)))
