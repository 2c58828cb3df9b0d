"""Progress of one solve, for a planner watching a long run: phase, time, best plan, bound, gap.

The solver reports a :class:`ProgressEvent` at each phase boundary and, while
CP-SAT searches, at each better plan and each better bound. An event only
reads what the solver already knows; listening never changes the search, so
the same seed and workers give the same plan with or without a listener.

On a terminal the CLI shows the events as one updating line (rich); anywhere
else (a pipe, a file, a test) :func:`live_progress` shows nothing.
"""

from __future__ import annotations

import contextlib
import math
import sys
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from fractions import Fraction

from ortools.sat.python import cp_model
from rich.console import Console
from rich.live import Live
from rich.text import Text

from matcher.fit import PairFit
from matcher.model.objective import Objective, relative_gap

PREPARE, FIRST_PLAN, LP, TEAM_BOUND, RESTRICTED, CPSAT, DIAGNOSIS, DONE = (
    "prepare", "first plan", "lp", "team bound", "restricted", "cpsat", "diagnosis", "done",
)  # fmt: skip
"""The solver's phases, in the order they run (each but the last may be skipped)."""
PHASE_EN = {
    PREPARE: "eligible pairs", FIRST_PLAN: "greedy first plan", LP: "LP relaxation",
    TEAM_BOUND: "team bound",
    RESTRICTED: "search near the LP", CPSAT: "CP-SAT search", DIAGNOSIS: "naming the conflict",
    DONE: "done",
}  # fmt: skip
PHASE_ZH = {
    PREPARE: "计算可选人岗", FIRST_PLAN: "贪心初始方案", LP: "线性松弛", TEAM_BOUND: "班子上界",
    RESTRICTED: "局部搜索",
    CPSAT: "CP-SAT 搜索", DIAGNOSIS: "查找冲突规则", DONE: "完成",
}  # fmt: skip
TIER_ZH = {"coverage": "覆盖度", "kept": "保留原安排", "fit": "匹配度"}


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


# ----------------------------------------------------------------------------------------
# One updating line on a terminal


class ProgressLine:
    """The latest event as one line: phase, time, best coverage and fit, bound, gap."""

    def __init__(self, lang: str = "en") -> None:
        self.zh = lang == "zh"
        self.started = time.monotonic()
        self.event: ProgressEvent | None = None

    def update(self, event: ProgressEvent) -> None:
        self.event = event

    def text(self, elapsed: float) -> str:
        """E.g. ``CP-SAT search · 2.8 s · coverage 182 (bound 182) · fit 19336 (bound 19338) ·
        gap 0.01%``; a tier's bound is shown only once the tiers above it are closed (until
        coverage is proven, a fit bound promises nothing)."""
        phase = self.event.phase if self.event else PREPARE
        parts = [(PHASE_ZH if self.zh else PHASE_EN).get(phase, phase),
                 f"用时 {elapsed:.1f} 秒" if self.zh else f"{elapsed:.1f} s"]  # fmt: skip
        event = self.event
        if event is None:
            return " · ".join(parts)
        tiers: list[tuple[str, int | Fraction | None, int | Fraction | None]] = [
            ("coverage", event.coverage, event.coverage_bound)
        ]
        if event.kept_bound:  # a re-plan's keep tier; a plain solve has none
            tiers.append(("kept", event.kept, event.kept_bound))
        tiers.append(("fit", event.fit, event.fit_bound))
        closed_above = True
        for name, value, bound in tiers:
            parts.append(self._tier(name, value, bound if closed_above else None))
            closed_above = closed_above and (value is None or bound is None or bound <= value)
        if event.gap is not None:
            parts.append(f"差距 {event.gap:.2%}" if self.zh else f"gap {event.gap:.2%}")
        return " · ".join(part for part in parts if part)

    def _tier(self, name: str, value: int | Fraction | None, bound: int | Fraction | None) -> str:
        """``coverage 180 (bound 182)``, ``coverage bound 182`` or ``覆盖度 180（上界 182）``."""
        label = TIER_ZH[name] if self.zh else name
        if value is None:
            if bound is None:
                return ""
            return f"{label}上界 {_number(bound)}" if self.zh else f"{label} bound {_number(bound)}"
        if bound is None:
            return f"{label} {_number(value)}"
        if self.zh:
            return f"{label} {_number(value)}（上界 {_number(bound)}）"
        return f"{label} {_number(value)} (bound {_number(bound)})"

    def __rich__(self) -> Text:
        return Text(self.text(time.monotonic() - self.started), no_wrap=True, overflow="ellipsis")


def _number(value: int | Fraction) -> str:
    if isinstance(value, int) or value.denominator == 1:
        return str(value)
    return f"{float(value):.2f}"


@contextlib.contextmanager
def live_progress(
    console: Console, lang: str = "en", *, enabled: bool = True
) -> Iterator[Listener | None]:
    """A listener drawing one updating line on ``console``; None (silence) when it is not a
    terminal or not ``enabled`` (e.g. when the CP-SAT log already shows the search).

    The line is transient: it is erased when the solve ends, so what the command
    prints afterwards is the same as without it.
    """
    if not (enabled and console.is_terminal):
        yield None
        return
    line = ProgressLine(lang)
    with Live(line, console=console, transient=True, refresh_per_second=4,
              redirect_stdout=False, redirect_stderr=False):  # fmt: skip
        yield line.update


def stderr_console() -> Console:
    """Standard error, a terminal only if it really is one.

    Rich also treats ``FORCE_COLOR`` (set by many CI systems) as a terminal: right
    for colours, but a redrawn progress line would only clutter a log.
    """
    isatty = getattr(sys.stderr, "isatty", None)
    return Console(stderr=True, force_terminal=bool(isatty and isatty()), highlight=False)
