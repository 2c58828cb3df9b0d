"""Every plan through the checker, and every bound on one scale, so the solvers are comparable.

All three solvers optimise the same integer ``M·coverage + scaled fit`` (one
weight per pair, exactly lexicographic); a bound from any of them is a bound
for all. Coverage and fit are taken from the checker, never from a solver.
"""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction
from typing import Any

from matcher.check.checker import check_plan
from matcher.instance import Instance


@dataclass(frozen=True)
class Scale:
    """How coverage and fit fold into one integer (``matcher.model.objective``)."""

    coverage_weight: int
    fit_floor: int
    fit_scale: int

    def weighted(self, coverage: int, fit: Fraction) -> int:
        """The integer objective of a plan with this (checked) coverage and fit."""
        scaled = fit * self.fit_scale
        if scaled.denominator != 1:
            raise ValueError(f"fit {fit} is not a multiple of 1/{self.fit_scale}")
        return coverage * self.coverage_weight + int(scaled)

    def split(self, value: int) -> tuple[int, Fraction]:
        """(coverage, fit) of a weighted value or bound, as ``Objective.split`` does."""
        coverage, fit = divmod(value - self.fit_floor, self.coverage_weight)
        return coverage, Fraction(fit + self.fit_floor, self.fit_scale)

    def gap(self, coverage: int, fit: Fraction, bound: int) -> float:
        """Distance to ``bound`` on the first objective level not closed, as ``Result.gap``.

        Coverage short of the bound's coverage: relative coverage gap. Otherwise the
        bound left for fit at this coverage, relative to its size (at least 1).
        """
        bound_coverage = self.split(bound)[0]
        if bound_coverage > coverage:
            return (bound_coverage - coverage) / max(bound_coverage, 1)
        fit_bound = Fraction(bound - coverage * self.coverage_weight, self.fit_scale)
        return float(abs(fit_bound - fit) / max(abs(fit_bound), Fraction(1)))


@dataclass(frozen=True)
class Checked:
    """The checker's verdict on one plan."""

    ok: bool
    violations: int
    coverage: int
    fit: Fraction
    first_violation: str


def check(instance: Instance, plan: list[list[int]]) -> Checked:
    """Map (candidate index, post index) to ids and run ``matcher.check.checker.check_plan``."""
    pairs = [(instance.candidates[c].id, instance.posts[p].id) for c, p in plan]
    report = check_plan(instance, pairs)
    first = report.violations[0].message_en if report.violations else ""
    return Checked(report.ok, len(report.violations), report.coverage, report.fit, first)


def scale_of(records: list[dict[str, Any] | None]) -> Scale | None:
    """The weighting of the first worker that reported one (``evaluate`` flags any other)."""
    for record in records:
        if record and record.get("scale"):
            return Scale(**record["scale"])
    return None


def best_bound(bounds: list[int | None], best_plan: int | None) -> tuple[int | None, list[int]]:
    """The tightest bound any solver proved, and the bounds a checked plan shows to be wrong.

    A bound below a plan that passed the checker cannot be right (for example a
    floating-point bound rounded the wrong way); it is reported, not used.
    """
    valid = [b for b in bounds if b is not None and (best_plan is None or b >= best_plan)]
    wrong = [b for b in bounds if b is not None and best_plan is not None and b < best_plan]
    return (min(valid) if valid else None), wrong
