"""Benchmark ``matcher`` against the textbook CP-SAT model and HiGHS, in one run.

    python benchmarks/run.py --tiers city,province --seeds 1,2,3 --time-limit 60
    python benchmarks/run.py --size 2000x600 --seeds 1 --time-limit 120
    python benchmarks/run.py --ci          # matcher only, city, one seed; fails unless proven

For each instance (a generated tier or explicit size, per seed) every solver runs
in a process of its own, one after the other: ``matcher``; the textbook CP-SAT
model; HiGHS on the same 0-1 rows (ortools 9.15 and highspy 1.15 cannot share
a process). Every plan goes through ``matcher.check.checker``; coverage, fit and gaps
come from the checker and from the best bound any solver proved.

Writes ``benchmarks/results/<date>-<label>.csv`` (one row per instance × solver),
``.md`` (command, machine, medians and ratios to matcher) and ``.png``
(runtime and peak memory against eligible pairs, log-log). Needs the ``bench``
extra (highspy, matplotlib) except with ``--ci``.
"""

from __future__ import annotations

import argparse
import datetime
import shlex
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from benchlib import instances, machine, summary  # noqa: E402
from benchlib.results import Row, read_csv, write_csv  # noqa: E402
from benchlib.suite import DEFAULT_SOLVERS, SOLVERS, Settings, evaluate, run_instance  # noqa: E402

from matcher.io.reader import read_instance  # noqa: E402

RESULTS = Path(__file__).resolve().parent / "results"


