"""The Markdown summary: command, machine, and medians per tier × solver with ratios to matcher.

A run that did not prove optimality within the limit has no time to optimum;
its runtime is only a lower bound on it. Medians over such runs are printed
as "≥ x" whenever an unproven run could move them, so a time limit never
passes for a measured time.
"""

from __future__ import annotations

import statistics
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from benchlib.results import Row

SOLVER_NAMES = {
    "matcher": "matcher",
    "matcher-listed": "matcher (pairs listed)",
    "matcher-implicit": "matcher (pairs implicit)",
    "textbook": "textbook CP-SAT",
    "highs": "HiGHS MIP",
}


@dataclass(frozen=True)
class Median:
    """A median that may only be a lower bound (``at_least``) because some runs were cut off."""

    value: float
    at_least: bool

    def text(self, digits: int = 2) -> str:
        return ("≥ " if self.at_least else "") + f"{self.value:.{digits}f}"


def censored_median(samples: Iterable[tuple[float, bool]]) -> Median | None:
    """Median of (value, cut off) samples; a cut-off value at or below it could raise it."""
    samples = list(samples)
    if not samples:
        return None
    middle = statistics.median(value for value, _ in samples)
    return Median(middle, any(cut and value <= middle for value, cut in samples))


def time_to_optimum(rows: list[Row]) -> Median | None:
    """Proven runs count with their time; the others with their runtime, as a lower bound.

    A worker that crashed or was killed counts with its wall time: it proved nothing.
    """
    return censored_median(
        (row.time_to_optimal, False)
        if row.time_to_optimal is not None
        else (row.runtime or row.wall or 0.0, True)
        for row in rows
    )


TARGET_GAP = 1e-4
"""Issue 3's province target: a gap of at most 0.01%, proven by the solver's own bound."""


def time_to_target_gap(rows: list[Row]) -> Median | None:
    """Runs with a checked plan within ``TARGET_GAP`` of their own bound count with their
    runtime (the bound comes with the end of the run); the others as lower bounds."""
    return censored_median(
        (row.runtime, False)
        if row.checker_ok
        and row.own_gap is not None
        and row.own_gap <= TARGET_GAP
        and row.runtime is not None
        else (row.runtime or row.wall or 0.0, True)
        for row in rows
    )


def target_table(rows: list[Row]) -> list[str]:
    """One line per tier × solver: how many runs proved a gap ≤ 0.01%, and how fast."""
    header = (
        "| tier | solver | runs | proven gap ≤ 0.01% | median time to it (s) | own gaps "
        "| time ÷ matcher |"
    )

    def line(group: list[Row], base: list[Row] | None) -> str:
        reached = time_to_target_gap(group)
        within = sum(
            bool(row.checker_ok) and row.own_gap is not None and row.own_gap <= TARGET_GAP
            for row in group
        )
        gaps = ", ".join(_fmt(row.own_gap, ".4%") if row.checker_ok else "no plan" for row in group)
        return (
            f"| {within} | {reached.text() if reached else '—'} | {gaps} "
            f"| {ratio(reached, time_to_target_gap(base)) if base else '—'} |"
        )

    return _per_tier_and_solver(rows, header, line)


def ratio(baseline: Median | None, matcher: Median | None) -> str:
    """Baseline ÷ matcher; "≥" when only the baseline's median is a lower bound."""
    if baseline is None or matcher is None or matcher.value <= 0:
        return "—"
    if matcher.at_least:
        return "?" if baseline.at_least else f"≤ {baseline.value / matcher.value:.1f}×"
    return ("≥ " if baseline.at_least else "") + f"{baseline.value / matcher.value:.1f}×"


def plain_median(values: Iterable[float | None]) -> float | None:
    present = [value for value in values if value is not None]
    return statistics.median(present) if present else None


def _fmt(value: float | None, spec: str) -> str:
    return "—" if value is None else format(value, spec)


