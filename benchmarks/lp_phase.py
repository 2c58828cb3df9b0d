"""Time the LP relaxation alone (column generation to convergence) on one instance.

``--lp listed`` prices the listed pairs (``relaxation.solve_relaxation``), ``--lp
universe`` prices them block by block (``implicit.solve_lp``, what ``solve`` uses above
``PRICED_LP_ABOVE_CELLS``).

Prints one JSON line: seconds, rounds, columns and the exact bound. Run it
under two source trees in alternation to compare LP backends in the same run:

    git worktree add /tmp/base <commit>
    for i in 1 2 3; do
      PYTHONPATH=/tmp/base/src python benchmarks/lp_phase.py INSTANCE --label base
      PYTHONPATH=src python benchmarks/lp_phase.py INSTANCE --label head
    done
"""

from __future__ import annotations

import argparse
import json
import time

from matcher.io.reader import read_instance
from matcher.solve import implicit
from matcher.solve.pipeline import prepare
from matcher.solve.relaxation import DUAL_SCALE, solve_relaxation


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("instance")
    parser.add_argument("--label", default="")
    parser.add_argument("--time-limit", type=float, default=600.0)
    parser.add_argument("--lp", choices=("listed", "universe"), default="listed")
    args = parser.parse_args()
    instance = read_instance(args.instance)
    if args.lp == "universe":
        universe = prepare(instance, implicit_pairs=True).universe
        assert universe is not None
        start = time.perf_counter()
        lp = implicit.solve_lp(universe, args.time_limit)
        rounds, columns, bound = lp.rounds, int(lp.keys.size), lp.bound // DUAL_SCALE
    else:
        prepared = prepare(instance, implicit_pairs=False)
        start = time.perf_counter()
        relax = solve_relaxation(
            prepared.rows,
            prepared.objective.weights,
            args.time_limit,
            cand_idcs=prepared.space.cand_idcs,
            post_idcs=prepared.space.post_idcs,
        )
        rounds, columns = relax.rounds, relax.columns
        bound = None if relax.bound is None else relax.bound.numerator // relax.bound.denominator
    print(json.dumps({
        "label": args.label,
        "lp": args.lp,
        "instance": args.instance,
        "seconds": round(time.perf_counter() - start, 2),
        "rounds": rounds,
        "columns": columns,
        "bound": bound,
    }))  # fmt: skip


if __name__ == "__main__":
    main()
