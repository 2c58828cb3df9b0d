"""The plan and the bound after the LP, at province scale: which search, which bound.

For one instance: the LP (as ``matcher solve`` runs it), then on the same pairs
(each cadre's and post's ``k`` best by reduced cost, the LP's support) the
restricted MIP (``model.mip``, OR-Tools' HiGHS) and the CP-SAT search the listed
path uses (``--cp-sat-work`` deterministic seconds, one worker, from the rounded
LP); then the LP bound, and the team bound with the binding teams solved apart
(``model.team_bound``), aimed at the best plan. One JSON line per measurement,
values in units of fit below the LP bound (coverage ties everywhere here).

    python benchmarks/restricted_plan.py INSTANCE --per-end 5,10 --cp-sat-work 60
"""

from __future__ import annotations

import argparse
import json
import time

import numpy as np

from matcher.io.reader import read_instance
from matcher.solve import pipeline, studies


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("instance")
    parser.add_argument("--per-end", default="5,10")
    parser.add_argument("--cp-sat-work", type=float, default=60.0)
    parser.add_argument("--time-limit", type=float, default=300.0)
    args = parser.parse_args()
    prepared = studies.prepare(read_instance(args.instance))
    weights, space = prepared.objective.weights, prepared.space
    began = time.perf_counter()
    relax = studies.relaxation(prepared, 60.0)
    assert relax.bound is not None
    lp = float(relax.bound)

    def emit(what: str, seconds: float, plan: np.ndarray | None, **extra: object) -> None:
        below = None if plan is None else round(lp - float(np.dot(weights, plan)), 2)
        print(json.dumps({"instance": args.instance, "what": what, "seconds": round(seconds, 1),
                          "below_lp": below, **extra}), flush=True)  # fmt: skip

    emit("lp", time.perf_counter() - began, None, columns=relax.columns)
    params = studies.SolveParams()
    best = None
    for k in [int(k) for k in args.per_end.split(",")]:
        free = studies.mip_pairs(prepared, relax, None, k)
        began = time.perf_counter()
        plan = studies.mip_plan(prepared, relax, free, params, args.time_limit)
        emit("mip", time.perf_counter() - began, plan, per_end=k, pairs=int(free.sum()))
        best = studies.best_plan(weights, best, plan)
        pipeline.RESTRICTED_WORK_LIMIT = args.cp_sat_work
        began = time.perf_counter()
        fixed = np.where(free, -1, 0).astype(np.int8)
        start = (relax.values > 0.5).astype(np.int64)
        plan = studies.search(prepared, params, int(lp), fixed, args.time_limit, start, None)
        emit("cp-sat", time.perf_counter() - began, plan, per_end=k, pairs=int(free.sum()),
             work=args.cp_sat_work)  # fmt: skip
        best = studies.best_plan(weights, best, plan)
    target = None if best is None else int(np.dot(weights, best))
    began = time.perf_counter()
    tight = relax.tightened(space, prepared.rows, args.time_limit, target)
    assert tight.bound is not None
    print(json.dumps({"instance": args.instance, "what": "team bound",
                      "seconds": round(time.perf_counter() - began, 1),
                      "gain": round(lp - float(tight.bound), 2),
                      "best_below_lp": None if best is None else round(lp - target, 2)}),
          flush=True)  # fmt: skip


if __name__ == "__main__":
    main()
