"""Where the restricted MIP should give the plan: ``solve`` with and without it, per size.

For each size and seed a generated instance, solved twice in this process, one
after the other: with ``MIP_PLAN_ABOVE_PAIRS`` at 0 (the MIP's plan first, then
reduced-cost fixing against it and HiGHS, or CP-SAT above ``MIP_PROOF_MAX_PAIRS``,
over the pairs left) and at ``--without`` (CP-SAT near the LP, then CP-SAT). One
JSON line per solve: status, coverage, fit, their bounds, gap, seconds and
phases. Above ``CP_SAT_AFTER_MIP_MAX_PAIRS`` pairs nothing follows the MIP
either way, so compare below it.

    python benchmarks/mip_threshold.py --sizes city,1000x400,1500x700 --seeds 5,6
"""

from __future__ import annotations

import argparse
import json
import tempfile
import time
from pathlib import Path

from matcher.io.reader import read_instance
from matcher.solve import pipeline as solver
from matcher.synthetic.generate import TIERS, generate_tables, write_instance


def size_of(text: str) -> tuple[int, int]:
    """A tier name or ``CxP``."""
    if text in TIERS:
        return TIERS[text]
    cands, posts = text.split("x")
    return int(cands), int(posts)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="city,1000x400,1500x700")
    parser.add_argument("--seeds", default="5,6")
    parser.add_argument("--without", type=int, default=1_000_000)
    parser.add_argument("--time-limit", type=float, default=60.0)
    args = parser.parse_args()
    for text in args.sizes.split(","):
        for seed in (int(s) for s in args.seeds.split(",")):
            with tempfile.TemporaryDirectory() as folder:
                write_instance(generate_tables(*size_of(text), seed), Path(folder))
                instance = read_instance(folder)
            for threshold in (0, args.without):
                solver.MIP_PLAN_ABOVE_PAIRS = threshold
                began = time.perf_counter()
                result = solver.solve(instance, solver.SolveParams(time_limit=args.time_limit))
                line = {
                    "size": text,
                    "seed": seed,
                    "mip_plan_above_pairs": threshold,
                    "pairs": result.model_size.get("eligible_pairs"),
                    "status": result.status,
                    "coverage": result.coverage,
                    "coverage_bound": result.coverage_bound,
                    "fit": str(result.fit),
                    "fit_bound": str(result.fit_bound),
                    "gap": result.gap,
                    "seconds": round(time.perf_counter() - began, 2),
                    "phases": {k: round(v, 2) for k, v in result.phase_times.items()},
                }
                print(json.dumps(line), flush=True)


if __name__ == "__main__":
    main()
