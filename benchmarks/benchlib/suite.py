"""One instance through every solver, one process after the other, then checked and compared."""

from __future__ import annotations

import json
import os
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from benchlib.instances import Size
from benchlib.launch import Launched, launch
from benchlib.plans import Scale, best_bound, check, scale_of
from benchlib.results import Row
from matcher.instance import Instance

WORKERS = Path(__file__).resolve().parent.parent / "workers"
SOLVERS = ("matcher", "matcher-listed", "matcher-implicit", "textbook", "highs")
"""``matcher`` picks listed or implicit pairs by instance size; the other two force one."""
DEFAULT_SOLVERS = ("matcher", "textbook", "highs")


@dataclass(frozen=True)
class Settings:
    """What every worker is given; the same for all solvers so the comparison is fair."""

    time_limit: float
    lp_limit: float
    highs_rel_gap: float
    memory_gib: float
    solvers: tuple[str, ...]

    @property
    def hard_limit(self) -> float:
        """Kill a worker only far beyond its time limit: building a model may itself be slow."""
        return 2 * self.time_limit + self.lp_limit + 600


@dataclass(frozen=True)
class Outcome:
    """A worker's JSON record (``None`` if it wrote none) and how its process ended."""

    solver: str
    record: dict[str, Any] | None
    launched: Launched
    load1: float


def run_worker(
    solver: str, script: str, source: Path, out: Path, settings: Settings, extra: list[str]
) -> Outcome:
    """Start ``workers/<script>`` with this interpreter and read back what it wrote."""
    command = [sys.executable, str(WORKERS / script), str(source), str(settings.time_limit)]
    load1 = os.getloadavg()[0]
    out.unlink(missing_ok=True)
    log = out.with_suffix(".log")
    launched = launch([*command, str(out), *extra], log, settings.hard_limit, settings.memory_gib)
    record = json.loads(out.read_text(encoding="utf-8")) if out.exists() else None
    return Outcome(solver, record, launched, load1)


def run_instance(folder: Path, scratch: Path, settings: Settings) -> list[Outcome]:
    """``matcher``, then the textbook model, then HiGHS (after exporting its rows), in turn."""
    outcomes = []
    for solver in (name for name in SOLVERS if name in settings.solvers):
        if solver == "highs":
            outcomes.append(run_highs(folder, scratch, settings))
        elif solver.startswith("matcher-"):  # the same worker, pairs listed or implicit
            out = scratch / f"{solver}.json"
            pairs = ["--pairs", solver.removeprefix("matcher-")]
            outcomes.append(run_worker(solver, "run_matcher.py", folder, out, settings, pairs))
        else:
            out = scratch / f"{solver}.json"
            outcomes.append(run_worker(solver, f"run_{solver}.py", folder, out, settings, []))
    return outcomes


def run_highs(folder: Path, scratch: Path, settings: Settings) -> Outcome:
    """Export the rows in an ortools process, then solve them in a highspy-only one."""
    export = run_worker("export", "run_export.py", folder, scratch / "export.json", settings, [])
    if export.record is None:
        return Outcome("highs", None, export.launched, export.load1)
    extra = ["--lp-limit", str(settings.lp_limit), "--rel-gap", str(settings.highs_rel_gap)]
    npz, out = scratch / "export.npz", scratch / "highs.json"
    return run_worker("highs", "run_highs.py", npz, out, settings, extra)


def evaluate(size: Size, seed: int, instance: Instance, outcomes: list[Outcome]) -> list[Row]:
    """Rows for one instance: plans checked, bounds pooled, gaps against the best bound."""
    scale = scale_of([outcome.record for outcome in outcomes])
    rows = [_row(size, seed, instance, outcome, scale) for outcome in outcomes]
    checked = [row.objective for row in rows if row.checker_ok and row.objective is not None]
    best_plan = max(checked, default=None)
    best, wrong = best_bound([row.bound for row in rows], best_plan)
    for row in rows:
        _compare(row, scale, best, best_plan, wrong)
    return rows


def _row(size: Size, seed: int, instance: Instance, outcome: Outcome, scale: Scale | None) -> Row:
    """The solver's own report, plus the checker's coverage and fit of its plan."""
    launched, record = outcome.launched, outcome.record
    row = Row(
        size.label,
        size.text,
        seed,
        outcome.solver,
        peak_mib=launched.peak_mib,
        wall=launched.wall,
        load1=outcome.load1,
    )
    if record is None:
        row.status = "killed" if launched.killed else f"crashed ({launched.exit_code})"
        row.note = launched.log_tail
        return row
    model = record.get("model", {})
    row.status = record["status"]
    row.runtime = record["runtime"]
    row.time_to_first_plan = record.get("time_to_first_plan")
    row.bound = record.get("bound")
    row.num_pairs = record.get("num_pairs")
    row.model_rows = model.get("rows")
    row.model_vars = model.get("cpsat_variables")
    row.lp_bound = record.get("lp_bound")
    row.lp_time = record.get("lp_time")
    row.phases = " ".join(f"{name}={seconds:.1f}" for name, seconds in
                          record.get("phases", {}).items())  # fmt: skip
    row.note = record.get("note", "")
    if scale is not None and record.get("scale") and Scale(**record["scale"]) != scale:
        row.bound = None  # another weighting: its bound is on another objective
        row.note = _join(row.note, "objective weighted unlike the first solver's: bound not used")
    if record["plan"]:
        found = check(instance, record["plan"])
        row.checker_ok, row.violations = found.ok, found.violations
        row.coverage, row.fit = found.coverage, float(found.fit)
        if scale is not None:
            row.objective = scale.weighted(found.coverage, found.fit)
        if not found.ok:
            row.status = "failed"
            row.note = f"checker: {found.violations} violations, first: {found.first_violation}"
    return row


def _compare(
    row: Row, scale: Scale | None, best: int | None, best_plan: int | None, wrong: list[int]
) -> None:
    """Gaps against the pooled and the own bound; an optimality claim a better plan refutes."""
    if row.bound in wrong:
        row.note = _join(row.note, "own bound lies below a checked plan: not used")
    if row.status == "infeasible" and best_plan is not None:
        row.note = _join(row.note, "claimed infeasible; another solver's checked plan refutes it")
    row.best_bound = best
    if scale is None or row.objective is None or not row.checker_ok:
        return
    coverage, fit = scale.split(row.objective)  # exact, unlike the CSV's float fit
    if best is not None:
        row.gap = scale.gap(coverage, fit, best)
    if row.bound is not None and row.bound not in wrong:
        row.own_gap = scale.gap(coverage, fit, max(row.bound, row.objective))
    if row.status == "optimal":
        if best_plan is not None and row.objective < best_plan:
            row.note = _join(row.note, "claimed optimal; another solver's checked plan is better")
        else:
            row.time_to_optimal = row.runtime


def _join(first: str, second: str) -> str:
    return f"{first}; {second}" if first else second
