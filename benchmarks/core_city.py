"""City-scale check of the core solver against a textbook CP-SAT model, in one run.

    python benchmarks/core_city.py [--repeats 5] [--seeds 10] [--textbook-limit 60]

Solves the shipped city instance ``--repeats`` times (median wall time, from
reading to proven plan), the same city generator with ``--seeds`` other seeds
once each, and the shipped city once with a textbook model: one Boolean per
eligible pair, lexicographic weights, default CP-SAT parameters, 2 workers.
Each textbook run is in its own process so the two never share a core.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

CITY = Path(__file__).parent.parent / "instances" / "city"

TEXTBOOK = """
import sys, time
from matcher.io.reader import read_instance
from matcher.solve.pipeline import prepare
from matcher.solve import cpsat
from ortools.sat.python import cp_model
start = time.perf_counter()
prepared = prepare(read_instance(sys.argv[1]))
built = cpsat.build(prepared.space.num_pairs, prepared.rows, prepared.objective.weights)
solver = cp_model.CpSolver()
solver.parameters.num_workers = 2
solver.parameters.max_time_in_seconds = float(sys.argv[2])
status = solver.solve(built.model)
print(solver.status_name(status), int(solver.objective_value), int(solver.best_objective_bound),
      f"{time.perf_counter() - start:.2f}")
"""


def timed_solve(folder: Path, workers: int = 2) -> tuple[str, float, dict[str, int]]:
    from matcher.io.reader import read_instance
    from matcher.solve.pipeline import SolveParams, solve

    start = time.perf_counter()
    result = solve(read_instance(folder), SolveParams(time_limit=120, workers=workers))
    return (
        result.status + (f" ({result.proof})" if result.proof else ""),
        time.perf_counter() - start,
        result.model_size,
    )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--seeds", type=int, default=10)
    parser.add_argument("--textbook-limit", type=float, default=60.0)
    args = parser.parse_args()
    from matcher.synthetic.generate import generate_tables, write_instance

    times = []
    for _ in range(args.repeats):
        status, seconds, size = timed_solve(CITY)
        times.append(seconds)
    print(
        f"city (shipped): {status}, median {statistics.median(times):.3f} s over {args.repeats},"
        f" {size}"
    )
    print(
        "| seed | status | s, 2 workers | s, 1 worker | eligible pairs | CP-SAT vars after fixing |"
    )
    print("|---|---|---|---|---|---|")
    for seed in range(1, args.seeds + 1):
        with tempfile.TemporaryDirectory() as folder:
            write_instance(generate_tables(520, 110, seed), Path(folder))
            status, seconds, size = timed_solve(Path(folder))
            one_worker = timed_solve(Path(folder), workers=1)[1]
        print(
            f"| {seed} | {status} | {seconds:.2f} | {one_worker:.2f} | {size['eligible_pairs']} |"
            f" {size.get('cpsat_variables', 0)} |"
        )
    textbook = subprocess.run(
        [sys.executable, "-c", TEXTBOOK, str(CITY), str(args.textbook_limit)],
        capture_output=True,
        text=True,
        check=True,
    )
    status, value, bound, seconds = textbook.stdout.split()
    print(f"textbook model on city: {status} after {seconds} s, objective {value}, bound {bound}")


if __name__ == "__main__":
    main()
