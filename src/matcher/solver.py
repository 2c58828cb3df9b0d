"""``solve(instance) -> Result``: eligible pairs, LP bound and fixing, then CP-SAT.

1. Eligibility keeps only the pairs rules 2 and 3 allow.
2. The LP relaxation (GLOP) gives an exact upper bound and, rounded, usually a
   plan; if that plan reaches the bound it is optimal and we are done.
3. Otherwise reduced costs fix every pair that cannot be in any plan as good as
   the rounded one, and CP-SAT searches the rest with the bound as a cut.

The objective is the published lexicographic one, folded into one integer
weight per pair (``matcher.model.objective``). Every optimality claim is a
proof: either the LP's Lagrangian bound or CP-SAT's own.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass, field
from fractions import Fraction
from functools import partial

import numpy as np
from ortools.sat.python import cp_model

from matcher.eligibility import Eligibility, eligible_pairs
from matcher.encoding import Encoded, IntArray, encode
from matcher.fit import PairFit, pair_fit
from matcher.instance import Instance
from matcher.model import PairSpace, Row, RuleInstance, collect_rows, cpsat
from matcher.model import objective as objective_module
from matcher.model.relaxation import Relaxation, solve_relaxation, top_per_group
from matcher.progress import (
    CPSAT,
    DIAGNOSIS,
    DONE,
    LP,
    PREPARE,
    RESTRICTED,
    TEAM_BOUND,
    Listener,
    ProgressEvent,
    SearchListener,
    progress_event,
)

OPTIMAL, FEASIBLE, INFEASIBLE, UNKNOWN = "optimal", "feasible", "infeasible", "unknown"
LP_PROOF = "LP bound"
TEAM_PROOF = "LP bound with teams solved exactly"
RESTRICTED_PAIRS_PER_PLACEMENT = 20
"""Size of the restricted search for a first plan, per cadre the LP places."""
BUILD_SECONDS_PER_PAIR = 2e-5
"""Measured cost of building the CP-SAT model in Python (about 12 s per million pairs,
with margin); a search that cannot even be built in the time left is skipped."""
MAX_SEARCH_PAIRS = 1_000_000
"""Above this many free pairs the final CP-SAT search is skipped: at 5,000 × 1,500 it
built 3.5M variables in about 60 s and then found nothing better in 17 s."""
NEIGHBOURHOOD_PAIRS = 20
"""Around the LP's fractional part: the best pairs (by reduced cost) of each cadre and post."""
RESTRICTED_WORK_LIMIT = 10.0
"""Deterministic time for that search: it only needs a good plan, not a proof."""
RESTRICTED_GAP = 2
"""The search stops once its plan is within this much fit of the bound."""
CP_SAT_SUBSOLVERS = ("max_lp", "quick_restart")
"""The interleaved subsolvers when workers > 1. One worker is the default: on the city
seeds it proved the optimum 3-8x faster than two interleaved ones (benchmarks/results)."""


@dataclass(frozen=True)
class SolveParams:
    """How to run the solvers; the same params and input give the same plan."""

    time_limit: float = 60.0
    seed: int = 0
    workers: int = 1
    """CP-SAT workers. One LP-heavy search is fastest here; more run a deterministic
    interleaved portfolio, never a racing one, so the plan stays reproducible."""
    log: bool = False
    use_lp: bool = True
    """Solve the LP relaxation first (bound, rounding, fixing); off = plain CP-SAT."""


