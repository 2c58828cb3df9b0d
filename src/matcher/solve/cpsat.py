"""The CP-SAT model: one Boolean per eligible pair that is not fixed, one row per rule instance.

Rules 2 and 3 (eligibility, birthplace avoidance) are enforced by never
creating a variable for an excluded pair; pairs that the LP proves fixed are
constants. For a diagnosis every row gets its own assumption literal, so that
CP-SAT can name the rule instances that cannot hold together.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import numpy.typing as npt
from ortools.sat.python import cp_model

from matcher.model.groups import Condition
from matcher.model.space import Row, RuleInstance
from matcher.prepare.encoding import IntArray


@dataclass
class CpBuild:
    """A CP-SAT model whose first ``free.size`` variables are the free pairs, in order."""

    model: cp_model.CpModel
    free: IntArray
    fixed_one: IntArray
    x: list[cp_model.IntVar]
    guards: dict[int, RuleInstance] = field(default_factory=dict)
    guard_literals: list[cp_model.IntVar] = field(default_factory=list)

    def plan_values(self, solution: IntArray, num_pairs: int) -> IntArray:
        """0/1 value of every pair, from the values of the free variables."""
        values = np.zeros(num_pairs, dtype=np.int64)
        values[self.fixed_one] = 1
        values[self.free] = solution[: self.free.size]
        return values


def build(
    num_pairs: int,
    rows: list[Row],
    weights: npt.NDArray[np.int64] | None = None,
    *,
    fixed: npt.NDArray[np.int8] | None = None,
    diagnose: bool = False,
) -> CpBuild:
    """Model ``rows`` over the pairs not in ``fixed`` (−1 = free, 0/1 = fixed value).

    With ``weights`` the objective is ``max Σ weights·x``. A bound proven elsewhere is
    not added as a row: it slowed CP-SAT down everywhere it was measured (city seed 2:
    0.73 s with it, 0.13 s without; binding-teams city: 1.68 s, 0.41 s; city-v11 with
    groups: 29.8 s, 3.8 s); the solver takes the smaller of the two bounds after.
    """
    if fixed is None:
        fixed = np.full(num_pairs, -1, dtype=np.int8)
    free = np.flatnonzero(fixed < 0)
    position = np.full(num_pairs, -1, dtype=np.int64)
    position[free] = np.arange(free.size)
    model = cp_model.CpModel()
    x = [model.new_bool_var(f"x{k}") for k in free.tolist()]
    built = CpBuild(model, free, np.flatnonzero(fixed == 1), x)
    for row in rows:
        _add_row(built, row, position, fixed, diagnose)
    if weights is not None:
        constant = int(weights[built.fixed_one].sum())
        objective = cp_model.LinearExpr.weighted_sum(x, weights[free].tolist())
        model.maximize(objective + constant)
    return built


def _add_row(
    built: CpBuild,
    row: Row,
    position: IntArray,
    fixed: npt.NDArray[np.int8],
    diagnose: bool,
) -> None:
    model = built.model
    state = fixed[row.pairs]
    constant = int(row.coeffs[state == 1].sum())
    keep = state < 0
    variables = [built.x[i] for i in position[row.pairs[keep]].tolist()]
    coeffs = row.coeffs[keep].tolist()
    lower = None if row.lower is None else row.lower - constant
    upper = None if row.upper is None else row.upper - constant
    literal = None
    if diagnose:
        literal = model.new_bool_var(f"assume[{row.rule.family}:{row.rule.subject}]")
        built.guards[literal.index] = row.rule
        built.guard_literals.append(literal)
    if not variables:
        if (lower is not None and lower > 0) or (upper is not None and upper < 0):
            clause = model.add_bool_or([])  # cannot hold whatever the plan
            if literal is not None:
                clause.only_enforce_if(literal)
        return
    if row.at_most_one and literal is None and upper == 1 and lower is None:
        model.add_at_most_one(variables)
        return
    expr = cp_model.LinearExpr.weighted_sum(variables, coeffs)
    constraint = model.add_linear_constraint(
        expr,
        cp_model.INT_MIN if lower is None else lower,
        cp_model.INT_MAX if upper is None else upper,
    )
    if literal is not None:
        constraint.only_enforce_if(literal)


def add_conditions(built: CpBuild, conditions: list[Condition], *, guarded: bool = False) -> None:
    """Rule 7's conditional rows (format v1.1) on a built model, fixed pairs as constants.

    Each group that sets a condition gets one 0/1 ``y``, 1 exactly when the group has a
    member: ``members ≤ cap·y``, ``members ≥ y``, and ``chosen ≥ at_least·y`` for each of
    its conditions. With ``guarded`` each condition is enforced only under its own
    assumption literal, named in ``built.guards`` (for a diagnosis).
    """
    model = built.model
    position = {pair: k for k, pair in enumerate(built.free.tolist())}
    fixed_one = set(built.fixed_one.tolist())

    def count(pairs: IntArray) -> cp_model.LinearExpr:
        free = [built.x[position[k]] for k in pairs.tolist() if k in position]
        return cp_model.LinearExpr.sum(free) + sum(k in fixed_one for k in pairs.tolist())

    used: dict[int, cp_model.IntVar] = {}
    for condition in conditions:
        y = used.get(condition.group)
        if y is None:
            y = model.new_bool_var(f"used[{condition.group}]")
            members = count(condition.members)
            model.add(members <= condition.cap * y)
            model.add(members >= y)
            used[condition.group] = y
        constraint = model.add(count(condition.pairs) >= condition.at_least * y)
        if guarded:
            literal = model.new_bool_var(f"assume[group:{condition.rule.subject}]")
            constraint.only_enforce_if(literal)
            built.guards[literal.index] = condition.rule
            built.guard_literals.append(literal)
