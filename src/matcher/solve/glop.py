"""One incremental GLOP LP that grows by columns: the engine of both column generations.

The listed pairs (``relaxation``) and the implicit ones (``implicit``) both solve
``max c·x`` over fixed rows, ``0 ≤ x ≤ 1``, adding the columns pricing picks each
round. This class is that LP. It talks to GLOP through MathOpt's model storage
(``elemental``) with bulk numpy calls instead of one Python call per coefficient,
and each round sends GLOP only the new columns, so GLOP starts from its last basis.
Through ``pywraplp`` the same rounds took twice as long at 5,000 × 1,500: it rebuilt
GLOP's model from Python objects on every solve (benchmarks/results/2026-11-23-lp-backend.md).

Every row with a lower side gets one artificial column at a price: the restricted
LP is always feasible, and the duals of the rows it cannot meet yet call in their
pairs (without them, province seed 2's first LP was infeasible and took all 5M pairs).
"""

from __future__ import annotations

import datetime
from typing import Any

import numpy as np
import numpy.typing as npt
from ortools.glop import parameters_pb2 as glop_parameters
from ortools.math_opt import result_pb2
from ortools.math_opt.core.python import solver as core_solver
from ortools.math_opt.elemental.python import cpp_elemental, enums
from ortools.math_opt.python import callback, init_arguments, model_parameters, parameters

from matcher.solve.result import Status

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]
SIGN_SAMPLE = 200
"""Columns whose entries are kept to read the solver's dual sign convention."""


def add_rows(model: Any, lower: FloatArray, upper: FloatArray) -> IntArray:
    """``lower ≤ row ≤ upper`` (±inf: no side) for each entry, in bulk; their ids."""
    ids = model.add_elements(enums.ElementType.LINEAR_CONSTRAINT, lower.size)
    keys = ids[:, None]
    model.set_attrs(enums.DoubleAttr1.LINEAR_CONSTRAINT_LOWER_BOUND, keys, lower)
    model.set_attrs(enums.DoubleAttr1.LINEAR_CONSTRAINT_UPPER_BOUND, keys, upper)
    return np.asarray(ids, dtype=np.int64)


def add_variables(model: Any, upper: FloatArray, objective: FloatArray) -> IntArray:
    """Variables ``0 ≤ x ≤ upper`` of the given objective coefficients, in bulk; their ids."""
    ids = model.add_elements(enums.ElementType.VARIABLE, upper.size)
    keys = ids[:, None]
    model.set_attrs(enums.DoubleAttr1.VARIABLE_LOWER_BOUND, keys, np.zeros(upper.size))
    model.set_attrs(enums.DoubleAttr1.VARIABLE_UPPER_BOUND, keys, upper)
    model.set_attrs(enums.DoubleAttr1.OBJECTIVE_LINEAR_COEFFICIENT, keys, objective)
    return np.asarray(ids, dtype=np.int64)


def dense(vector: Any, ids: IntArray) -> FloatArray:
    """A MathOpt sparse vector as a dense array over ``ids`` (sorted); others left out."""
    values = np.zeros(ids.size)
    got = np.asarray(vector.ids, dtype=np.int64)
    if ids.size == 0 or got.size == 0:
        return values
    position = np.minimum(np.searchsorted(ids, got), ids.size - 1)
    known = ids[position] == got
    values[position[known]] = np.asarray(vector.values)[known]
    return values


def solve_once(solver: Any, solve_params: parameters.SolveParameters) -> Any:
    """One solve by a MathOpt core solver: default model parameters, no callback."""
    return solver.solve(
        solve_params.to_proto(),
        model_parameters.ModelSolveParameters().to_proto(),
        None,
        callback.CallbackRegistration().to_proto(),
        None,
        None,
    )


