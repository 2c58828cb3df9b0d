"""The solve of an instance with groups (rule 7, format v1.1): one full CP-SAT model.

``min_party_members`` and ``min_county_level`` hold only for a group with at
least one member, so they are not rows over pairs: each group that sets one gets
a 0/1 decision ``y`` (``members ≤ cap·y``, ``members ≥ y``, ``party ≥ min·y``,
``county ≥ min·y``). The LP, column generation, team bound, MIP and implicit
pairs of ``solve.pipeline`` know only rows over pairs, so an instance with any
group comes here instead:

1. every eligible pair is listed (``pipeline.prepare`` never builds a universe
   for it) and the rows of every family, rule 7's plain rows included, are built;
2. the LP over those rows, without the conditional ones, is a relaxation of the
   problem: its exact Lagrangian bound is a valid upper bound, its rounded plan,
   if it meets every row and condition, a plan (proven optimal if it reaches
   the bound);
3. CP-SAT solves the full model (the rows and the ``y``; the LP bound is kept
   beside it, not added as a row: see ``cpsat.build``) with the time limit, seed
   and workers of ``SolveParams``; the plan is optimal only when CP-SAT proves
   it, or when it reaches the LP bound.

An infeasible instance is diagnosed like any other, the conditions of rule 7
guarded beside the rows, so the conflict can name them.
"""

from __future__ import annotations

import math
import time
from functools import partial

import numpy as np
from ortools.sat.python import cp_model

from matcher.instance import Instance
from matcher.model import RuleInstance, groups
from matcher.prepare.encoding import IntArray
from matcher.solve import cpsat, neighbourhood
from matcher.solve import flow as flow_module
from matcher.solve.events import (
    DIAGNOSIS,
    FIRST_PLAN,
    LP,
    PREPARE,
    Listener,
)
from matcher.solve.flow import network_optimum
from matcher.solve.pipeline import (
    BUILD_SECONDS_PER_PAIR,
    FIRST_PLAN_SHARE,
    FLOW_PROOF,
    INFEASIBLE,
    LP_PROOF,
    UNKNOWN,
    Prepared,
    Proof,
    Result,
    SolveParams,
    _first_plan,
    _no_plan,
    _plan_result,
    _relaxation,
    _round,
    _rows_held,
    _search_whole,
    _Watch,
    diagnose,
)

LP_TIME_SHARE = 0.25
"""Share of the time limit the LP bound may take; the rest is CP-SAT's."""


def diagnose_grouped(
    prepared: Prepared, params: SolveParams, time_limit: float
) -> tuple[RuleInstance, ...] | None:
    """``pipeline.diagnose`` with rule 7's conditions guarded beside the rows."""
    conditions = groups.conditions(prepared.space)
    return diagnose(prepared, params, time_limit,
                    partial(cpsat.add_conditions, conditions=conditions, guarded=True))  # fmt: skip