def parse(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--tiers", default="", help="comma-separated tiers: city,province,...")
    parser.add_argument("--size", action="append", default=[], help="explicit CxP, repeatable")
    parser.add_argument("--seeds", default="1,2,3", help="comma-separated generator seeds")
    parser.add_argument("--time-limit", type=float, default=60.0, help="seconds per solver")
    parser.add_argument(
        "--solvers",
        default=",".join(DEFAULT_SOLVERS),
        help=f"subset of {', '.join(SOLVERS)} (matcher-listed/-implicit force how pairs are held)",
    )
    parser.add_argument(
        "--lp-limit",
        type=float,
        default=None,
        help="seconds for HiGHS's LP relaxation (reference bound; 0 = skip); "
        "default: the time limit",
    )
    parser.add_argument(
        "--highs-rel-gap",
        type=float,
        default=0.0,
        help="HiGHS mip_rel_gap (its own default is 1e-4; 0 = exact like the others)",
    )
    parser.add_argument(
        "--memory-limit-gib",
        type=float,
        default=16.0,
        help="address-space cap per solver process (0 = none)",
    )
    parser.add_argument("--out", type=Path, default=RESULTS, help="results folder")
    parser.add_argument(
        "--from-csv",
        type=Path,
        nargs="+",
        default=[],
        help="run nothing: summarise and plot these results CSVs together (e.g. two tiers)",
    )
    parser.add_argument("--label", default="", help="file label with --from-csv")
    parser.add_argument(
        "--ci",
        action="store_true",
        help="matcher on the city tier, first seed; exit 1 unless proven optimal "
        "with a checked plan",
    )
    return parser.parse_args(argv)


def plan_run(args: argparse.Namespace) -> tuple[list[instances.Size], list[int], Settings, str]:
    """Sizes, seeds, settings and the file label the arguments ask for."""
    seeds = [int(seed) for seed in args.seeds.split(",") if seed.strip()]
    if args.ci:
        sizes, seeds, solvers = instances.tiers("city"), seeds[:1], ("matcher",)
    else:
        sizes = instances.tiers(args.tiers) + [instances.explicit(s) for s in args.size]
        solvers = tuple(name.strip() for name in args.solvers.split(",") if name.strip())
    unknown = set(solvers) - set(SOLVERS)
    if not sizes or not seeds or unknown:
        raise SystemExit(f"nothing to run (tiers, sizes, seeds) or unknown solvers {unknown}")
    lp_limit = args.time_limit if args.lp_limit is None else args.lp_limit
    settings = Settings(
        args.time_limit, lp_limit, args.highs_rel_gap, args.memory_limit_gib, solvers
    )
    label = ("ci-" if args.ci else "") + "-".join(size.label for size in sizes)
    return sizes, seeds, settings, label


def run_all(
    sizes: list[instances.Size], seeds: list[int], settings: Settings, csv_path: Path
) -> list[Row]:
    """Every instance in turn, generated into a scratch folder; the CSV rewritten after each."""
    rows: list[Row] = []
    for size in sizes:
        for seed in seeds:
            with tempfile.TemporaryDirectory(prefix="matcher-bench-") as scratch:
                folder = instances.generate(size, seed, Path(scratch) / "instance")
                outcomes = run_instance(folder, Path(scratch), settings)
                new = evaluate(size, seed, read_instance(folder), outcomes)
            rows += new
            write_csv(rows, csv_path)
            for row in new:
                print(_progress(row), flush=True)
    return rows


def _progress(row: Row) -> str:
    runtime = "—" if row.runtime is None else f"{row.runtime:.2f} s"
    gap = "—" if row.gap is None else f"{row.gap:.3%}"
    return (
        f"{row.tier} seed {row.seed} {row.solver}: {row.status}, {runtime}, gap {gap},"
        f" peak {row.peak_mib:.0f} MiB, checker {row.checker_ok} {row.note}"
    )


def notes(settings: Settings) -> list[str]:
    """How to read the numbers: what each clock covers and what each solver was given."""
    return [
        f"Solvers: {', '.join(settings.solvers)}; each in its own process, one after the "
        "other (matcher with its defaults, the baselines with 2 workers/threads), "
        f"time limit {settings.time_limit:g} s for the solve "
        f"(HiGHS LP relaxation: {settings.lp_limit:g} s, after the MIP, reference only; "
        f"HiGHS mip_rel_gap {settings.highs_rel_gap:g}, mip_abs_gap 0.99).",
        "Times are seconds from after reading the instance: building the model counts "
        "(for HiGHS, the export's prepare and matrix time is added). matcher's first plan "
        "is its first progress event that carries a plan. A run not proven optimal counts "
        'with its runtime as a lower bound ("≥"). Gap: against the best bound any solver '
        "proved on the instance, on "
        "coverage first, then fit (as `Result.gap`). Peak memory: `ru_maxrss` of each "
        "solver process alone (`wait4`). The machine may be shared: see `load1` in the CSV.",
    ]


def combine(args: argparse.Namespace) -> int:
    """Several runs' CSVs as one table and one plot, with the commands that made them."""
    rows = [row for path in args.from_csv for row in read_csv(path)]
    args.out.mkdir(parents=True, exist_ok=True)
    stem = args.out / (args.label or "combined")
    sources = ", ".join(f"`{path.name}`" for path in args.from_csv)
    command = "python benchmarks/run.py " + shlex.join(sys.argv[1:])
    from benchlib.plot import plot

    plot(rows, None, stem.with_suffix(".png"))  # the files may have different limits
    notes = [
        f"Combined from {sources}; each file's .md gives its own command, time limit and machine."
    ]
    files = {"CSV": sources, "plot": stem.with_suffix(".png").name}
    text = summary.markdown(rows, command, machine.describe(), notes, files)
    text += f"\n![runtime and peak memory against eligible pairs]({files['plot']})\n"
    stem.with_suffix(".md").write_text(text, encoding="utf-8")
    print("\n".join(summary.median_table(rows)))
    return 0


def main(argv: list[str] | None = None) -> int:
    args = parse(sys.argv[1:] if argv is None else argv)
    if args.from_csv:
        return combine(args)
    sizes, seeds, settings, label = plan_run(args)
    stem = args.out / f"{datetime.date.today().isoformat()}-{label}"
    command = "python benchmarks/run.py " + shlex.join(sys.argv[1:] if argv is None else argv)
    about = machine.describe()
    rows = run_all(sizes, seeds, settings, stem.with_suffix(".csv"))
    files = {"CSV": stem.with_suffix(".csv").name}
    if not args.ci:
        from benchlib.plot import plot

        plot(rows, settings.time_limit, stem.with_suffix(".png"))
        files["plot"] = stem.with_suffix(".png").name
    text = summary.markdown(rows, command, about, notes(settings), files)
    if "plot" in files:
        text += f"\n![runtime and peak memory against eligible pairs]({files['plot']})\n"
    stem.with_suffix(".md").write_text(text, encoding="utf-8")
    print("\n".join(summary.median_table(rows)))
    print(f"wrote {stem}.csv/.md" + ("/.png" if "plot" in files else ""))
    if args.ci:
        failed = [row for row in rows if not (row.checker_ok and row.proven)]
        return 1 if failed else 0
    return 0


if __name__ == "__main__":
    sys.exit(main())