def median_table(rows: list[Row]) -> list[str]:
    """One line per tier × solver, in run order, with ratios to matcher on the same tier."""
    header = (
        "| tier | solver | runs | proven optimal | plan checked | median first plan (s) "
        "| median time to optimum (s) | median gap | median peak (MiB) | eligible pairs "
        "| time ÷ matcher | memory ÷ matcher |"
    )

    def line(group: list[Row], base: list[Row] | None) -> str:
        optimum = time_to_optimum(group)
        peak = plain_median(row.peak_mib for row in group)
        base_peak = plain_median(row.peak_mib for row in base) if base else None
        gaps = [row.gap for row in group]
        gap = "no plan" if all(g is None for g in gaps) else _fmt(plain_median(gaps), ".3%")
        return (
            f"| {sum(row.proven for row in group)} | {sum(bool(row.checker_ok) for row in group)} "
            f"| {_fmt(plain_median(row.time_to_first_plan for row in group), '.2f')} "
            f"| {optimum.text() if optimum else '—'} | {gap} | {_fmt(peak, '.0f')} "
            f"| {_fmt(plain_median(row.num_pairs for row in group), ',.0f')} "
            f"| {ratio(optimum, time_to_optimum(base)) if base else '—'} "
            f"| {ratio(_exact(peak), _exact(base_peak)) if base else '—'} |"
        )

    return _per_tier_and_solver(rows, header, line)


def _per_tier_and_solver(
    rows: list[Row], header: str, line: Callable[[list[Row], list[Row] | None], str]
) -> list[str]:
    """A table with one line per tier × solver, in run order: tier, solver and runs, then
    ``line(runs, matcher's runs on that tier)``."""
    groups = _by_tier_and_solver(rows)
    lines = [header, "|---" * header.count(" | ") + "|---|"]
    for (tier, solver), group in groups.items():
        lines.append(
            f"| {tier} | {SOLVER_NAMES.get(solver, solver)} | {len(group)} "
            + line(group, groups.get((tier, "matcher")))
        )
    return lines


def _by_tier_and_solver(rows: list[Row]) -> dict[tuple[str, str], list[Row]]:
    """The runs of each tier × solver, in run order."""
    groups: dict[tuple[str, str], list[Row]] = {}
    for row in rows:
        groups.setdefault((row.tier, row.solver), []).append(row)
    return groups


def _exact(value: float | None) -> Median | None:
    return None if value is None else Median(value, False)


def run_table(rows: list[Row]) -> list[str]:
    """Every run, compactly: the CSV has the rest."""
    lines = [
        "| tier | seed | solver | status | first plan (s) | optimum (s) | runtime (s) "
        "| coverage | fit | gap | peak (MiB) | checker | note |",
        "|---|---|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for row in rows:
        checker = {True: "ok", False: f"{row.violations} violations", None: "—"}[row.checker_ok]
        lines.append(
            f"| {row.tier} | {row.seed} | {SOLVER_NAMES.get(row.solver, row.solver)} "
            f"| {row.status} | {_fmt(row.time_to_first_plan, '.2f')} "
            f"| {_fmt(row.time_to_optimal, '.2f')} | {_fmt(row.runtime, '.2f')} "
            f"| {_fmt(row.coverage, 'd')} | {_fmt(row.fit, '.2f')} | {_fmt(row.gap, '.3%')} "
            f"| {_fmt(row.peak_mib, '.0f')} | {checker} | {row.note.replace('|', '/')} |"
        )
    return lines


def markdown(
    rows: list[Row], command: str, machine: dict[str, str], notes: list[str], files: dict[str, str]
) -> str:
    """The whole summary file: how to reproduce it first, then the medians, then every run."""
    parts = [
        "# Benchmark: matcher against the textbook CP-SAT model and HiGHS",
        "",
        "Command:",
        "",
        f"    {command}",
        "",
        "Machine: " + "; ".join(f"{key} {value}" for key, value in machine.items()) + ".",
        "",
        *notes,
        "",
        "## Medians per tier and solver",
        "",
        *median_table(rows),
        "",
        "## Time to a proven gap of at most 0.01%",
        "",
        "Issue 3's province target. A run counts when its checked plan lies within 0.01% "
        "of its own proven bound; its runtime is then the time to it (the bound comes at "
        'the end of the run). Other runs count with their runtime as a lower bound ("≥").',
        "",
        *target_table(rows),
        "",
        "## Every run",
        "",
        *run_table(rows),
        "",
        "Files: " + ", ".join(f"[{label}]({name})" for label, name in files.items()) + ".",
        "",
    ]
    return "\n".join(parts)
