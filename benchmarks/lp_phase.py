"""Time the LP relaxation alone (column generation to convergence) on one instance.

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

from matcher.model.relaxation import solve_relaxation
from matcher.reader import read_instance
from matcher.solver import prepare


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("instance")
    parser.add_argument("--label", default="")
    parser.add_argument("--time-limit", type=float, default=600.0)
    args = parser.parse_args()
    prepared = prepare(read_instance(args.instance))
    start = time.perf_counter()
    relax = solve_relaxation(
        prepared.rows,
        prepared.objective.weights,
        args.time_limit,
        cand_idcs=prepared.space.cand_idcs,
        post_idcs=prepared.space.post_idcs,
    )
    print(json.dumps({
        "label": args.label,
        "instance": args.instance,
        "seconds": round(time.perf_counter() - start, 2),
        "rounds": relax.rounds,
        "columns": relax.columns,
        "bound": str(relax.bound),
    }))  # fmt: skip


if __name__ == "__main__":
    main()