class ColumnGLOP:
    """GLOP over fixed rows, columns added in bulk; columns are numbered in the order added."""

    def __init__(self, lower: FloatArray, upper: FloatArray, penalty: float) -> None:
        """Rows ``lower ≤ A x ≤ upper`` (±inf: no side), artificial columns at ``−penalty``."""
        self.model = cpp_elemental.CppElemental()
        self.row_ids = add_rows(self.model, lower, upper)
        self.model.set_attr(enums.BoolAttr0.MAXIMIZE, (), True)
        short = np.flatnonzero(lower > 0)
        self.penalty = penalty
        self.raises = 0
        self.artificial_ids = add_variables(self.model, lower[short],
                                            np.full(short.size, -penalty))  # fmt: skip
        self.model.set_attrs(enums.DoubleAttr2.LINEAR_CONSTRAINT_COEFFICIENT,
                             np.stack([self.row_ids[short], self.artificial_ids], axis=1),
                             np.ones(short.size))  # fmt: skip
        self.column_ids = np.zeros(0, dtype=np.int64)
        self.sample: tuple[FloatArray, IntArray, IntArray, FloatArray] | None = None
        """Weights and (column, row, coefficient) entries of the first columns."""
        # GLOP's presolve undoes the warm start: at national scale a re-solve after adding
        # columns took 48 s instead of about 1 s, and the province LP 36 s instead of 13 s
        self.glop = glop_parameters.GlopParameters(use_preprocessing=False)
        """GLOP's parameters for every solve (benchmarks/glop_params.py tries others)."""
        self.solver: Any = None
        self.changes = 0
        self.result: Any = None

    @property
    def num_columns(self) -> int:
        return int(self.column_ids.size)

    def add(
        self,
        weights: npt.NDArray[Any],
        columns: IntArray,
        rows: IntArray,
        coeffs: npt.NDArray[Any],
    ) -> None:
        """New 0..1 columns of objective ``weights``; entry e puts ``coeffs[e]`` in row
        ``rows[e]`` of new column ``columns[e]`` (0 = the first of these)."""
        if self.sample is None:
            first = columns < SIGN_SAMPLE
            self.sample = (weights[:SIGN_SAMPLE].astype(np.float64), columns[first],
                           rows[first], coeffs[first].astype(np.float64))  # fmt: skip
        ids = add_variables(self.model, np.ones(weights.size), weights.astype(np.float64))
        self.model.set_attrs(enums.DoubleAttr2.LINEAR_CONSTRAINT_COEFFICIENT,
                             np.stack([self.row_ids[rows], ids[columns]], axis=1),
                             coeffs.astype(np.float64))  # fmt: skip
        self.column_ids = np.concatenate([self.column_ids, ids])
        if self.solver is not None:
            self._send_changes()

    def _send_changes(self) -> None:
        update = self.model.export_model_update(self.changes)
        if update is not None and not self.solver.update(update):
            raise RuntimeError("GLOP refused an incremental update")  # never for new columns
        self.model.advance_diff(self.changes)

    def solve(self, time_limit: float) -> Status:
        """``OPTIMAL``, ``INFEASIBLE`` (the upper sides alone contradict) or ``UNKNOWN``."""
        if self.solver is None:
            self.changes = self.model.add_diff()
            init = init_arguments.StreamableSolverInitArguments().to_proto()
            self.solver = core_solver.new(
                parameters.SolverType.GLOP.value, self.model.export_model(), init
            )
        solve_params = parameters.SolveParameters(
            time_limit=datetime.timedelta(seconds=max(time_limit, 0.01)), glop=self.glop
        )
        self.result = solve_once(self.solver, solve_params)
        reason = self.result.termination.reason
        if reason == result_pb2.TERMINATION_REASON_OPTIMAL and self.result.solutions:
            return Status.OPTIMAL
        if reason in (result_pb2.TERMINATION_REASON_INFEASIBLE,
                      result_pb2.TERMINATION_REASON_INFEASIBLE_OR_UNBOUNDED):  # fmt: skip
            return Status.INFEASIBLE
        return Status.UNKNOWN

    def artificial_used(self) -> bool:
        """Whether the LP still leans on an artificial column (a lower side not met by pairs)."""
        values = dense(self.result.solutions[0].primal_solution.variable_values,
                             self.artificial_ids)  # fmt: skip
        return bool(np.any(values > 1e-9))

    def raise_penalty(self) -> None:
        """A dearer artificial column (×16), in case the price was too low to give it up."""
        self.penalty *= 16.0
        self.raises += 1
        self.model.set_attrs(enums.DoubleAttr1.OBJECTIVE_LINEAR_COEFFICIENT,
                             self.artificial_ids[:, None],
                             np.full(self.artificial_ids.size, -self.penalty))  # fmt: skip
        if self.solver is not None:
            self._send_changes()

    def duals(self) -> FloatArray:
        """Row duals, signed so that ``weight − Aᵀduals`` is each column's reduced cost.

        The sign is read off the solver's own reduced costs of the first columns, not
        assumed from a convention."""
        dual = self.result.solutions[0].dual_solution
        duals = np.nan_to_num(dense(dual.dual_values, self.row_ids))
        if self.sample is None:
            return duals
        weights, columns, rows, coeffs = self.sample
        reduced = dense(dual.reduced_costs, self.column_ids[: weights.size])
        priced = np.zeros(weights.size)
        np.add.at(priced, columns, coeffs * duals[rows])
        plus = np.abs(weights - priced - reduced).sum()
        minus = np.abs(weights + priced - reduced).sum()
        return duals if plus <= minus else -duals

    def objective(self) -> float:
        """The restricted LP's optimum, artificial columns included (how far it has come)."""
        return float(self.result.solutions[0].primal_solution.objective_value)

    def values(self) -> FloatArray:
        """Each column's value, in the order the columns were added, within [0, 1]."""
        primal = self.result.solutions[0].primal_solution.variable_values
        return np.clip(dense(primal, self.column_ids), 0.0, 1.0)