def solve_grouped(
    instance: Instance,
    params: SolveParams,
    prepared: Prepared,
    start: float,
    *,
    progress: Listener | None = None,
    hint: IntArray | None = None,
) -> Result:
    """The lexicographic optimum of an instance with groups, proven when CP-SAT proves it."""
    assert prepared.all_listed and prepared.universe is None
    weights = prepared.objective.weights
    num_pairs = prepared.space.num_pairs
    times = {"prepare": time.perf_counter() - start}
    if hint is not None and hint.shape != (num_pairs,):
        raise ValueError(f"hint has {hint.size} values; the instance has {num_pairs} pairs")
    conditions = groups.conditions(prepared.space)
    size = {
        "candidates": instance.num_candidates,
        "posts": instance.num_posts,
        "seats": instance.num_seats,
        "eligible_pairs": num_pairs,
        "rows": len(prepared.rows),
        "group_conditions": len(conditions),
    }

    watch = _Watch(start, params, prepared, progress)
    report, finish, time_left = watch.report, watch.finish, watch.time_left

    def holds(plan: IntArray | None) -> bool:
        return (
            plan is not None
            and _rows_held(prepared, plan) == len(prepared.rows)
            and groups.conditions_hold(conditions, plan)
        )

    def value_of(plan: IntArray | None) -> int | None:
        return None if plan is None else int(np.dot(weights, plan))

    def better(plan: IntArray, than: IntArray | None) -> bool:
        return than is None or int(np.dot(weights, plan)) > int(np.dot(weights, than))

    search = neighbourhood.Search(prepared.space, prepared.rows, weights, tuple(conditions))

    def plan_result(values: IntArray, bound: int, proof: Proof) -> Result:
        values = watch.improved(search, values, bound, times)
        return finish(_plan_result(prepared, values, bound, proof, start, size, times))

    def infeasible() -> Result:
        report(DIAGNOSIS, None, None)
        conflicts = diagnose_grouped(prepared, params, max(time_left(), 0.01))
        return finish(_no_plan(INFEASIBLE, start, size, times, conflicts or ()))

    report(PREPARE, None, None)
    incumbent: IntArray | None = None
    if hint is not None and holds(hint):
        incumbent = hint.astype(np.int64)
    bound: int | None = None
    flow: flow_module.FlowOutcome | None = None
    if params.use_lp:  # the flow (rules 1, 5, 6) bounds every plan; its plan, repaired, is one
        flow = network_optimum(prepared.space, weights)
        times["flow"] = flow.runtime
        if flow.status == flow_module.INFEASIBLE:
            return infeasible()
        if flow.plan is not None and flow.value is not None:
            bound = flow.value
            if not search.broken(flow.plan):
                return plan_result(flow.plan, flow.value, FLOW_PROOF)
            first, bound = _first_plan(search, flow, start + FIRST_PLAN_SHARE * params.time_limit,
                                       params.seed, times)  # fmt: skip
            if first is not None and better(first, incumbent):
                incumbent = first
            report(FIRST_PLAN, value_of(incumbent), bound)
        relax = _relaxation(prepared, LP_TIME_SHARE * time_left())
        times["lp"] = relax.runtime
        size["lp_columns"] = relax.columns
        if relax.status == "infeasible":  # a relaxation: the problem is infeasible too
            return infeasible()
        if relax.bound is not None:
            lp_bound = math.floor(relax.bound)
            bound = lp_bound if bound is None else min(bound, lp_bound)
            rounded = _round(prepared, relax.values)
            if rounded is not None and holds(rounded) and better(rounded, incumbent):
                incumbent = rounded
            report(LP, value_of(incumbent), bound)
            if incumbent is not None and int(np.dot(weights, incumbent)) >= bound:
                return plan_result(incumbent, bound, LP_PROOF)

    if time_left() < 2 * BUILD_SECONDS_PER_PAIR * num_pairs and bound is not None:
        # the full model could not even be built in time: neighbourhoods only, a first
        # plan searched for until the limit if there is none yet (5,000 x 1,500 with groups)
        if incumbent is None and flow is not None and flow.value is not None:
            incumbent, _ = _first_plan(search, flow, start + params.time_limit, params.seed,
                                       times)  # fmt: skip
        if incumbent is not None:
            return plan_result(incumbent, bound, Proof.NONE)
        return finish(_no_plan(UNKNOWN, start, size, times))
    built = cpsat.build(num_pairs, prepared.rows, weights)
    cpsat.add_conditions(built, conditions)
    size["cpsat_variables"] = len(built.x)
    status, values, proven_bound = _search_whole(
        built, weights, params, time_left(), hint, incumbent, bound, report, progress, times
    )
    if values is not None and proven_bound is not None:
        return plan_result(values, proven_bound, Proof.CP_SAT)
    if status == cp_model.INFEASIBLE and incumbent is None:
        return infeasible()
    if incumbent is not None and bound is not None:
        return plan_result(incumbent, bound, Proof.NONE)
    return finish(_no_plan(UNKNOWN, start, size, times))
