"""Solve the exported 0-1 formulation with HiGHS and hand back its plan and bound.

    python run_highs.py EXPORT.npz TIME_LIMIT OUT_JSON [--lp-limit S] [--rel-gap G]

Imports only highspy and numpy (ortools 9.15 and highspy 1.15 cannot share a
process). Binary columns, 2 threads, maximise. ``mip_rel_gap`` is 0 and
``mip_abs_gap`` just under 1 by default, so that "optimal" means what it means
for the other two: the integer objective equals its bound (HiGHS's default
relative gap of 1e-4 would stop early on the fit part of the objective). An
improving-solution callback stamps the first plan. The LP relaxation is solved
afterwards, on its own clock and time limit, as a reference bound only.
"""

from __future__ import annotations

import math
from typing import Any

import highspy
import numpy as np
from worker_io import Clock, arguments, write

STATUS = {
    highspy.HighsModelStatus.kOptimal: "optimal",
    highspy.HighsModelStatus.kInfeasible: "infeasible",
}


def load(path: str) -> dict[str, np.ndarray]:
    """The arrays written by ``run_export.py``, read fully into memory."""
    with np.load(path) as data:
        return {name: data[name] for name in data.files}


def model(data: dict[str, np.ndarray], integer: bool) -> highspy.HighsLp:
    """The formulation as one ``HighsLp`` (row-wise matrix), passed to HiGHS in one call."""
    num_cols = int(data["weights"].size)
    lp = highspy.HighsLp()
    lp.num_col_ = num_cols
    lp.num_row_ = int(data["row_lower"].size)
    lp.col_cost_ = data["weights"].astype(np.float64)
    lp.col_lower_ = np.zeros(num_cols)
    lp.col_upper_ = np.ones(num_cols)
    lp.row_lower_ = np.where(np.isinf(data["row_lower"]), -highspy.kHighsInf, data["row_lower"])
    lp.row_upper_ = np.where(np.isinf(data["row_upper"]), highspy.kHighsInf, data["row_upper"])
    lp.sense_ = highspy.ObjSense.kMaximize
    lp.a_matrix_.format_ = highspy.MatrixFormat.kRowwise
    lp.a_matrix_.num_col_ = num_cols
    lp.a_matrix_.num_row_ = lp.num_row_
    lp.a_matrix_.start_ = data["indptr"].astype(np.int32)
    lp.a_matrix_.index_ = data["indices"].astype(np.int32)
    lp.a_matrix_.value_ = data["data"]
    if integer:
        lp.integrality_ = [highspy.HighsVarType.kInteger] * num_cols
    return lp


def solver(threads: int, time_limit: float) -> highspy.Highs:
    """A quiet HiGHS with the benchmark's thread count and time limit."""
    highs = highspy.Highs()
    highs.setOptionValue("output_flag", False)
    highs.setOptionValue("threads", threads)
    highs.setOptionValue("time_limit", max(time_limit, 0.1))
    return highs


def integer_bound(bound: float) -> int | None:
    """A float bound on an integer objective as an integer, rounding error (not more) forgiven."""
    if not math.isfinite(bound):
        return None
    return math.floor(bound + 1e-6 + 1e-12 * abs(bound))


def solve_mip(data: dict[str, np.ndarray], time_limit: float, rel_gap: float) -> dict[str, Any]:
    """Build and solve the MIP; times from the start of building, plus the export's formulation."""
    clock = Clock()
    clock.start -= float(data["formulation_seconds"])
    highs = solver(2, time_limit)
    highs.setOptionValue("mip_rel_gap", rel_gap)
    highs.setOptionValue("mip_abs_gap", 0.99)  # integer objective: below 1 is exact
    highs.passModel(model(data, integer=True))
    built = clock.now()
    highs.cbMipImprovingSolution.subscribe(lambda _event: clock.plan_found())
    highs.run()
    runtime = clock.now()
    info = highs.getInfo()
    has_plan = info.primal_solution_status == 2  # kSolutionStatusFeasible
    status = STATUS.get(highs.getModelStatus(), "feasible" if has_plan else "unknown")
    plan: list[list[int]] = []
    if has_plan:
        chosen = np.flatnonzero(np.asarray(highs.getSolution().col_value) > 0.5)
        plan = np.column_stack((data["cand_idcs"][chosen], data["post_idcs"][chosen])).tolist()
    bound = info.mip_dual_bound
    return {
        "status": status,
        "runtime": runtime,
        "time_to_first_plan": clock.first_plan,
        "plan": plan,
        "bound": integer_bound(bound),
        "phases": {"formulation": float(data["formulation_seconds"]), "build": built},
        "note": f"HiGHS {highs.modelStatusToString(highs.getModelStatus())}",
    }


def solve_lp(data: dict[str, np.ndarray], time_limit: float) -> dict[str, Any]:
    """The LP relaxation's optimum, a reference bound; skipped when no time is given for it."""
    if time_limit <= 0:
        return {"lp_bound": None, "lp_time": None}
    clock = Clock()
    highs = solver(2, time_limit)
    highs.passModel(model(data, integer=False))
    highs.run()
    optimal = highs.getModelStatus() == highspy.HighsModelStatus.kOptimal
    return {
        "lp_bound": highs.getInfo().objective_function_value if optimal else None,
        "lp_time": clock.now(),
    }


def main() -> None:
    args = arguments(__doc__ or "")
    data = load(str(args.input))
    record = {"solver": "highs", **solve_mip(data, args.time_limit, args.rel_gap)}
    record.update(solve_lp(data, args.lp_limit))
    record["scale"] = {
        name: int(data[name]) for name in ("coverage_weight", "fit_floor", "fit_scale")
    }
    record["num_pairs"] = int(data["weights"].size)
    record["model"] = {
        "eligible_pairs": int(data["weights"].size),
        "rows": int(data["row_lower"].size),
        "nonzeros": int(data["indices"].size),
    }
    write(args.out, record)


if __name__ == "__main__":
    main()
