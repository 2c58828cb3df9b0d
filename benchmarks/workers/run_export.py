"""Write the 0-1 formulation of one instance to a ``.npz`` file for the HiGHS process.

    python run_export.py INSTANCE 0 OUT_JSON      (the matrix goes next to it, OUT.npz)

HiGHS must see the very rows CP-SAT sees, but highspy cannot be imported where
ortools is, so the rows are built here (with ``matcher``) and shipped as plain
arrays: the CSR matrix, row bounds (±inf for an open side), objective weights
(maximise) and the pair → (candidate, post) index arrays. The time spent on
``prepare`` and the matrix is recorded so that HiGHS is charged for building
its model just as the other two are.
"""

from __future__ import annotations

import numpy as np
from worker_io import Clock, arguments, write

from matcher.io.reader import read_instance
from matcher.model.space import row_sides
from matcher.solve.pipeline import prepare
from matcher.solve.relaxation import constraint_matrix


def main() -> None:
    args = arguments(__doc__ or "")
    instance = read_instance(args.input)
    clock = Clock()
    prepared = prepare(instance, implicit_pairs=False)  # every eligible pair, at any size
    prepare_seconds = clock.now()
    space = prepared.space
    matrix = constraint_matrix(prepared.rows, space.num_pairs)
    lower, upper = row_sides(prepared.rows)
    formulation_seconds = clock.now()
    objective = prepared.objective
    np.savez(
        args.out.with_suffix(".npz"),
        indptr=matrix.indptr,
        indices=matrix.indices,
        data=matrix.data.astype(np.float64),
        row_lower=lower,
        row_upper=upper,
        weights=objective.weights.astype(np.int64),
        cand_idcs=space.cand_idcs,
        post_idcs=space.post_idcs,
        formulation_seconds=formulation_seconds,
        coverage_weight=objective.coverage_weight,
        fit_floor=objective.fit_floor,
        fit_scale=prepared.fit.scale,
    )
    write(
        args.out,
        {
            "solver": "export",
            "prepare_seconds": prepare_seconds,
            "formulation_seconds": formulation_seconds,
            "num_pairs": space.num_pairs,
            "rows": len(prepared.rows),
            "nonzeros": int(matrix.nnz),
        },
    )


if __name__ == "__main__":
    main()
