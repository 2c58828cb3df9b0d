"""Progress of one solve, for a planner watching a long run: phase, time, best plan, bound, gap.

The solver reports a :class:`ProgressEvent` at each phase boundary and, while
CP-SAT searches, at each better plan and each better bound. An event only
reads what the solver already knows; listening never changes the search, so
the same seed and workers give the same plan with or without a listener.

The terminal's line that shows them is ``matcher.cli.terminal``; nothing here
depends on it.
"""

from __future__ import annotations

import math
import threading
from collections.abc import Callable
from dataclasses import dataclass
from fractions import Fraction

from ortools.sat.python import cp_model

from matcher.model.objective import Objective, relative_gap
from matcher.prepare.fit import PairFit

PREPARE, FIRST_PLAN, LP, TEAM_BOUND, RESTRICTED, CPSAT, IMPROVE, DIAGNOSIS, DONE = (
    "prepare", "first plan", "lp", "team bound", "restricted", "cpsat", "improve", "diagnosis",
    "done",
)  # fmt: skip
"""The solver's phases, in the order they run (each but the last may be skipped)."""


@dataclass(frozen=True)
class ProgressEvent:
    """Where a solve stands: the best plan so far and the proven bound, by tier.

    ``coverage``/``kept``/``fit`` are None until a plan is known; the bounds are
    None until one is proven. With both, they read like a ``Result``'s.
    """

    phase: str
    elapsed: float
    """Seconds since the solve started."""
    coverage: int | None = None
    kept: int | None = None
    fit: Fraction | None = None
    coverage_bound: int | None = None
    kept_bound: int | None = None
    fit_bound: Fraction | None = None

    @property
    def gap(self) -> float | None:
        """As ``Result.gap``; None until there is both a plan and a bound."""
        if self.coverage is None or self.coverage_bound is None:
            return None
        assert self.kept is not None and self.fit is not None
        assert self.kept_bound is not None and self.fit_bound is not None
        return relative_gap(self.coverage, self.coverage_bound, self.kept, self.kept_bound,
                            self.fit, self.fit_bound)  # fmt: skip


Listener = Callable[[ProgressEvent], None]


def progress_event(
    phase: str,
    elapsed: float,
    objective: Objective,
    fit: PairFit,
    value: int | None,
    bound: int | None,
) -> ProgressEvent:
    """An event from the weighted objective ``value`` of the best plan and a proven ``bound``."""
    if value is None:
        if bound is None:
            return ProgressEvent(phase, elapsed)
        coverage_bound, kept_bound, fit_bound = objective.split(bound)
        return ProgressEvent(phase, elapsed, coverage_bound=coverage_bound,
                             kept_bound=min(kept_bound, objective.max_kept),
                             fit_bound=fit.value(fit_bound))  # fmt: skip
    coverage, kept, fit_scaled = objective.split(value)
    if bound is None:
        return ProgressEvent(phase, elapsed, coverage, kept, fit.value(fit_scaled))
    coverage_bound, kept_bound, fit_bound = objective.tier_bounds(bound, coverage, kept)
    return ProgressEvent(phase, elapsed, coverage, kept, fit.value(fit_scaled),
                         coverage_bound, kept_bound, fit.value(fit_bound))  # fmt: skip


class SearchListener(cp_model.CpSolverSolutionCallback):
    """CP-SAT's better plans, and once attached its better bounds, as ``report(value, bound)``.

    It only reads the solver's objective value and bound, so the search is the
    same with it or without it. A search over part of the pairs is not attached:
    its own bound says nothing about the whole problem.
    """

    def __init__(
        self, report: Callable[[int | None, int | None], None], best: int | None,
        bound: int | None,
    ) -> None:  # fmt: skip
        super().__init__()
        self.report = report
        self.best = best
        self.bound = bound
        self.lock = threading.Lock()  # workers may report from their own threads

    def on_solution_callback(self) -> None:
        value = round(self.objective_value)  # an integer objective: exact below 2**53
        with self.lock:
            if self.best is None or value > self.best:
                self.best = value
                self.report(self.best, self.bound)

    def on_bound(self, cp_bound: float) -> None:
        bound = math.floor(cp_bound + 1e-6)
        with self.lock:
            if self.bound is None or bound < self.bound:
                self.bound = bound
                self.report(self.best, self.bound)

    def attach(self, solver: cp_model.CpSolver) -> None:
        """Also hear CP-SAT's best bound (``CpSolver.best_bound_callback``, ortools 9.15)."""
        solver.best_bound_callback = self.on_bound
