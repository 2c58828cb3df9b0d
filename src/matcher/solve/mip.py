"""A plan from a MIP over the pairs that matter: OR-Tools' bundled HiGHS on a restricted model.

At province scale (5 million pairs) no search can take the whole model, and
CP-SAT near the LP's fractional part stopped 35.7 units of fit below the LP
bound on seed 1. The LP's reduced costs say which pairs matter: each cadre's and
each post's few best. On those (about 27,000 pairs at 5,000 × 1,500) a
branch-and-cut MIP proves the restricted optimum in 5-8 s on an idle machine:
24.7, 10.0 and 16.4 units below the LP bound on seeds 1-3. CP-SAT on the same
pairs, in the same loaded run, took 39-59 s to reach the same plans on seeds 1
and 2 against the MIP's 10 s, and on seed 3 lost coverage
(benchmarks/results/2026-11-23-province-mip.md).

Given instead every pair reduced-cost fixing leaves at an incumbent's value, the
MIP's bound is the whole problem's: it closes the gap CP-SAT left open at
1,500 × 700 (benchmarks/results/2026-11-23-mid-sizes.md).

The model is every row over the chosen pairs, the others held at 0, so any plan
it returns keeps every rule; that is re-checked here in exact integers, since a
MIP solver works to a tolerance. Built through MathOpt's model storage in bulk
(as ``glop``), and solved by the HiGHS that ships inside OR-Tools: no extra
dependency, and no banner on stdout as through ``pywraplp``.
"""

from __future__ import annotations

import datetime
import math
import time
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
import scipy.sparse as sp
from ortools.math_opt import result_pb2
from ortools.math_opt.core.python import solver as core_solver
from ortools.math_opt.elemental.python import cpp_elemental, enums
from ortools.math_opt.python import init_arguments, parameters

from matcher.prepare.encoding import IntArray
from matcher.solve.glop import add_rows, add_variables, dense, solve_once

FloatArray = npt.NDArray[np.float64]
GAP_TOLERANCE = 0.5
"""Absolute: the objective is integral, so a gap below 1 proves the restricted optimum."""


@dataclass(frozen=True)
class Outcome:
    """HiGHS's answer over the pairs it was given: a plan (None if none found) and the
    bound it proved for every plan over them (None if none); the plan is proven best
    there when its value reaches the bound."""

    plan: IntArray | None
    bound: int | None


def search(
    matrix: sp.csr_matrix,
    lower: FloatArray,
    upper: FloatArray,
    weights: IntArray,
    free: IntArray,
    time_limit: float,
    seed: int = 0,
) -> Outcome:
    """The best 0/1 plan using only pairs ``free`` (indices into all pairs), and its bound.

    ``matrix`` holds every row over all pairs, ``lower ≤ matrix·x ≤ upper`` (±inf: no side).
    A plan found before ``time_limit`` but not proven best is returned too.
    """
    began = time.perf_counter()  # building and loading the model count against the limit
    restricted = matrix[:, free].tocoo()
    model = cpp_elemental.CppElemental()
    row_ids = add_rows(model, lower, upper)
    ids = add_variables(model, np.ones(free.size), weights[free].astype(np.float64))
    model.set_attrs(enums.BoolAttr1.VARIABLE_INTEGER, ids[:, None], np.ones(free.size, bool))
    model.set_attrs(enums.DoubleAttr2.LINEAR_CONSTRAINT_COEFFICIENT,
                    np.stack([row_ids[restricted.row], ids[restricted.col]], axis=1),
                    restricted.data.astype(np.float64))  # fmt: skip
    model.set_attr(enums.BoolAttr0.MAXIMIZE, (), True)
    init = init_arguments.StreamableSolverInitArguments().to_proto()
    solver = core_solver.new(parameters.SolverType.HIGHS.value, model.export_model(), init)
    solve_params = parameters.SolveParameters(
        time_limit=datetime.timedelta(
            seconds=max(time_limit - (time.perf_counter() - began), 0.01)
        ),
        random_seed=seed,
        relative_gap_tolerance=0.0,
        absolute_gap_tolerance=GAP_TOLERANCE,
    )
    result = solve_once(solver, solve_params)
    dual = result.termination.objective_bounds.dual_bound
    # HiGHS's bound is a float on an integer objective: rounding error forgiven, not more
    bound = math.floor(dual + 1e-6 + 1e-12 * abs(dual)) if math.isfinite(dual) else None
    if result.termination.reason == result_pb2.TERMINATION_REASON_INFEASIBLE:
        return Outcome(None, None)  # no plan over these pairs at all
    found = (result_pb2.TERMINATION_REASON_OPTIMAL, result_pb2.TERMINATION_REASON_FEASIBLE)
    if result.termination.reason not in found or not result.solutions:
        return Outcome(None, bound)
    chosen = dense(result.solutions[0].primal_solution.variable_values, ids) > 0.5
    plan = np.zeros(weights.size, dtype=np.int64)
    plan[free[chosen]] = 1
    activity = matrix @ plan
    if np.any(activity < lower) or np.any(activity > upper):
        return Outcome(None, bound)  # rounding a tolerance away broke a row: not a plan
    return Outcome(plan, bound)