@dataclass(frozen=True)
class Result:
    """What a solve produced: a plan with its proven bounds, or why there is none."""

    status: str
    assignments: tuple[tuple[int, int], ...]
    """(candidate index, post index) pairs of the plan."""
    coverage: int
    coverage_bound: int
    fit: Fraction
    fit_bound: Fraction
    """No plan covering at least ``coverage`` and keeping at least ``kept`` has a fit above this."""
    runtime: float
    model_size: dict[str, int]
    proof: str = ""
    """What proved the bound: ``LP_PROOF``, ``TEAM_PROOF``, "CP-SAT", or "" when not proven."""
    conflicts: tuple[RuleInstance, ...] = ()
    phase_times: dict[str, float] = field(default_factory=dict)
    kept: int = 0
    """Pairs of the published plan kept (a re-plan's middle tier; 0 for a plain solve)."""
    kept_bound: int = 0
    """No plan covering at least ``coverage`` keeps more than this."""

    @property
    def gap(self) -> float:
        """Relative distance to the proven bound, of the first objective level not closed."""
        return objective_module.relative_gap(self.coverage, self.coverage_bound, self.kept,
                                             self.kept_bound, self.fit, self.fit_bound)  # fmt: skip

    @property
    def has_plan(self) -> bool:
        return self.status in (OPTIMAL, FEASIBLE)


@dataclass(frozen=True)
class Prepared:
    """Everything derived from the instance before any solver runs."""

    enc: Encoded
    elig: Eligibility
    fit: PairFit
    space: PairSpace
    rows: list[Row]
    objective: objective_module.Objective


