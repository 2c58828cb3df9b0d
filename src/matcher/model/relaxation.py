"""The LP relaxation (GLOP): a proven upper bound, a likely plan, and which pairs can be fixed.

Without the local-ratio rows the problem is a network flow (departments →
cadres → posts), whose LP optimum is already integral; with them it is nearly
so. Solving the LP first therefore gives CP-SAT a tight bound and, through
reduced costs, removes most pairs before the search starts.

The bound is not GLOP's floating-point objective. It is recomputed exactly
from the duals by Lagrangian duality: for any multipliers ``y`` of the right
signs, ``Σ_k max(0, c_k − (Aᵀy)_k) + Σ_i y_i·(the bound side of row i)`` bounds
every 0/1 plan from above. The duals are rounded to multiples of 2⁻²⁰, so the
whole sum is in exact integers and rounding errors can weaken the bound but
never make it wrong.
"""

from __future__ import annotations

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


@dataclass(frozen=True)
class Relaxation:
    """What the LP says about the 0/1 problem."""

    status: str
    """``optimal``, ``infeasible`` or ``unknown`` (time limit, numerical trouble)."""
    values: FloatArray
    bound: Fraction | None
    """Proven upper bound on the weighted objective of every 0/1 plan (None if unknown)."""
    reduced_costs: list[int]
    """Exact reduced cost of each pair in units of 2⁻²⁰, matching ``bound``."""
    runtime: float

    def fixings(self, incumbent: int) -> npt.NDArray[np.int8]:
        """Per pair: 0 or 1 where every plan worth ≥ ``incumbent`` must take that value, else −1.

        Forcing pair k against its LP side moves the Lagrangian bound by |reduced
        cost|; if that drops it below the incumbent, no plan at least as good can do it.
        """
        fixed = np.full(len(self.reduced_costs), -1, dtype=np.int8)
        if self.bound is None:
            return fixed
        slack = (self.bound - incumbent) * (1 << DUAL_SCALE_BITS)
        reduced = np.array(self.reduced_costs, dtype=object)
        fixed[np.array([rc < 0 and -rc > slack for rc in reduced], dtype=bool)] = 0
        fixed[np.array([rc > 0 and rc > slack for rc in reduced], dtype=bool)] = 1
        return fixed


def _matrix(rows: list[Row], num_pairs: int) -> sp.csr_matrix:
    lengths = np.array([row.pairs.size for row in rows], dtype=np.int64)
    indptr = np.concatenate(([0], np.cumsum(lengths)))
    indices = np.concatenate([row.pairs for row in rows]) if rows else np.zeros(0, np.int64)
    data = np.concatenate([row.coeffs for row in rows]) if rows else np.zeros(0, np.int64)
    return sp.csr_matrix(
        (data.astype(np.int64), indices, indptr), shape=(len(rows), num_pairs), dtype=np.int64
    )


def solve_relaxation(
    rows: list[Row], weights: npt.NDArray[np.int64], time_limit: float
) -> Relaxation:
    """Maximise ``weights·x`` over ``0 ≤ x ≤ 1`` and the rows, with GLOP."""
    start = time.perf_counter()
    num_pairs = int(weights.size)
    matrix = _matrix(rows, num_pairs)
    lower = np.array([-np.inf if r.lower is None else r.lower for r in rows], dtype=np.float64)
    upper = np.array([np.inf if r.upper is None else r.upper for r in rows], dtype=np.float64)
    lp = mbh.ModelBuilderHelper()
    # the binding's stubs mistype these arrays; the call takes 1-D float64 arrays
    cast(Any, lp).fill_model_from_sparse_data(
        np.zeros(num_pairs),
        np.ones(num_pairs),
        weights.astype(np.float64),
        lower,
        upper,
        matrix.astype(np.float64),
    )
    lp.set_maximize(True)
    glop = mbh.ModelSolverHelper("glop")
    glop.set_time_limit_in_seconds(max(time_limit, 0.01))
    glop.solve(lp)
    status = glop.status()
    if status == mbh.SolveStatus.INFEASIBLE:
        return Relaxation("infeasible", np.zeros(num_pairs), None, [], time.perf_counter() - start)
    if status != mbh.SolveStatus.OPTIMAL:
        return Relaxation("unknown", np.zeros(num_pairs), None, [], time.perf_counter() - start)
    values = np.clip(glop.variable_values(), 0.0, 1.0)
    duals = glop.dual_values()
    best: tuple[int, list[int]] | None = None
    for sign in (1.0, -1.0):  # whichever sign convention the solver used, both are valid
        scaled, reduced = _lagrangian_bound(matrix, weights, lower, upper, np.multiply(sign, duals))
        if best is None or scaled < best[0]:
            best = (scaled, reduced)
    assert best is not None
    bound = Fraction(best[0], 1 << DUAL_SCALE_BITS)
    return Relaxation("optimal", values, bound, best[1], time.perf_counter() - start)


def _lagrangian_bound(
    matrix: sp.csr_matrix,
    weights: npt.NDArray[np.int64],
    lower: FloatArray,
    upper: FloatArray,
    duals: FloatArray,
) -> tuple[int, list[int]]:
    """Exact Lagrangian bound (scaled by 2²⁰) and reduced costs for multipliers ``duals``."""
    y = np.rint(np.nan_to_num(duals) * (1 << DUAL_SCALE_BITS)).astype(np.int64)
    y[(y > 0) & np.isinf(upper)] = 0  # a multiplier may only price a side that exists
    y[(y < 0) & np.isinf(lower)] = 0
    magnitude = int(np.abs(y).max(initial=0)) * int(np.abs(matrix.data).max(initial=0))
    if magnitude * max(matrix.shape[0], 1) < 1 << 62:
        priced = (matrix.T @ y).tolist()  # int64 products and sums: exact, no overflow
    else:
        priced = (matrix.T.astype(object) @ y.astype(object)).tolist()  # Python integers
    reduced = [
        int(w) * (1 << DUAL_SCALE_BITS) - int(p)
        for w, p in zip(weights.tolist(), priced, strict=True)
    ]
    total = sum(rc for rc in reduced if rc > 0)
    for y_i, lo, up in zip(y.tolist(), lower.tolist(), upper.tolist(), strict=True):
        if y_i > 0:
            total += y_i * int(up)
        elif y_i < 0:
            total += y_i * int(lo)
    return total, reduced
