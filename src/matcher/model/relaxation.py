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

import os
import time
from dataclasses import dataclass
from fractions import Fraction
from typing import Any, cast

import numpy as np
import numpy.typing as npt
import scipy.sparse as sp
from ortools.linear_solver.python import model_builder_helper as mbh

from matcher.model.space import Row

FloatArray = npt.NDArray[np.float64]
DUAL_SCALE_BITS = 20
DUAL_SCALE = 1 << DUAL_SCALE_BITS
START_PER_CADRE = 4
START_PER_POST = 40
"""Pairs per cadre and per post (times its seats) in the first restricted LP, by weight."""
FORCING_COLUMNS = 20
"""Columns per unit of a row's lower side (best by weight) in the first restricted LP."""
ADD_PER_POST = 10
"""At most this many improving pairs per post join the LP each round."""
MAX_ROUNDS = 50


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

    def fixings(self, incumbent: int) -> npt.NDArray[np.int8]:
        """Per pair: 0 or 1 where every plan worth ≥ ``incumbent`` must take that value, else −1.

        Forcing pair k against its LP side moves the Lagrangian bound by |reduced
        cost|; if that drops it below the incumbent, no plan at least as good can do it.
        """
        fixed = np.full(self.reduced_costs.size, -1, dtype=np.int8)
        if self.bound is None:
            return fixed
        slack = (
            self.bound.numerator * (DUAL_SCALE // self.bound.denominator) - incumbent * DUAL_SCALE
        )
        reduced = self.reduced_costs
        fixed[(reduced < 0) & (-reduced > slack)] = 0
        fixed[(reduced > 0) & (reduced > slack)] = 1
        return fixed


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
    """Mask of the ``k`` highest-``score`` pairs within each group."""
    order = np.lexsort((-score, groups))
    sorted_groups = groups[order]
    starts = np.searchsorted(sorted_groups, sorted_groups, side="left")
    rank = np.arange(order.size) - starts
    mask = np.zeros(groups.size, dtype=bool)
    mask[order[rank < k]] = True
    return mask


class _LP:
    """GLOP on the columns ``active`` of the full problem."""

    def __init__(self, matrix: sp.csr_matrix, weights: npt.NDArray[np.int64],
                 lower: FloatArray, upper: FloatArray) -> None:  # fmt: skip
        self.matrix_t = matrix.T.tocsr().astype(np.float64)
        self.matrix_csc = matrix.tocsc().astype(np.float64)
        self.weights = weights
        self.lower, self.upper = lower, upper

    def solve(self, active: npt.NDArray[np.int64], time_limit: float) -> tuple[Any, Any]:
        sub = self.matrix_csc[:, active].tocsr()
        lp = mbh.ModelBuilderHelper()
        # the binding's stubs mistype these arrays; the call takes 1-D float64 arrays
        cast(Any, lp).fill_model_from_sparse_data(
            np.zeros(active.size), np.ones(active.size), self.weights[active].astype(np.float64),
            self.lower, self.upper, sub,
        )  # fmt: skip
        lp.set_maximize(True)
        glop = mbh.ModelSolverHelper("glop")
        glop.set_time_limit_in_seconds(max(time_limit, 0.01))
        glop.solve(lp)
        return glop.status(), glop


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
    lower = np.array([-np.inf if r.lower is None else r.lower for r in rows], dtype=np.float64)
    upper = np.array([np.inf if r.upper is None else r.upper for r in rows], dtype=np.float64)
    lp = _LP(matrix, weights, lower, upper)
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

    sign = 0.0
    for round_ in range(1, MAX_ROUNDS + 1):
        active = np.flatnonzero(in_lp)
        status, glop = lp.solve(active, time_limit - (time.perf_counter() - start))
        if status == mbh.SolveStatus.INFEASIBLE:
            if active.size == num_pairs:
                return failed("infeasible")
            in_lp[:] = True  # the restricted LP lacked columns: take them all
            continue
        if status != mbh.SolveStatus.OPTIMAL:
            return failed("unknown")
        duals = np.nan_to_num(glop.dual_values())
        if not sign:
            sign = _dual_sign(lp, active, duals, glop.reduced_costs())
        priced = weights - lp.matrix_t @ (sign * duals)
        improving = (priced > 1e-7) & ~in_lp
        out_of_time = time.perf_counter() - start > time_limit / 2
        if not improving.any() or round_ == MAX_ROUNDS or active.size == num_pairs or out_of_time:
            break  # the bound below holds for any duals, converged or not
        if post_idcs is not None:
            improving &= top_per_group(post_idcs, np.where(improving, priced, -np.inf),
                                        ADD_PER_POST)  # fmt: skip
        if os.environ.get("MATCHER_DEBUG"):
            print("round", round_, active.size, int(improving.sum()), time.perf_counter() - start)
        in_lp |= improving
    values = np.zeros(num_pairs)
    values[active] = np.clip(glop.variable_values(), 0.0, 1.0)
    scaled, reduced = _lagrangian_bound(matrix, weights, lower, upper, sign * duals)
    return Relaxation("optimal", values, Fraction(scaled, DUAL_SCALE), reduced,
                      time.perf_counter() - start, round_, int(active.size))  # fmt: skip


def _dual_sign(
    lp: _LP, active: npt.NDArray[np.int64], duals: FloatArray, reduced: FloatArray
) -> float:
    """+1 or −1: the sign convention under which ``c − Aᵀy`` is GLOP's reduced cost."""
    priced = lp.weights[active] - lp.matrix_t[active] @ duals
    return (
        1.0
        if np.abs(priced - reduced).sum()
        <= np.abs(lp.weights[active] + lp.matrix_t[active] @ duals - reduced).sum()
        else -1.0
    )


def _lagrangian_bound(
    matrix: sp.csr_matrix,
    weights: npt.NDArray[np.int64],
    lower: FloatArray,
    upper: FloatArray,
    duals: FloatArray,
) -> tuple[int, npt.NDArray[Any]]:
    """Exact Lagrangian bound (scaled by 2²⁰) and reduced costs for multipliers ``duals``."""
    y = np.rint(duals * DUAL_SCALE).astype(np.int64)
    y[(y > 0) & np.isinf(upper)] = 0  # a multiplier may only price a side that exists
    y[(y < 0) & np.isinf(lower)] = 0
    biggest_term = int(np.abs(y).max(initial=0)) * int(np.abs(matrix.data).max(initial=0))
    per_column = int(np.diff(matrix.tocsc().indptr).max(initial=0))
    safe = (
        biggest_term * max(per_column, 1) + int(np.abs(weights).max(initial=0)) * DUAL_SCALE
    ) < 1 << 62
    if safe:  # int64 products and sums cannot overflow: exact
        reduced: npt.NDArray[Any] = weights * DUAL_SCALE - matrix.T @ y
    else:  # Python integers
        reduced = weights.astype(object) * DUAL_SCALE - matrix.T.astype(object) @ y.astype(object)
    total = int(reduced[reduced > 0].sum(dtype=object))
    sides = np.where(y > 0, np.nan_to_num(upper, posinf=0), np.nan_to_num(lower, neginf=0))
    total += int(sum(int(a) * int(b) for a, b in zip(y[y != 0], sides[y != 0], strict=True)))
    return total, reduced