def prepare(instance: Instance) -> Prepared:
    enc = encode(instance)
    elig = eligible_pairs(enc)
    fit = pair_fit(enc, elig.cand_idcs, elig.post_idcs)
    space = PairSpace(enc, elig.cand_idcs, elig.post_idcs)
    rows = collect_rows(space)
    return Prepared(enc, elig, fit, space, rows, objective_module.build(space, fit))


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
    objective = prepared.objective
    weights = objective.weights
    num_pairs = prepared.space.num_pairs
    times = {"prepare": time.perf_counter() - start}
    if hint is not None and hint.shape != (num_pairs,):
        raise ValueError(f"hint has {hint.size} values; the instance has {num_pairs} pairs")

    def report(phase: str, value: int | None, bound: int | None) -> None:
        if progress is not None:
            elapsed = time.perf_counter() - start
            progress(progress_event(phase, elapsed, objective, prepared.fit, value, bound))

    def finish(result: Result) -> Result:
        if progress is not None:
            progress(_final_event(result))
        return result

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
        "eligible_pairs": num_pairs,
        "rows": len(prepared.rows),
    }

    def time_left() -> float:
        return params.time_limit - (time.perf_counter() - start)

    def plan_result(values: IntArray, bound: int, proof: str) -> Result:
        chosen = np.flatnonzero(values)
        coverage = int(objective.priority[chosen].sum())
        kept = int(objective.keep[chosen].sum())
        fit_scaled = int(objective.fit[chosen].sum())
        value = objective.value(coverage, kept, fit_scaled)
        bound = max(bound, value)
        coverage_bound, kept_bound, fit_bound = objective.tier_bounds(bound, coverage, kept)
        return finish(Result(
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
        ))  # fmt: skip

    def no_plan(status: str, conflicts: tuple[RuleInstance, ...] = ()) -> Result:
        return finish(Result(
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
        ))  # fmt: skip

    bound: int | None = None
    incumbent = feasible_hint
    fixed = None
    proof = LP_PROOF
    if params.use_lp:
        relax = solve_relaxation(
            prepared.rows,
            weights,
            time_left(),
            cand_idcs=prepared.space.cand_idcs,
            post_idcs=prepared.space.post_idcs,
        )
        size["lp_columns"] = relax.columns
        times["lp"] = relax.runtime
        if relax.status == "infeasible":
            report(DIAGNOSIS, None, None)
            conflicts = diagnose(prepared, params, time_left())
            if conflicts is not None:
                return no_plan(INFEASIBLE, conflicts)
        if relax.bound is not None:
            bound = math.floor(relax.bound)
            # the published plan of a re-plan, if it still breaks no rule, competes with
            # the rounded LP: reduced-cost fixing then has a plan to measure against
            incumbent = _best_plan(weights, _round(prepared, relax.values), feasible_hint)
            report(LP, plan_value(incumbent), bound)
            if incumbent is not None and int(np.dot(weights, incumbent)) >= bound:
                return plan_result(incumbent, bound, LP_PROOF)
            # a fractional LP: solve its binding teams exactly for a tighter bound
            lp_bound = bound
            relax = relax.tightened(prepared.space, prepared.rows, time_left() / 8)
            bound = math.floor(relax.bound) if relax.bound is not None else bound
            times["team bound"] = time.perf_counter() - start - sum(times.values())
            if bound < lp_bound:
                proof = TEAM_PROOF
                size["team_bound_gain"] = lp_bound - bound
            report(TEAM_BOUND, plan_value(incumbent), bound)
            if incumbent is not None and int(np.dot(weights, incumbent)) >= bound:
                return plan_result(incumbent, bound, proof)
            # a rounded plan (if any) is usually far below the bound, which would fix
            # few pairs; a short restricted search gets much closer
            listener = None  # plans only: the restricted model's bound is not the problem's
            if progress is not None:
                listener = SearchListener(partial(report, RESTRICTED), plan_value(incumbent), bound)
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
    too_big = incumbent is not None and free_pairs > MAX_SEARCH_PAIRS
    if too_big or time_left() < BUILD_SECONDS_PER_PAIR * free_pairs:
        # too big to build in time, or to help if built: the plan in hand and its bound
        if incumbent is not None and bound is not None:
            return plan_result(incumbent, bound, "")
        return no_plan(UNKNOWN)
    built = cpsat.build(num_pairs, prepared.rows, weights, fixed=fixed, upper_bound=bound)
    size["cpsat_variables"] = len(built.x)
    # start from the best plan in hand; failing one, from the hint (a plan with holes)
    start_plan = hint if incumbent is None else incumbent
    if start_plan is not None:
        for var, value in zip(built.x, start_plan[built.free].tolist(), strict=True):
            built.model.add_hint(var, value)
    solver = _cp_solver(params, time_left())
    report(CPSAT, plan_value(incumbent), bound)
    listener = None
    if progress is not None:
        listener = SearchListener(partial(report, CPSAT), plan_value(incumbent), bound)
        listener.attach(solver)
    status = solver.solve(built.model, listener)
    times["cpsat"] = solver.wall_time
    if status in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        solution = np.fromiter(solver.response_proto.solution, dtype=np.int64)
        values = built.plan_values(solution, num_pairs)
        if incumbent is not None and int(np.dot(weights, incumbent)) > int(np.dot(weights, values)):
            values = incumbent  # time ran out before CP-SAT matched the plan in hand
        cp_bound = math.floor(solver.best_objective_bound + 1e-6)
        proven_bound = cp_bound if bound is None else min(bound, cp_bound)
        if status == cp_model.OPTIMAL:
            proven_bound = int(np.dot(weights, values))
        return plan_result(values, proven_bound, "CP-SAT")
    if status == cp_model.INFEASIBLE and incumbent is None:
        report(DIAGNOSIS, None, None)
        conflicts = diagnose(prepared, params, max(time_left(), 10.0))
        return no_plan(INFEASIBLE, conflicts or ())
    if incumbent is not None and bound is not None:
        return plan_result(incumbent, bound, "")
    return no_plan(UNKNOWN)


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
    built = cpsat.build(prepared.space.num_pairs, prepared.rows, weights, fixed=fixed,
                        upper_bound=bound)  # fmt: skip
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
    prepared: Prepared, params: SolveParams, time_limit: float
) -> tuple[RuleInstance, ...] | None:
    """A minimal set of rule instances that cannot all hold; None if the rules can all hold.

    Every row gets an assumption literal. CP-SAT returns a core (a set of rows
    that cannot hold together); each row is then dropped in turn and kept out
    if the rest still cannot hold, so that every row named is needed for the
    conflict: the planner sees the conflict, not the rules around it.
    """
    start = time.perf_counter()
    built = cpsat.build(prepared.space.num_pairs, prepared.rows, diagnose=True)
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
