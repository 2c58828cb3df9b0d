"""GLOP's re-solve time under parameter variants, on the same column-generation rounds.

The implicit LP's cost at national scale is GLOP re-solving after each round's new
columns (10-27 s a round). This runs the LP for ``--lp-seconds`` once, keeps its
columns less a seeded tenth, then for each variant builds that LP afresh, solves it
and runs ``--rounds`` more rounds (partial pricing, as ``solve_lp`` does), printing
one JSON line per solve: variant, round, seconds, objective, columns added.

    python benchmarks/glop_params.py INSTANCE --variants default,dual,devex,dantzig
"""

from __future__ import annotations

import argparse
import json
import time
from typing import Any

import numpy as np
from ortools.glop import parameters_pb2 as glop_parameters

from matcher.io.reader import read_instance
from matcher.solve import implicit
from matcher.solve.pipeline import prepare
from matcher.solve.relaxation import multipliers

RULES = glop_parameters.GlopParameters
VARIANTS: dict[str, dict[str, Any]] = {
    "default": {},
    "dual": {"use_dual_simplex": True},
    "devex": {"optimization_rule": RULES.DEVEX, "feasibility_rule": RULES.DEVEX},
    "dantzig": {"optimization_rule": RULES.DANTZIG},
}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("instance")
    parser.add_argument("--variants", default=",".join(VARIANTS))
    parser.add_argument("--lp-seconds", type=float, default=360.0)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    universe = prepare(read_instance(args.instance), implicit_pairs=True).universe
    assert universe is not None
    rm = universe.rowmap
    lp = implicit.solve_lp(
        universe, args.lp_seconds, implicit.first_plan(universe, implicit.seed_plan(universe))
    )
    base = np.sort(lp.keys[np.random.default_rng(0).random(lp.keys.size) > 0.1])
    blocks = list(universe.blocks())
    parts = max(1, len(blocks) // implicit.BLOCKS_PER_ROUND)
    for name in args.variants.split(","):
        column_lp = implicit.ColumnLP(universe)
        column_lp.glop.MergeFrom(RULES(**VARIANTS[name]))
        column_lp.add_keys(base)
        for round_ in range(args.rounds):
            began = time.perf_counter()
            status = column_lp.solve(600)
            seconds = time.perf_counter() - began
            y, sides = multipliers(column_lp.duals(), rm.lower, rm.upper)
            some = blocks[round_ % parts :: parts]
            found = implicit.price(universe, y, sides, np.sort(column_lp.keys),
                                   implicit.IMPROVING, implicit.ADD_PER_POST,
                                   implicit.ADD_PER_CADRE, some)  # fmt: skip
            print(json.dumps({"variant": name, "round": round_, "status": status,
                              "seconds": round(seconds, 1),
                              "objective": round(column_lp.objective()),
                              "added": int(found.picked.size)}), flush=True)  # fmt: skip
            column_lp.add_keys(found.picked)


if __name__ == "__main__":
    main()
