"""``solve(instance) -> Result``: a checked first plan at once, then bounds, then proof.

1. Eligibility keeps only the pairs rules 2 and 3 allow.
2. The network part (rules 1, 5, 6) is solved exactly as a min-cost flow
   (``solve.flow``): its value bounds every plan, and if its plan keeps the team
   rows too it is the optimum. Otherwise it is repaired around the team rows it
   breaks (``solve.neighbourhood``) into a first plan within a tenth of the limit.
3. The LP relaxation (GLOP) gives an exact upper bound and, rounded, often a
   plan; if a plan reaches the bound it is optimal and we are done.
4. Otherwise binding teams are solved exactly for a tighter bound
   (``solve.team_bound``), a restricted search finds a good plan (CP-SAT near
   the LP; above 100,000 pairs a MIP over the best pairs, ``solve.mip``),
   reduced costs fix every pair that cannot be in any plan as good, and CP-SAT
   (or, after the MIP, HiGHS) searches the rest, up to a million pairs and when
   the rest is small enough.
5. A plan still short of its bound with time left is improved by neighbourhood
   search until the limit: a solve stops at a proof or at its limit.

The objective is the published lexicographic one, folded into one integer
weight per pair (``matcher.model.objective``). Every optimality claim is a
proof: the flow, the LP's Lagrangian bound, CP-SAT's own, or HiGHS's over the
pairs fixing leaves.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from dataclasses import dataclass, replace
from fractions import Fraction
from functools import partial

import numpy as np
import numpy.typing as npt
from ortools.sat.python import cp_model

from matcher.instance import Instance
from matcher.model import PairSpace, Row, RuleInstance, collect_rows
from matcher.model import objective as objective_module
from matcher.model.space import row_sides
from matcher.prepare.eligibility import Eligibility, eligible_pairs
from matcher.prepare.encoding import Encoded, IntArray, encode
from matcher.prepare.fit import PairFit, pair_fit
from matcher.solve import cpsat, implicit, mip, neighbourhood
from matcher.solve import flow as flow_module
from matcher.solve.events import (
    CPSAT,
    DIAGNOSIS,
    DONE,
    FIRST_PLAN,
    IMPROVE,
    LP,
    PREPARE,
    RESTRICTED,
    TEAM_BOUND,
    Listener,
    ProgressEvent,
    SearchListener,
    progress_event,
)
from matcher.solve.flow import network_optimum
from matcher.solve.relaxation import (
    DUAL_SCALE,
    LP_SHARE,
    Relaxation,
    constraint_matrix,
    solve_relaxation,
    top_per_group,
)
from matcher.solve.result import (
    FEASIBLE,
    FLOW_NEAR_PROOF,
    FLOW_PROOF,
    INFEASIBLE,
    LP_PROOF,
    MIP_PROOF,
    OPTIMAL,
    TEAM_PROOF,
    UNKNOWN,
    Proof,
    Result,
    SolveParams,
)

FIRST_PLAN_SHARE = 0.1
"""Share of the time limit within which a first checked plan is due (issue 16's target):
the flow's plan is repaired around the team rows it breaks for at most this long."""
RESTRICTED_PAIRS_PER_PLACEMENT = 20
"""Size of the restricted search for a first plan, per cadre the LP places."""
BUILD_SECONDS_PER_PAIR = 2e-5
"""Measured cost of building the CP-SAT model in Python (about 12 s per million pairs,
with margin); a search that cannot even be built in the time left is skipped."""
NEIGHBOURHOOD_PAIRS = 20
"""Around the LP's fractional part: the best pairs (by reduced cost) of each cadre and post."""
RESTRICTED_WORK_LIMIT = 10.0
"""Deterministic time for that search: it only needs a good plan, not a proof."""
RESTRICTED_GAP = 2
"""The search stops once its plan is within this much fit of the bound."""
GREEDY_ABOVE_PAIRS = 100_000
"""LP columns above which the implicit path fills the LP's plan greedily instead of
searching near it: at national scale (190,000 columns) that search found nothing in 60 s."""
AFTER_LP = 1.0
"""The implicit LP leaves this many times the first plan's time for the plan after it
(greedy fill, seat filling, the restricted model): the same kind of work, less of it (at
national scale 12 s before the LP, 5-8 s after; with twice that, runs ended 20-30 s
before the limit)."""
MIP_PLAN_ABOVE_PAIRS = 100_000
"""Listed pairs above which the plan comes from a MIP over the best pairs (``model.mip``),
not from CP-SAT near the LP: at 5,000 × 1,500 it came within 24.7, 10.0 and 16.4 units of
fit of the LP bound in 5-8 s, where the CP-SAT search near the LP stopped at 35.7 (seed 1)
and CP-SAT on the MIP's pairs needed 39-59 s for the same plans (2026-11-23-province-mip.md).
With the gap then closed by HiGHS (``MIP_PROOF_MAX_PAIRS``), 1,000 × 400 (262,000-269,000
pairs) was proven optimal in 2.0 and 1.6 s against 8.5 and 6.9 s without the MIP, 1,500 ×
700 (702,000-708,000) in 15.7 and 4.0 s where CP-SAT stopped at 60 s with a gap. City
(36,000-40,000) stays on CP-SAT: over six seeds a median of 0.31 s without the MIP, 0.38 s
with it (benchmarks/results/2026-11-23-mid-sizes.md)."""
MIP_SHARE = 0.8
"""Share of the time left after the LP that the restricted MIP may take. HiGHS's plan when
stopped early is poor (8,000 × 2,600, implicit: coverage 372 after 10 s, 3,293 of a bound
of 3,293 when done at 19 s); what it leaves goes to the steps after it."""
MIP_PAIRS_PER_END = 5
"""Best pairs by reduced cost of each cadre and of each post in that MIP: with 10 the plans
were the same or 2 units better (seed 2) and the MIP took twice as long."""
CP_SAT_AFTER_MIP_MAX_PAIRS = 1_000_000
"""Listed pairs above which nothing follows the restricted MIP (see below)."""
MIP_PROOF_MAX_PAIRS = 200_000
"""Pairs left by reduced-cost fixing up to which HiGHS, not CP-SAT, closes the gap after the
restricted MIP. 1,500 × 700: 19,109 and 78,012 such pairs proven in 1.3 and 10.3 s, where
CP-SAT stopped after 56 s with 4 and 13 units of fit open; 1,000 × 400: 0.3-0.5 s against
CP-SAT's 1.4-2.4 s. At 5,000 × 1,500 (645,472 pairs) it found nothing in 110 s."""
CP_SAT_MAX_FREE_PAIRS = 400_000
"""Free pairs above which CP-SAT is not started, the plan in hand kept with its bound. At
national scale 1.2M free pairs (no fixing against a loose bound) took 4.2 GiB and 277 s and
improved nothing; at 5,000 × 1,500, 3.5M took 60 s to build and found nothing better in
17 s, and 670,000 (seed 1, after the restricted MIP) ran 16.6 s for nothing better."""
MATERIALISE_AT_MOST = 20_000_000
"""Eligible pairs that may still be listed when the implicit path needs them all."""
IMPLICIT_ABOVE_CELLS = 20_000_000
"""Above this many cadre × post cells the eligible pairs are priced block by block, never
all listed (``model.implicit``); province (7.5M cells) stays below."""
PRICED_LP_ABOVE_CELLS = 1_000_000
"""Above this many cells the pairs are listed but the LP is solved over the universe
(``implicit.solve_lp``): at 5,000 × 1,500 it took 16-24 s against 35-41 s over the listed
pairs (3 seeds, same bound), with a few thousand fewer columns per round to price and add.
City (75,000 cells) stays on the listed LP, which proves it in a fraction of a second."""
CP_SAT_SUBSOLVERS = ("max_lp", "quick_restart")
"""The interleaved subsolvers when workers > 1. One worker is the default: on the city
seeds it proved the optimum 3-8x faster than two interleaved ones (benchmarks/results)."""


@dataclass(frozen=True)
class Prepared:
    """Everything derived from the instance before any solver runs.

    With a ``universe`` the space holds only some of the eligible pairs (at first
    none); the solver prices the others block by block (``model.implicit``).
    """

    enc: Encoded
    elig: Eligibility
    fit: PairFit
    space: PairSpace
    rows: list[Row]
    objective: objective_module.Objective
    universe: implicit.Universe | None = None

    @property
    def all_listed(self) -> bool:
        """Whether ``space`` holds every eligible pair (the listed model of the problem)."""
        return self.universe is None or self.space.num_pairs == self.universe.num_pairs


def prepare(instance: Instance, implicit_pairs: bool | None = None) -> Prepared:
    """Eligible pairs, their fit and weights, and the rows over them.

    ``implicit_pairs``: never list all eligible pairs (``model.implicit``); by default
    when the instance has more than ``IMPLICIT_ABOVE_CELLS`` cadre × post cells. By
    default, above ``PRICED_LP_ABOVE_CELLS`` the pairs are all listed but keep their
    universe, over which ``solve`` prices the LP; ``False`` lists them without one
    (for objectives other than the universe's, such as a re-plan's).
    """
    enc = encode(instance)
    cells = instance.num_candidates * instance.num_posts
    if instance.groups:  # rule 7 is solved over every pair listed (``solve.grouped``)
        implicit_pairs = False
    if implicit_pairs is None:
        implicit_pairs = cells > IMPLICIT_ABOVE_CELLS
        if not implicit_pairs and cells > PRICED_LP_ABOVE_CELLS:
            universe = implicit.build_universe(enc)
            return restricted(universe, implicit.eligible_keys(universe))
    if implicit_pairs:
        return restricted(implicit.build_universe(enc), np.zeros(0, dtype=np.int64))
    elig = eligible_pairs(enc)
    fit = pair_fit(enc, elig.cand_idcs, elig.post_idcs)
    space = PairSpace(enc, elig.cand_idcs, elig.post_idcs)
    rows = collect_rows(space)
    return Prepared(enc, elig, fit, space, rows, objective_module.build(space, fit))


def restricted(universe: implicit.Universe, keys: IntArray) -> Prepared:
    """The pairs of ``keys`` (sorted ``implicit.pair_keys``) with the full problem's rows,
    degrees and weights: a model of the full problem with every other pair at 0."""
    enc = universe.enc
    cands, posts = implicit.split_keys(universe, keys)
    fit = pair_fit(enc, cands, posts)
    space = PairSpace(enc, cands, posts, universe.degrees)
    rows = collect_rows(space)
    objective = objective_module.build(space, fit, None, universe.cand_fit_range)
    assert objective.coverage_weight == universe.coverage_weight
    elig = Eligibility(cands, posts, universe.reason_counts)
    return Prepared(enc, elig, fit, space, rows, objective, universe)


def _cp_solver(
    params: SolveParams,
    time_left: float,
    *,
    workers: int | None = None,
    work_limit: float | None = None,
) -> cp_model.CpSolver:
    """CP-SAT set up for what is left after LP fixing: a small model, a small gap.

    The gap is closed by LP reasoning (cuts on the team and quota rows), so the
    search runs with the full linear relaxation. Probing and symmetry detection
    cost more than they save on a model that LP fixing already reduced (city
    seed 1: 1.2 s against 1.8 s with them, 8.7 s with two interleaved workers).
    Presolve stays on: without it CP-SAT 9.15 aborted on a tiny model
    ("Infeasible solution!"), and it saved little. Parallel workers race and may
    return different optima of equal value; the interleaved search runs them in
    a fixed order, so the plan is reproducible. ``work_limit`` is in
    deterministic time units: unlike seconds, it stops the search at the same
    point on any machine.
    """
    solver = cp_model.CpSolver()
    parameters = solver.parameters
    parameters.max_time_in_seconds = max(time_left, 0.01)
    if work_limit is not None:
        parameters.max_deterministic_time = work_limit
    parameters.random_seed = params.seed
    parameters.num_workers = workers or params.workers
    parameters.linearization_level = 2
    parameters.cp_model_probing_level = 0
    parameters.symmetry_level = 0
    if parameters.num_workers > 1:
        parameters.interleave_search = True
        parameters.use_lns = False
        parameters.subsolvers.extend(CP_SAT_SUBSOLVERS)
    parameters.log_search_progress = params.log
    return solver


def _rows_held(prepared: Prepared, plan: IntArray) -> int:
    return sum(row.holds(plan) for row in prepared.rows)


def _round(prepared: Prepared, values: np.ndarray) -> IntArray | None:
    """The LP solution rounded to 0/1, if that satisfies every row."""
    plan = (values > 0.5).astype(np.int64)
    if _rows_held(prepared, plan) == len(prepared.rows):
        return plan
    return None


def _best_plan(weights: IntArray, *plans: IntArray | None) -> IntArray | None:
    """The plan of highest weighted value (the first of equals), or None if none is given."""
    return max((plan for plan in plans if plan is not None),
               key=lambda plan: int(np.dot(weights, plan)), default=None)  # fmt: skip


@dataclass
class _Watch:
    """A solve's clock and listener: the events it reports, and the first plan it held
    (``Result.first_plan_seconds``, whether anyone listens or not)."""

    start: float
    params: SolveParams
    prepared: Prepared
    progress: Listener | None
    first_plan: ProgressEvent | None = None

    def time_left(self) -> float:
        return self.params.time_limit - (time.perf_counter() - self.start)

    def report(self, phase: str, value: int | None, bound: int | None) -> None:
        if self.progress is None and (value is None or self.first_plan is not None):
            return
        elapsed = time.perf_counter() - self.start
        prepared = self.prepared
        event = progress_event(phase, elapsed, prepared.objective, prepared.fit, value, bound)
        if value is not None and self.first_plan is None:
            self.first_plan = event
        if self.progress is not None:
            self.progress(event)

    def finish(self, result: Result) -> Result:
        if self.progress is not None:
            self.progress(_final_event(result))
        if result.has_plan:
            first = self.first_plan or _final_event(result)
            result = replace(result, first_plan_seconds=first.elapsed,
                             first_plan_coverage=first.coverage)  # fmt: skip
        return result

    def improved(
        self, search: neighbourhood.Search, values: IntArray, bound: int, times: dict[str, float]
    ) -> IntArray:
        """``values``, improved by neighbourhood search until the limit when a gap is open and
        time is left (not with ``use_lp`` off: plain CP-SAT)."""
        weights = search.weights
        if not self.params.use_lp or int(np.dot(weights, values)) >= bound:
            return values
        if self.time_left() <= 0:
            return values
        began = time.perf_counter()
        values = neighbourhood.improve(
            search, values, bound, self.start + self.params.time_limit, self.params.seed,
            lambda plan: self.report(IMPROVE, int(np.dot(weights, plan)), bound),
        )  # fmt: skip
        times["improve"] = time.perf_counter() - began
        return values


def solve(
    instance: Instance,
    params: SolveParams | None = None,
    prepared: Prepared | None = None,
    *,
    progress: Listener | None = None,
    hint: IntArray | None = None,
) -> Result:
    """Solve ``instance`` to the lexicographic optimum within ``params.time_limit`` seconds.

    ``prepared`` (from ``prepare(instance)``) saves recomputing it when the caller has it.
    ``progress`` hears where the solve stands at each phase and each better plan or
    bound; it never changes the plan. ``hint`` (0/1 per pair of ``prepared.space``,
    e.g. the published plan in a re-plan) is where the search starts, and, if it
    breaks no rule, a plan the others must beat: it may make the solve faster,
    never its result worse, and every optimum is still proven.
    """
    params = params or SolveParams()
    start = time.perf_counter()
    prepared = prepared or prepare(instance)
    if instance.groups:
        # rule 7's conditional rows need a decision per group, which only the full
        # CP-SAT model over every listed pair holds (format v1.1)
        from matcher.solve import grouped

        return grouped.solve_grouped(instance, params, prepared, start,
                                     progress=progress, hint=hint)  # fmt: skip
    objective = prepared.objective
    weights = objective.weights
    num_pairs = prepared.space.num_pairs
    times = {"prepare": time.perf_counter() - start}
    if hint is not None and hint.shape != (num_pairs,):
        raise ValueError(f"hint has {hint.size} values; the instance has {num_pairs} pairs")

    watch = _Watch(start, params, prepared, progress)
    report, finish, time_left = watch.report, watch.finish, watch.time_left

    def plan_value(plan: IntArray | None) -> int | None:
        return None if plan is None else int(np.dot(weights, plan))

    report(PREPARE, None, None)
    feasible_hint: IntArray | None = None
    if hint is not None and _rows_held(prepared, hint) == len(prepared.rows):
        feasible_hint = hint.astype(np.int64)
    size = {
        "candidates": instance.num_candidates,
        "posts": instance.num_posts,
        "seats": instance.num_seats,
        "eligible_pairs": int(prepared.space.cand_degree.sum()),
        "rows": len(prepared.rows),
    }

    def plan_result(values: IntArray, bound: int, proof: Proof) -> Result:
        if flow_bound is not None:
            bound = min(bound, flow_bound)
        values = watch.improved(search, values, bound, times)
        return finish(_plan_result(prepared, values, bound, proof, start, size, times))

    def no_plan(status: str, conflicts: tuple[RuleInstance, ...] = ()) -> Result:
        return finish(_no_plan(status, start, size, times, conflicts))

    if not prepared.all_listed:
        return finish(_solve_implicit(prepared, params, watch, size, times))
    search = neighbourhood.Search(prepared.space, prepared.rows, weights)
    flow_bound: int | None = None
    flow = network_optimum(prepared.space, weights) if params.use_lp else None
    if flow is not None:
        times["flow"] = flow.runtime
    if flow is not None and flow.status == flow_module.INFEASIBLE:  # rules 1, 5, 6 cannot hold
        report(DIAGNOSIS, None, None)
        conflicts = diagnose(prepared, params, time_left())
        if conflicts is not None:
            return no_plan(INFEASIBLE, conflicts)
    if flow is not None and flow.plan is not None and flow.value is not None:
        flow_bound = flow.value
        if not search.broken(flow.plan):
            return plan_result(flow.plan, flow.value, FLOW_PROOF)
        first, flow_bound = _first_plan(search, flow, start + FIRST_PLAN_SHARE * params.time_limit,
                                        params.seed, times)  # fmt: skip
        feasible_hint = _best_plan(weights, feasible_hint, first)
        report(FIRST_PLAN, plan_value(feasible_hint), flow_bound)
    bound: int | None = flow_bound  # the LP's, below, where it is tighter
    incumbent = feasible_hint
    mip_first = num_pairs > MIP_PLAN_ABOVE_PAIRS
    large = num_pairs > CP_SAT_AFTER_MIP_MAX_PAIRS
    fixed = None
    proof = LP_PROOF
    if params.use_lp:
        relax = _relaxation(prepared, time_left())
        size["lp_columns"] = relax.columns
        times["lp"] = relax.runtime
        if relax.status == "infeasible":
            report(DIAGNOSIS, None, None)
            conflicts = diagnose(prepared, params, time_left())
            if conflicts is not None:
                return no_plan(INFEASIBLE, conflicts)
        if relax.bound is not None:
            bound = math.floor(relax.bound)  # plan_result takes the flow's where smaller
            # the published plan of a re-plan, if it still breaks no rule, competes with
            # the rounded LP: reduced-cost fixing then has a plan to measure against
            incumbent = _best_plan(weights, _round(prepared, relax.values), feasible_hint)
            report(LP, plan_value(incumbent), bound)
            if incumbent is not None and int(np.dot(weights, incumbent)) >= bound:
                return plan_result(incumbent, bound, LP_PROOF)
            if mip_first:  # the restricted MIP's plan first: the team bound then aims at it
                free = _mip_pairs(prepared, relax, incumbent)
                searched = _mip_plan(prepared, relax, free, params, MIP_SHARE * time_left())
                times["restricted"] = time.perf_counter() - start - sum(times.values())
                incumbent = _best_plan(weights, incumbent, searched)
                if incumbent is None and prepared.universe is not None:
                    incumbent = _heuristic_plan(prepared, prepared.universe)
                report(RESTRICTED, plan_value(incumbent), bound)
                if incumbent is not None and int(np.dot(weights, incumbent)) >= bound:
                    return plan_result(incumbent, bound, LP_PROOF)
            # a fractional LP: solve its binding teams exactly for a tighter bound
            lp_bound = bound
            relax = relax.tightened(prepared.space, prepared.rows, time_left() / 4,
                                    plan_value(incumbent))  # fmt: skip
            bound = math.floor(relax.bound) if relax.bound is not None else bound
            times["team bound"] = time.perf_counter() - start - sum(times.values())
            if bound < lp_bound:
                proof = TEAM_PROOF
                size["team_bound_gain"] = lp_bound - bound
            report(TEAM_BOUND, plan_value(incumbent), bound)
            if incumbent is not None and int(np.dot(weights, incumbent)) >= bound:
                return plan_result(incumbent, bound, proof)
            if not mip_first or incumbent is None:
                # a rounded plan (if any) is usually far below the bound, which would fix
                # few pairs; a short restricted search gets much closer
                listener = None  # plans only: the restricted model's bound is not the problem's
                if progress is not None:
                    listener = SearchListener(partial(report, RESTRICTED),
                                              plan_value(incumbent), bound)  # fmt: skip
                searched = _restricted_plan(prepared, relax, params, bound, time_left() / 2,
                                            hint=hint, listener=listener)  # fmt: skip
                times["restricted"] = time.perf_counter() - start - sum(times.values())
                incumbent = _best_plan(weights, incumbent, searched)
                report(RESTRICTED, plan_value(incumbent), bound)
        if incumbent is not None and bound is not None:
            value = int(np.dot(weights, incumbent))
            if value >= bound:
                return plan_result(incumbent, bound, proof)
            fixed = relax.fixings(value)
            size["fixed_pairs"] = int(np.count_nonzero(fixed >= 0))

    free_pairs = num_pairs if fixed is None else int(np.count_nonzero(fixed < 0))
    # every plan at least as good as the incumbent uses only pairs not fixed at 0
    unfixed = None if fixed is None else np.flatnonzero(fixed != 0)
    if unfixed is not None and mip_first and not large and unfixed.size <= MIP_PROOF_MAX_PAIRS:
        # so HiGHS's bound over them is the problem's
        assert incumbent is not None and bound is not None  # fixed is measured against them
        outcome = _mip(prepared, relax, unfixed, params, time_left())
        times["mip proof"] = time.perf_counter() - start - sum(times.values())
        incumbent = _best_plan(weights, incumbent, outcome.plan)
        assert incumbent is not None
        value = int(np.dot(weights, incumbent))
        if outcome.bound is not None and value >= outcome.bound:
            return plan_result(incumbent, value, MIP_PROOF)
        mip_bound = bound if outcome.bound is None else outcome.bound
        return plan_result(incumbent, min(bound, mip_bound), Proof.NONE)
    # after the restricted MIP, CP-SAT on what fixing leaves finds nothing better in time
    # (province seed 2: 280,000 free pairs, 22.5 s; seed 1: 670,000, 16.6 s)
    too_big = incumbent is not None and (large or free_pairs > CP_SAT_MAX_FREE_PAIRS)
    if too_big or time_left() < BUILD_SECONDS_PER_PAIR * free_pairs:
        # too big to build in time, or to help if built: the plan in hand and its bound
        if incumbent is not None and bound is not None:
            return plan_result(incumbent, bound, Proof.NONE)
        return no_plan(UNKNOWN)
    built = cpsat.build(num_pairs, prepared.rows, weights, fixed=fixed)
    size["cpsat_variables"] = len(built.x)
    # start from the best plan in hand; failing one, from the hint (a plan with holes)
    status, values, proven_bound = _search_whole(
        built, weights, params, time_left(), hint, incumbent, bound, report, progress, times
    )
    if values is not None and proven_bound is not None:
        return plan_result(values, proven_bound, Proof.CP_SAT)
    if status == cp_model.INFEASIBLE and incumbent is None:
        report(DIAGNOSIS, None, None)
        conflicts = diagnose(prepared, params, max(time_left(), 0.01))  # within the limit
        return no_plan(INFEASIBLE, conflicts or ())
    if incumbent is not None and bound is not None:
        return plan_result(incumbent, bound, Proof.NONE)
    return no_plan(UNKNOWN)


def _first_plan(
    search: neighbourhood.Search,
    flow: flow_module.FlowOutcome,
    deadline: float,
    seed: int,
    times: dict[str, float],
) -> tuple[IntArray | None, int]:
    """A plan keeping every rule, fast, from the flow whose plan breaks side rows, and the
    bound met on the way: the side rows priced into the flow (``flow.priced_flow``), and
    what that leaves broken repaired by neighbourhoods (``neighbourhood.repair``)."""
    assert flow.value is not None
    began = time.perf_counter()
    halfway = began + (deadline - began) / 2  # the other half is the repair's
    priced = flow_module.priced_flow(search.space, search.weights, search.rows, halfway, flow)
    times["priced flow"] = time.perf_counter() - began
    bound = flow.value if priced.bound is None else min(flow.value, priced.bound)
    plan = priced.plan
    if plan is not None and search.broken(plan):
        began = time.perf_counter()
        plan = neighbourhood.repair(search, plan, deadline, seed)
        times["repair"] = time.perf_counter() - began
    return plan, bound


def _search_whole(
    built: cpsat.CpBuild,
    weights: IntArray,
    params: SolveParams,
    seconds: float,
    hint: IntArray | None,
    incumbent: IntArray | None,
    bound: int | None,
    report: Callable[[str, int | None, int | None], None],
    progress: Listener | None,
    times: dict[str, float],
) -> tuple[cp_model.CpSolverStatus, IntArray | None, int | None]:
    """CP-SAT over a built model, the last search of a solve: (its status, the best plan,
    never worse than ``incumbent``, and the proven bound; None, None without a plan).

    It starts from ``incumbent``, failing one from ``hint``; a listener hears its plans
    and bounds when someone listens.
    """
    start_plan = hint if incumbent is None else incumbent
    if start_plan is not None:
        for var, value in zip(built.x, start_plan[built.free].tolist(), strict=True):
            built.model.add_hint(var, value)
    solver = _cp_solver(params, seconds)
    value_in_hand = None if incumbent is None else int(np.dot(weights, incumbent))
    report(CPSAT, value_in_hand, bound)
    listener = None
    if progress is not None:
        listener = SearchListener(partial(report, CPSAT), value_in_hand, bound)
        listener.attach(solver)
    status = solver.solve(built.model, listener)
    times["cpsat"] = solver.wall_time
    if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        return status, None, None
    solution = np.fromiter(solver.response_proto.solution, dtype=np.int64)
    values = built.plan_values(solution, weights.size)
    if incumbent is not None and int(np.dot(weights, incumbent)) > int(np.dot(weights, values)):
        values = incumbent  # time ran out before CP-SAT matched the plan in hand
    if status == cp_model.OPTIMAL:
        return status, values, int(np.dot(weights, values))
    cp_bound = math.floor(solver.best_objective_bound + 1e-6)
    return status, values, cp_bound if bound is None else min(bound, cp_bound)


def _plan_result(
    prepared: Prepared,
    values: IntArray,
    bound: int,
    proof: str,
    start: float,
    size: dict[str, int],
    times: dict[str, float],
) -> Result:
    """The plan ``values`` (0/1 per pair of ``prepared.space``) with a proven ``bound``."""
    objective = prepared.objective
    chosen = np.flatnonzero(values)
    coverage = int(objective.priority[chosen].sum())
    kept = int(objective.keep[chosen].sum())
    fit_scaled = int(objective.fit[chosen].sum())
    value = objective.value(coverage, kept, fit_scaled)
    bound = max(bound, value)
    coverage_bound, kept_bound, fit_bound = objective.tier_bounds(bound, coverage, kept)
    return Result(
        status=OPTIMAL if bound == value else FEASIBLE,
        assignments=tuple(
            zip(
                prepared.space.cand_idcs[chosen].tolist(),
                prepared.space.post_idcs[chosen].tolist(),
                strict=True,
            )
        ),
        coverage=coverage,
        coverage_bound=coverage_bound,
        fit=prepared.fit.value(fit_scaled),
        fit_bound=prepared.fit.value(fit_bound),
        runtime=time.perf_counter() - start,
        model_size=size,
        proof=proof if bound == value else "",
        phase_times=times,
        kept=kept,
        kept_bound=kept_bound,
    )


def _no_plan(
    status: str,
    start: float,
    size: dict[str, int],
    times: dict[str, float],
    conflicts: tuple[RuleInstance, ...] = (),
) -> Result:
    return Result(
        status=status,
        assignments=(),
        coverage=0,
        coverage_bound=0,
        fit=Fraction(0),
        fit_bound=Fraction(0),
        runtime=time.perf_counter() - start,
        model_size=size,
        conflicts=conflicts,
        phase_times=times,
    )


def _solve_implicit(
    prepared: Prepared,
    params: SolveParams,
    watch: _Watch,
    size: dict[str, int],
    times: dict[str, float],
) -> Result:
    """``solve`` without ever listing all eligible pairs (``model.implicit``).

    1. The LP by column generation over all pairs, priced block by block; its
       Lagrangian bound is summed exactly over all pairs.
    2. Its columns as a restricted model: the rounded LP, else a short search or (on
       large models) a greedy fill from a seed plan, gives a plan (any plan of a
       restricted model is a plan of the full one); on large models every seat it
       leaves empty then goes to the best unplaced cadre that keeps every rule, over
       all pairs (``implicit.fill_seats``).
    3. One more pass collects every pair outside the columns whose reduced cost is
       at least −slack (slack: bound − plan), at most ``NEAR_PER_POST`` per post:
       only such pairs can be in a better plan.
    4. CP-SAT over columns and those pairs, with reduced-cost fixing. Its bound holds
       for plans of those pairs; a plan using any other pair k is worth at most the
       LP bound + reduced(k) < the LP bound, which the pass bounds from above. The
       larger of the two is the proven bound.
    """
    universe = prepared.universe
    assert universe is not None
    instance = prepared.enc.instance
    start, report, time_left = watch.start, watch.report, watch.time_left

    def since() -> float:
        return time.perf_counter() - start - sum(times.values())

    def plan_result(model: Prepared, values: IntArray, bound: int, proof: Proof) -> Result:
        """The plan, improved by neighbourhoods over ``model``'s pairs if a gap is open and
        time is left (a plan of a restricted model is a plan of the full one)."""
        search = neighbourhood.Search(model.space, model.rows, model.objective.weights)
        values = watch.improved(search, values, bound, times)
        return _plan_result(model, values, bound, proof, start, size, times)

    seed = implicit.seed_plan(universe)  # the first plan's start, and the greedy fill's
    plan0 = implicit.first_plan(universe, seed)
    if plan0 is None:  # the greedy one failed (national seed 7): the flow's, over few pairs
        plan0 = _restricted_first_plan(universe, seed, params, times)
    times["first plan"] = since()

    def value_of(keys: IntArray) -> int:
        return int(universe.pair_weights(*implicit.split_keys(universe, keys)).sum())

    if plan0 is not None:
        report(FIRST_PLAN, value_of(plan0), None)
    lp = implicit.solve_lp(universe, time_left() - AFTER_LP * times["first plan"], plan0)
    times["lp"] = lp.runtime
    size["lp_columns"] = int(lp.keys.size)
    if lp.status != "optimal":
        if lp.status == "infeasible" and universe.num_pairs <= MATERIALISE_AT_MOST:
            # the restricted LP may lack columns a lower side needs; with all pairs listed
            # the LP either finds them or proves the rules cannot hold, and diagnose names why
            return solve(instance, _params_left(params, start),
                         prepare(instance, implicit_pairs=False))  # fmt: skip
        if lp.status == "unknown" and plan0 is not None:  # no LP round in time
            plan_model = restricted(universe, plan0)
            return plan_result(
                plan_model, np.ones(plan0.size, np.int64), universe.seat_bound(), Proof.NONE
            )
        return _no_plan(UNKNOWN, start, size, times)
    bound = lp.bound // DUAL_SCALE
    report(LP, None if plan0 is None else value_of(plan0), bound)
    first = restricted(universe, lp.keys)
    relax = _implicit_relaxation(first, lp)
    weights = first.objective.weights
    incumbent = _round(first, relax.values)
    flowed = _flow_near(universe, lp, first, params, start)
    times["flow"] = since()
    if flowed is not None:
        model, plan, flow_bound = flowed
        if flow_bound < bound:
            bound = flow_bound
            report(LP, int(np.dot(model.objective.weights, plan)), bound)
        if int(np.dot(model.objective.weights, plan)) >= bound:
            return plan_result(model, plan, bound, FLOW_NEAR_PROOF)
    if incumbent is not None and int(np.dot(weights, incumbent)) >= bound:
        return plan_result(first, incumbent, bound, LP_PROOF)
    first_keys = implicit.pair_keys(universe, first.space.cand_idcs, first.space.post_idcs)
    large = first.space.num_pairs > GREEDY_ABOVE_PAIRS
    searched = greedy = None
    if large:  # LP likely stopped early: fill it greedily
        by_value = lp.keys[np.argsort(-lp.values, kind="stable")]
        keys = implicit.greedy_plan(universe, seed, by_value)
        if keys is not None:
            greedy = np.isin(first_keys, keys).astype(np.int64)
        times["greedy"] = since()
    else:  # the restricted MIP over the LP's best columns, as on large listed models
        free = _mip_pairs(first, relax, incumbent)
        searched = _mip_plan(first, relax, free, params, MIP_SHARE * time_left())
        times["restricted"] = since()
    # the first plan's pairs are among the LP's columns (it started from them)
    before_lp = None if plan0 is None else np.isin(first_keys, plan0).astype(np.int64)
    incumbent = max(
        (plan for plan in (incumbent, searched, greedy, before_lp) if plan is not None),
        key=lambda plan: int(np.dot(weights, plan)),
        default=None,
    )
    if incumbent is None:
        return _no_plan(UNKNOWN, start, size, times)
    plan_keys = first_keys[incumbent == 1]
    if large:  # seats the LP's columns left empty
        plan_keys = implicit.fill_seats(universe, plan_keys)
        times["fill seats"] = since()
    value = value_of(plan_keys)
    report(RESTRICTED, value, bound)
    # the near pass only serves the final CP-SAT: skip both if that could not even be built,
    # or could not be given the pairs: when the slack leaves nearly every LP column free,
    # the pass picks its cap of pairs too (national, gaps of 0.002%-5%: all 187,548 columns
    # free, the pass 10-14 s for a search that never started)
    free_in_lp = int(np.count_nonzero(relax.fixings(value) < 0))
    near_cap = min(implicit.near_per_post(universe.num_posts) * universe.num_posts,
                   universe.num_pairs - lp.keys.size)  # fmt: skip
    no_room = (free_in_lp >= 0.9 * lp.keys.size
               and free_in_lp + near_cap > CP_SAT_MAX_FREE_PAIRS)  # fmt: skip
    no_search = no_room or (
        time_left() < lp.pass_seconds + BUILD_SECONDS_PER_PAIR * CP_SAT_MAX_FREE_PAIRS)  # fmt: skip
    if value >= bound or no_search:
        keys = np.union1d(lp.keys, plan_keys)
        on_keys = np.isin(keys, plan_keys).astype(np.int64)
        proof = LP_PROOF if value >= bound else Proof.NONE
        # the LP's own restricted model unless the seat filling went beyond its columns
        plan_model = first if keys.size == lp.keys.size else restricted(universe, keys)
        return plan_result(plan_model, on_keys, bound, proof)
    # pairs outside the LP that a better plan might use
    slack = lp.bound - value * DUAL_SCALE
    near = implicit.price(universe, lp.multipliers, lp.sides, lp.keys, -slack,
                          implicit.near_per_post(universe.num_posts))  # fmt: skip
    assert near.bound == lp.bound  # the same multipliers price the same pairs
    keys = np.union1d(np.union1d(lp.keys, near.picked), plan_keys)
    final = restricted(universe, keys)
    relax = _implicit_relaxation(final, lp)
    times["near pairs"] = since()
    size["near_pairs"] = int(near.picked.size)
    left_out_bound = None
    if near.left_out_best is not None:  # ≤ every plan using a pair left out
        left_out_bound = (lp.bound + near.left_out_best) // DUAL_SCALE
    on_final = np.isin(keys, plan_keys).astype(np.int64)
    assert int(np.dot(final.objective.weights, on_final)) == value

    def proven(cp_bound: int) -> int:
        return cp_bound if left_out_bound is None else max(cp_bound, left_out_bound)

    fixed = relax.fixings(value)
    size["fixed_pairs"] = int(np.count_nonzero(fixed >= 0))
    free_pairs = int(np.count_nonzero(fixed < 0))
    size["final_pairs"] = final.space.num_pairs
    if time_left() < BUILD_SECONDS_PER_PAIR * free_pairs or free_pairs > CP_SAT_MAX_FREE_PAIRS:
        return plan_result(final, on_final, bound, Proof.NONE)
    num_pairs = final.space.num_pairs
    built = cpsat.build(num_pairs, final.rows, final.objective.weights, fixed=fixed)
    size["cpsat_variables"] = len(built.x)
    for var, hint in zip(built.x, on_final[built.free].tolist(), strict=True):
        built.model.add_hint(var, hint)
    solver = _cp_solver(params, time_left())
    status = solver.solve(built.model)
    times["cpsat"] = solver.wall_time
    if status in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        solution = np.fromiter(solver.response_proto.solution, dtype=np.int64)
        values = built.plan_values(solution, num_pairs)
        found = int(np.dot(final.objective.weights, values))
        cp_bound = found if status == cp_model.OPTIMAL else math.floor(
            solver.best_objective_bound + 1e-6)  # fmt: skip
        if found >= value:
            proof = Proof.CP_SAT_NEAR
            return plan_result(final, values, min(bound, proven(cp_bound)), proof)
    return plan_result(final, on_final, bound, Proof.NONE)


def _params_left(params: SolveParams, start: float) -> SolveParams:
    """``params`` with only the time left since ``start``: a solve that starts again (the
    implicit LP's "infeasible" settled over listed pairs) never restarts the full limit."""
    left = params.time_limit - (time.perf_counter() - start)
    return replace(params, time_limit=max(left, 0.01))


def _restricted_first_plan(
    universe: implicit.Universe, seed: IntArray, params: SolveParams, times: dict[str, float]
) -> IntArray | None:
    """A first plan (its keys) from the first LP's columns and the seed plan's pairs: the
    flow over them, its side rows priced and repaired (``_first_plan``) for at most a
    tenth of the limit. A plan of those pairs is a plan of the full problem."""
    deadline = time.perf_counter() + FIRST_PLAN_SHARE * params.time_limit
    keys = np.union1d(implicit.start_pairs(universe), seed)
    model = restricted(universe, keys)
    weights = model.objective.weights
    flow = network_optimum(model.space, weights)
    if flow.plan is None or flow.value is None:
        return None
    search = neighbourhood.Search(model.space, model.rows, weights)
    plan: IntArray | None = flow.plan
    if search.broken(flow.plan):
        plan, _ = _first_plan(search, flow, deadline, params.seed, times)
    if plan is None:
        return None
    return implicit.pair_keys(universe, model.space.cand_idcs, model.space.post_idcs)[plan == 1]


def _flow_near(
    universe: implicit.Universe,
    lp: implicit.ImplicitLP,
    first: Prepared,
    params: SolveParams,
    start: float,
) -> tuple[Prepared, IntArray, int] | None:
    """The network part over the LP's pairs and every pair that could improve on its plan.

    The flow over the LP's columns gives a plan (if it keeps every row) worth ``value``;
    one pricing pass picks every pair outside them whose reduced cost is at least
    ``value − bound``: only such pairs can be in a better plan. The flow over both is an
    upper bound for the plans of those pairs, and the pass bounds every plan using another
    pair, so the larger of the two bounds the problem: on an assignment problem (OR-Library
    ``assignp5000``, 25M pairs) it is the flow's own plan. Returns (the model of those
    pairs, its best plan there, that bound), or None when the flow over the columns has no
    plan keeping every row, or no time is left for the pass.
    """
    weights = first.objective.weights
    flow = network_optimum(first.space, weights)
    if flow.plan is None or _rows_held(first, flow.plan) < len(first.rows):
        return None
    time_left = params.time_limit - (time.perf_counter() - start)
    if time_left < 2 * lp.pass_seconds:
        return None
    value = int(np.dot(weights, flow.plan))
    first_keys = implicit.pair_keys(universe, first.space.cand_idcs, first.space.post_idcs)
    plan_keys = first_keys[flow.plan == 1]
    slack = lp.bound - value * DUAL_SCALE
    near = implicit.price(universe, lp.multipliers, lp.sides, lp.keys, -slack,
                          implicit.near_per_post(universe.num_posts))  # fmt: skip
    keys = np.union1d(lp.keys, near.picked)
    final = restricted(universe, keys)
    on_final = np.isin(keys, plan_keys).astype(np.int64)
    wide = network_optimum(final.space, final.objective.weights)
    if wide.plan is None or wide.value is None:
        return final, on_final, lp.bound // DUAL_SCALE
    bound = wide.value
    if near.left_out_best is not None:  # every plan using a pair left out is worth at most
        bound = max(bound, (lp.bound + near.left_out_best) // DUAL_SCALE)
    bound = min(bound, lp.bound // DUAL_SCALE)
    if wide.value > value and _rows_held(final, wide.plan) == len(final.rows):
        on_final = wide.plan
    return final, on_final, bound


def _heuristic_plan(prepared: Prepared, universe: implicit.Universe) -> IntArray | None:
    """The implicit path's first plan (``implicit.first_plan``) over the listed pairs: a
    plan in a few seconds when the LP left the MIP too little time to find one (8,000 ×
    2,600 listed: LP 41 s of 60, no plan from the MIP in 10 s)."""
    keys = implicit.first_plan(universe, implicit.seed_plan(universe))
    if keys is None:
        return None
    space = prepared.space
    listed = implicit.pair_keys(universe, space.cand_idcs, space.post_idcs)
    plan = np.isin(listed, keys).astype(np.int64)
    return plan if _rows_held(prepared, plan) == len(prepared.rows) else None


def _relaxation(prepared: Prepared, time_limit: float) -> Relaxation:
    """The LP over the listed pairs: priced over the universe when there is one, else
    by ``solve_relaxation`` (which also settles what the universe's LP cannot: its
    "infeasible" may only mean its columns could not meet a lower side)."""
    start = time.perf_counter()
    if prepared.universe is not None:
        lp = implicit.solve_lp(prepared.universe, LP_SHARE * time_limit)
        if lp.status == "optimal":
            return _implicit_relaxation(prepared, lp)
        if lp.status != "infeasible":
            return Relaxation(lp.status, np.zeros(prepared.space.num_pairs), None,
                              np.zeros(prepared.space.num_pairs, np.int64), lp.runtime)  # fmt: skip
    space = prepared.space
    relax = solve_relaxation(prepared.rows, prepared.objective.weights,
                             time_limit - (time.perf_counter() - start),
                             cand_idcs=space.cand_idcs, post_idcs=space.post_idcs)  # fmt: skip
    return replace(relax, runtime=time.perf_counter() - start)


def _implicit_relaxation(prepared: Prepared, lp: implicit.ImplicitLP) -> Relaxation:
    """The implicit LP seen from a restricted model: its values, the reduced costs of the
    model's pairs under the LP's multipliers, and the bound over all pairs."""
    universe = prepared.universe
    assert universe is not None and len(prepared.rows) == universe.rowmap.num_rows
    num_pairs = prepared.space.num_pairs
    matrix = constraint_matrix(prepared.rows, num_pairs)
    reduced = prepared.objective.weights * DUAL_SCALE - matrix.T @ lp.multipliers
    keys = implicit.pair_keys(universe, prepared.space.cand_idcs, prepared.space.post_idcs)
    values = np.zeros(num_pairs)
    values[np.searchsorted(keys, lp.keys)] = lp.values
    bound = Fraction(lp.bound, DUAL_SCALE)
    return Relaxation("optimal", values, bound, reduced, lp.runtime, lp.rounds,
                      int(lp.keys.size), bound, lp.multipliers, lp.sides, matrix)  # fmt: skip


def _restricted_plan(
    prepared: Prepared,
    relax: Relaxation,
    params: SolveParams,
    bound: int,
    time_limit: float,
    *,
    hint: IntArray | None = None,
    listener: SearchListener | None = None,
) -> IntArray | None:
    """A good plan near the LP optimum, for reduced-cost fixing to measure against.

    When the LP optimum is fractional there is no plan to fix pairs against.
    First the LP's integral part is kept and only the neighbourhood of its
    fractional part (those cadres and posts, and the rows rounding breaks) is
    searched; failing that, the pairs with the best reduced costs overall. Any
    plan found is valid for the full problem. The search starts from the LP
    rounded, or from ``hint`` where that breaks fewer rows.
    """
    start = (relax.values > 0.5).astype(np.int64)
    if hint is not None and _rows_held(prepared, hint) > _rows_held(prepared, start):
        start = hint
    for fixed in (_neighbourhood(prepared, relax), _best_reduced(relax)):
        plan = _search(prepared, params, bound, fixed, time_limit, start, listener)
        if plan is not None:
            return plan
    return None


def _mip_pairs(
    prepared: Prepared,
    relax: Relaxation,
    incumbent: IntArray | None,
    per_end: int = MIP_PAIRS_PER_END,
) -> npt.NDArray[np.bool_]:
    """The pairs the restricted MIP may use: each cadre's and post's ``per_end`` best by
    reduced cost, the LP's support, and the plan in hand (so the MIP's optimum is at
    least that plan)."""
    space = prepared.space
    reduced = relax.reduced_costs.astype(np.float64)
    free = top_per_group(space.cand_idcs, reduced, per_end)
    free |= top_per_group(space.post_idcs, reduced, per_end)
    free |= relax.values > 1e-9
    if incumbent is not None:
        free |= incumbent.astype(bool)
    return free


def _mip_plan(
    prepared: Prepared,
    relax: Relaxation,
    free: npt.NDArray[np.bool_],
    params: SolveParams,
    time_limit: float,
) -> IntArray | None:
    """The best plan over the pairs ``free`` (``_mip_pairs``) by ``model.mip``."""
    return _mip(prepared, relax, np.flatnonzero(free), params, time_limit).plan


def _mip(
    prepared: Prepared,
    relax: Relaxation,
    pairs: IntArray,
    params: SolveParams,
    time_limit: float,
) -> mip.Outcome:
    """HiGHS over ``pairs`` only (``mip.search``): its best plan there, and its bound."""
    rows = prepared.rows
    num_pairs = prepared.space.num_pairs
    matrix = relax.matrix if relax.matrix is not None else constraint_matrix(rows, num_pairs)
    lower, upper = row_sides(rows)
    return mip.search(matrix, lower, upper, prepared.objective.weights, pairs, time_limit,
                      params.seed)  # fmt: skip


def _neighbourhood(prepared: Prepared, relax: Relaxation) -> np.ndarray:
    """Fix the LP's integral part; free the best pairs around its fractional part."""
    space, values = prepared.space, relax.values
    fractional = (values > 1e-6) & (values < 1 - 1e-6)
    rounded = (values > 0.5).astype(np.int64)
    cands = np.zeros(prepared.enc.instance.num_candidates, dtype=bool)
    posts = np.zeros(prepared.enc.instance.num_posts, dtype=bool)
    cands[space.cand_idcs[fractional]] = True
    posts[space.post_idcs[fractional]] = True
    for row in prepared.rows:
        if not row.holds(rounded):  # the assignments the LP makes in a row rounding breaks
            used = row.pairs[values[row.pairs] > 1e-6]
            cands[space.cand_idcs[used]] = True
            posts[space.post_idcs[used]] = True
    reduced = relax.reduced_costs.astype(np.float64)
    # the touched cadres' best posts, the touched posts' best cadres, and the LP's support
    free = (
        (cands[space.cand_idcs] & top_per_group(space.cand_idcs, reduced, NEIGHBOURHOOD_PAIRS))
        | (posts[space.post_idcs] & top_per_group(space.post_idcs, reduced, NEIGHBOURHOOD_PAIRS))
        | (values > 1e-6)
    )
    fixed = np.where(rounded.astype(bool), 1, 0).astype(np.int8)
    fixed[free] = -1
    return fixed


def _best_reduced(relax: Relaxation) -> np.ndarray:
    """Free the LP's support and the pairs with the best reduced costs overall."""
    reduced = relax.reduced_costs.astype(np.float64)
    placed = int(np.count_nonzero(relax.values > 1e-9))
    keep_count = min(reduced.size, RESTRICTED_PAIRS_PER_PLACEMENT * max(placed, 1))
    threshold = np.sort(reduced)[::-1][keep_count - 1] if keep_count else np.inf
    keep = (reduced >= threshold) | (relax.values > 1e-9)
    return np.where(keep, -1, 0).astype(np.int8)


def _search(
    prepared: Prepared,
    params: SolveParams,
    bound: int,
    fixed: np.ndarray,
    time_limit: float,
    start: IntArray,
    listener: SearchListener | None,
) -> IntArray | None:
    """A short, deterministic CP-SAT search over the pairs ``fixed`` leaves free, from ``start``."""
    weights = prepared.objective.weights
    built = cpsat.build(prepared.space.num_pairs, prepared.rows, weights, fixed=fixed)
    for var, value in zip(built.x, start[built.free].tolist(), strict=True):
        built.model.add_hint(var, value)
    solver = _cp_solver(params, time_limit, workers=1, work_limit=RESTRICTED_WORK_LIMIT)
    solver.parameters.absolute_gap_limit = RESTRICTED_GAP * prepared.fit.scale
    status = solver.solve(built.model, listener)
    if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        return None
    solution = np.fromiter(solver.response_proto.solution, dtype=np.int64)
    return built.plan_values(solution, prepared.space.num_pairs)


def _final_event(result: Result) -> ProgressEvent:
    """The last event of a solve: exactly the result's figures."""
    if not result.has_plan:
        return ProgressEvent(DONE, result.runtime)
    return ProgressEvent(DONE, result.runtime, result.coverage, result.kept, result.fit,
                         result.coverage_bound, result.kept_bound, result.fit_bound)  # fmt: skip


def diagnose(
    prepared: Prepared,
    params: SolveParams,
    time_limit: float,
    extend: Callable[[cpsat.CpBuild], None] | None = None,
) -> tuple[RuleInstance, ...] | None:
    """A minimal set of rule instances that cannot all hold; None if the rules can all hold.

    Every row gets an assumption literal. CP-SAT returns a core (a set of rows
    that cannot hold together); each row is then dropped in turn and kept out
    if the rest still cannot hold, so that every row named is needed for the
    conflict: the planner sees the conflict, not the rules around it. ``extend`` adds
    constraints beyond the rows, each guarded by a literal it appends to
    ``guard_literals`` and names in ``guards`` (rule 7's conditional rows).
    """
    start = time.perf_counter()
    built = cpsat.build(prepared.space.num_pairs, prepared.rows, diagnose=True)
    if extend is not None:
        extend(built)
    literal_of = {literal.index: literal for literal in built.guard_literals}

    def infeasible(assumed: list[int]) -> list[int] | None:
        """A core within ``assumed`` if those rows cannot hold together, else None."""
        built.model.clear_assumptions()
        built.model.add_assumptions([literal_of[index] for index in assumed])
        left = time_limit - (time.perf_counter() - start)
        solver = _cp_solver(params, max(left, 0.01), workers=1)
        status = solver.solve(built.model)
        if status != cp_model.INFEASIBLE:
            return None
        return list(solver.sufficient_assumptions_for_infeasibility())

    core = infeasible([literal.index for literal in built.guard_literals])
    if core is None:
        return None
    position = 0
    while position < len(core) and time.perf_counter() - start < time_limit:
        smaller = infeasible(core[:position] + core[position + 1 :])
        if smaller is None:
            position += 1  # needed: keep it
        else:
            core = [literal for literal in core if literal in set(smaller)]
    return tuple(built.guards[literal] for literal in core if literal in built.guards)
