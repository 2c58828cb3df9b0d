"""One solve of a generated instance of any size, with phase times and peak memory.

    python benchmarks/scale_probe.py CANDIDATES POSTS [TIME_LIMIT] [--seed N]

A probe for finding where the solve path breaks as instances grow; the full
benchmark against baselines is issue 3's suite.
"""

from __future__ import annotations

import argparse
import resource
import tempfile
import time
from pathlib import Path

from matcher.io.reader import read_instance
from matcher.solve.pipeline import SolveParams, solve
from matcher.synthetic.generate import generate_tables, write_instance


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("candidates", type=int)
    parser.add_argument("posts", type=int)
    parser.add_argument("time_limit", type=float, nargs="?", default=120.0)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        write_instance(generate_tables(args.candidates, args.posts, args.seed), Path(folder))
        start = time.perf_counter()
        instance = read_instance(folder)
        read_seconds = time.perf_counter() - start
        result = solve(instance, SolveParams(time_limit=args.time_limit))
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(
        f"{args.candidates}x{args.posts} seed {args.seed}: {result.status} {result.proof}"
        f" coverage {result.coverage}/{result.coverage_bound}"
        f" fit {float(result.fit):.0f}/{float(result.fit_bound):.0f} gap {result.gap:.4%}"
        f" read {read_seconds:.1f}s solve {result.runtime:.1f}s peak {peak:.0f} MiB"
    )
    print("phases", {name: round(t, 2) for name, t in result.phase_times.items()})
    print("size", result.model_size)


if __name__ == "__main__":
    main()
