"""Run ``matcher solve`` over instance families × sizes × seeds and OR-Library files.

    python benchmarks/matrix.py --families binding-teams,sparse --sizes city,mid --seeds 1 \\
        --time-limit 60 --orlib assign100,assignp800 --label baseline
    python benchmarks/matrix.py --ci     # city, one seed, 2 families, 10 s; fails on a bad plan

Families come from ``matcher.synthetic.families`` (a generator independent of
``matcher.synthetic.generate``), sizes are named (city 520×110, mid 2000×600, province
5000×1500, national 50000×10000) or explicit ``CxP``; OR-Library files are
converted by ``benchmarks/orlib.py`` and scored against the published optimum.

Each solve is a child process: the venv's Python with ``PYTHONPATH`` set to
this repository's ``src``, running the CLI's ``main`` (the venv's ``matcher``
script is not used: it is bound to the layout of the tree it was installed
from). Every plan then goes through ``matcher check`` in another child.

Writes ``benchmarks/results/<date>-matrix-<label>.csv`` (one row per run) and
``.md`` (the exact command, the machine, medians per family × size, every run).
"""

from __future__ import annotations

import argparse
import csv
import dataclasses
import datetime
import json
import os
import shlex
import statistics
import sys
import tempfile
from dataclasses import asdict, dataclass, fields
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "src"))  # this tree's matcher

import orlib  # noqa: E402
from benchlib import launch, machine  # noqa: E402

REPO = Path(__file__).resolve().parent.parent
SRC = REPO / "src"
RESULTS = Path(__file__).resolve().parent / "results"
SIZES = {
    "city": (520, 110),
    "mid": (2000, 600),
    "province": (5000, 1500),
    "national": (50000, 10000),
}
CI_FAMILIES = ("binding-teams", "quota-bound")
CI_TIME_LIMIT = 10.0
GRACE_SECONDS = 120.0
"""Beyond the time limit: reading, the check and writing the plan follow the solve."""
MEMORY_CAP_GIB = 16.0
LAUNCHER = (
    "import sys\n"
    "sys.path.insert(0, sys.argv.pop(1))\n"
    "try:\n"
    "    from matcher.cli.commands import main\n"
    "except ImportError:  # a baseline from before the layout in stages\n"
    "    from matcher.cli import main\n"
    "sys.argv[0] = 'matcher'\n"
    "main()\n"
)
"""The CLI's entry point from a given ``src`` (this tree's, or a baseline's: ``--baseline``)."""


@dataclass
class Run:
    """One solve: what it reached, what it proved, what it cost."""

    family: str
    size: str
    seed: int
    cadres: int
    posts: int
    exit_code: int = 0
    status: str = ""
    coverage: int | None = None
    coverage_bound: int | None = None
    fit: float | None = None
    fit_bound: float | None = None
    gap: float | None = None
    time_to_first_plan: float | None = None
    """summary.json's first_plan_seconds: when the solve first held a plan keeping every rule."""
    first_plan_coverage: int | None = None
    """That first plan's coverage (the target: at least 99% of the coverage bound)."""
    solve_seconds: float | None = None
    """summary.json's runtime_seconds: from reading the input to the plan."""
    wall: float | None = None
    """The whole child process, start-up and writing included."""
    peak_mib: float | None = None
    checked: bool | None = None
    expected_fit: int | None = None
    optimum_reached: bool | None = None
    note: str = ""
    solver: str = "matcher"
    """``matcher`` (this tree) or ``baseline`` (``--baseline``'s source, same instance)."""


def parse(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--families", default="", help="comma-separated family names")
    parser.add_argument("--sizes", default="city", help="city,mid,province,national or CxP")
    parser.add_argument("--seeds", default="1", help="comma-separated seeds (generator and solver)")
    parser.add_argument("--time-limit", type=float, default=60.0, help="matcher --time-limit")
    parser.add_argument("--orlib", default="none", help="OR-Library names, all, or none")
    parser.add_argument("--orlib-source", type=Path, default=orlib.DEFAULT_SOURCE)
    parser.add_argument("--out", type=Path, default=RESULTS, help="results folder")
    parser.add_argument("--label", default="", help="file label (default: the sizes)")
    parser.add_argument(
        "--baseline",
        type=Path,
        default=None,
        help="another tree's src/ (a worktree of an older commit), run on every instance "
        "right after this tree's: the same-run comparison",
    )
    parser.add_argument(
        "--ci",
        action="store_true",
        help=f"city, first seed, {' and '.join(CI_FAMILIES)}, {CI_TIME_LIMIT:g} s; exit 1 "
        "unless every run has a plan that matcher check accepts",
    )
    return parser.parse_args(argv)


def size_of(name: str) -> tuple[int, int]:
    """``city`` → (520, 110); ``2000x600`` → (2000, 600)."""
    if name in SIZES:
        return SIZES[name]
    cadres, sep, posts = name.partition("x")
    if not (sep and cadres.isdigit() and posts.isdigit()):
        raise SystemExit(f"size must be one of {', '.join(SIZES)} or CxP, not {name!r}")
    return int(cadres), int(posts)


def _split(text: str) -> list[str]:
    return [part.strip() for part in text.split(",") if part.strip()]


def cli(*args: object, src: Path = SRC) -> list[str]:
    """``matcher ARGS`` from ``src`` (this tree's by default)."""
    return [sys.executable, "-c", LAUNCHER, str(src), *map(str, args)]


def solve(run: Run, instance: Path, scratch: Path, time_limit: float, src: Path = SRC) -> Run:
    """``matcher solve`` (from ``src``) then this tree's ``matcher check`` on ``instance``;
    fills ``run`` from summary.json, the exit codes and the child's own peak memory."""
    plan = scratch / f"plan-{run.solver}"
    command = cli("solve", instance, "--out", plan, "--time-limit", time_limit, "--seed", run.seed,
                  src=src)  # fmt: skip
    done = launch.launch(command, scratch / "solve.log", time_limit + GRACE_SECONDS, MEMORY_CAP_GIB)
    run.exit_code, run.wall, run.peak_mib = done.exit_code, done.wall, done.peak_mib
    summary_path = plan / "summary.json"
    (scratch / "solve.log").replace(scratch / f"solve-{run.solver}.log")
    if done.exit_code != 0 or not summary_path.exists():
        run.status = "killed" if done.killed else f"exit {done.exit_code}"
        run.note = done.log_tail[-300:]
        return run
    summary = json.loads(summary_path.read_text())
    run.status = summary["status"]
    run.coverage, run.coverage_bound = summary["coverage"], summary["coverage_bound"]
    run.fit, run.fit_bound = _number(summary["fit"]), _number(summary["fit_bound"])
    run.gap, run.solve_seconds = summary["gap"], summary["runtime_seconds"]
    run.time_to_first_plan = summary.get("first_plan_seconds")
    run.first_plan_coverage = summary.get("first_plan_coverage")
    checked = launch.launch(cli("check", instance, plan), scratch / "check.log", 600, 0)
    run.checked = checked.exit_code == 0
    if not run.checked:
        run.note = checked.log_tail[-300:]
    if run.expected_fit is not None and run.fit is not None:
        run.optimum_reached = run.fit == run.expected_fit and run.coverage == run.cadres
    return run


def _number(value: object) -> float | None:
    """summary.json writes exact numbers as int, float or a fraction string."""
    if value is None:
        return None
    if isinstance(value, str) and "/" in value:
        top, bottom = value.split("/")
        return int(top) / int(bottom)
    return float(value)  # type: ignore[arg-type]


GENERATE = "generate"
"""The family of ``matcher generate`` itself (the instances the solver was first tuned on)."""


def _write(family: str, folder: Path, cadres: int, posts: int, seed: int) -> None:
    """One instance of ``family``: ``matcher generate``'s own, or one of ``synthetic.families``."""
    if family == GENERATE:
        from matcher.io.instance_writer import write_instance
        from matcher.synthetic.generate import DEFAULT_RULES_TOML, generate_tables

        write_instance(generate_tables(cadres, posts, seed), folder, DEFAULT_RULES_TOML)
        return
    from matcher.synthetic.families import write_family

    write_family(family, folder, cadres, posts, seed)


def run_families(args: argparse.Namespace, rows: list[Run], csv_path: Path) -> None:
    for family in _split(args.families):
        for size in _split(args.sizes):
            cadres, posts = size_of(size)
            for seed in (int(s) for s in _split(args.seeds)):
                run = Run(family, size, seed, cadres, posts)
                with tempfile.TemporaryDirectory(prefix="matcher-matrix-") as scratch:
                    folder = Path(scratch) / "instance"
                    try:
                        _write(family, folder, cadres, posts, seed)
                    except ValueError as error:  # a family that does not come in this size
                        run.note = f"not generated: {error}"
                        print(f"{family} {size} seed {seed}: {run.note}")
                        continue
                    _solve_both(args, run, folder, Path(scratch), rows)
                write_csv(rows, csv_path)


def _solve_both(
    args: argparse.Namespace, run: Run, folder: Path, scratch: Path, rows: list[Run]
) -> None:
    """This tree's solve, then (with ``--baseline``) the baseline's on the same instance."""
    rows.append(solve(run, folder, scratch, args.time_limit))
    _progress(rows[-1])
    if args.baseline is not None:
        other = dataclasses.replace(run, solver="baseline")
        rows.append(solve(other, folder, scratch, args.time_limit, args.baseline))
        _progress(rows[-1])


def run_orlib(args: argparse.Namespace, rows: list[Run], csv_path: Path) -> None:
    wanted = args.orlib.strip()
    if wanted == "all":
        names = orlib.available(args.orlib_source)
    else:
        names = [] if wanted == "none" else _split(wanted)
    for name in names:
        _, n = orlib.parse_name(name)
        with tempfile.TemporaryDirectory(prefix="matcher-orlib-") as scratch:
            folder = orlib.convert(name, Path(scratch), args.orlib_source)
            run = Run("or-library", name, 0, n, n)
            run.expected_fit = orlib.expected_fit(name, args.orlib_source)
            _solve_both(args, run, folder, Path(scratch), rows)
        write_csv(rows, csv_path)


def _progress(run: Run) -> None:
    gap = "—" if run.gap is None else f"{run.gap:.4%}"
    print(
        f"{run.solver}: {run.family} {run.size} seed {run.seed}: {run.status}, gap {gap},"
        f" wall {run.wall:.1f} s,"
        f" peak {run.peak_mib:.0f} MiB, checked {run.checked}"
        + ("" if run.optimum_reached is None else f", optimum reached {run.optimum_reached}")
        + (f" [{run.note}]" if run.note else ""),
        flush=True,
    )


COLUMNS = [field.name for field in fields(Run)]


def write_csv(rows: list[Run], path: Path) -> None:
    """Rewritten after every run, so an interrupted matrix keeps what it did."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", newline="", encoding="utf-8") as sink:
        writer = csv.DictWriter(sink, fieldnames=COLUMNS)
        writer.writeheader()
        for row in rows:
            writer.writerow({k: "" if v is None else v for k, v in asdict(row).items()})


def _median(values: list[float | None]) -> float | None:
    present = [v for v in values if v is not None]
    return statistics.median(present) if present else None


def _fmt(value: float | None, spec: str) -> str:
    return "—" if value is None else format(value, spec)


def markdown(rows: list[Run], command: str, time_limit: float) -> str:
    """The command first, then the machine, the medians per family × size, every run."""
    groups: dict[tuple[str, str], list[Run]] = {}
    for row in rows:
        groups.setdefault((row.family, row.size, row.solver), []).append(row)
    lines = [
        "# Matrix: matcher on instance families and OR-Library",
        "",
        "Command:",
        "",
        f"    {command}",
        "",
        "Machine: " + "; ".join(f"{k} {v}" for k, v in machine.describe().items()) + ".",
        "",
        f"Time limit {time_limit:g} s per solve (`matcher solve --time-limit`, default workers). "
        "Gap: summary.json's, on the first objective level not proven. Solve: "
        "summary.json's runtime_seconds; wall: the whole solve child (start-up, reading, "
        "writing the plan). Peak: `ru_maxrss` of the solve child alone (`wait4`). Checked: "
        "`matcher check` accepted the plan. First plan: when the solve first held a plan "
        "keeping every rule (summary.json's first_plan_seconds), and its coverage as a share "
        "of the proven coverage bound.",
        "",
        "## Medians per family × size",
        "",
        "| family | size | solver | runs | optimal | checked | median first plan (s) "
        "| min first-plan coverage share | median gap | median solve (s) "
        "| median wall (s) | median peak (MiB) | optimum reached |",
        "|---|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|",
    ]
    for (family, size, solver), group in groups.items():
        reached = [r.optimum_reached for r in group if r.optimum_reached is not None]
        lines.append(
            f"| {family} | {size} | {solver} | {len(group)} "
            f"| {sum(r.status == 'optimal' for r in group)} "
            f"| {sum(bool(r.checked) for r in group)} "
            f"| {_fmt(_median([r.time_to_first_plan for r in group]), '.2f')} "
            f"| {_fmt(_min_share(group), '.2%')} "
            f"| {_fmt(_median([r.gap for r in group]), '.4%')} "
            f"| {_fmt(_median([r.solve_seconds for r in group]), '.2f')} "
            f"| {_fmt(_median([r.wall for r in group]), '.1f')} "
            f"| {_fmt(_median([r.peak_mib for r in group]), '.0f')} "
            f"| {f'{sum(reached)} of {len(reached)}' if reached else ''} |"
        )
    lines += [
        "",
        "## Every run",
        "",
        "| family | size | seed | solver | status | first plan (s, coverage) | coverage (bound) "
        "| fit (bound) | gap | solve (s) | wall (s) | peak (MiB) | checked | expected fit | note |",
        "|---|---|---:|---|---|---|---|---|---:|---:|---:|---:|---|---:|---|",
    ]
    for r in rows:
        lines.append(
            f"| {r.family} | {r.size} | {r.seed} | {r.solver} | {r.status} "
            f"| {_fmt(r.time_to_first_plan, '.2f')}, {_fmt(r.first_plan_coverage, 'd')} "
            f"| {_fmt(r.coverage, 'd')} ({_fmt(r.coverage_bound, 'd')}) "
            f"| {_fmt(r.fit, '.15g')} ({_fmt(r.fit_bound, '.15g')}) | {_fmt(r.gap, '.4%')} "
            f"| {_fmt(r.solve_seconds, '.2f')} | {_fmt(r.wall, '.1f')} "
            f"| {_fmt(r.peak_mib, '.0f')} | {r.checked} | {_fmt(r.expected_fit, 'd')} "
            f"| {r.note.replace('|', '/')} |"
        )
    return "\n".join(lines) + "\n"


def _min_share(group: list[Run]) -> float | None:
    """The smallest first-plan coverage as a share of its coverage bound, over the runs."""
    shares = [r.first_plan_coverage / r.coverage_bound for r in group
              if r.first_plan_coverage is not None and r.coverage_bound]  # fmt: skip
    return min(shares) if shares else None


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    args = parse(argv)
    os.environ["PYTHONPATH"] = str(SRC)  # the children (launch.launch) inherit it
    if args.ci:
        args.families, args.sizes = ",".join(CI_FAMILIES), "city"
        args.seeds, args.time_limit, args.orlib = _split(args.seeds)[0], CI_TIME_LIMIT, "none"
    label = ("ci-" if args.ci else "") + (args.label or args.sizes.replace(",", "-"))
    stem = f"{datetime.date.today().isoformat()}-matrix-{label}"
    csv_path, md_path = args.out / f"{stem}.csv", args.out / f"{stem}.md"
    command = shlex.join(["python", "benchmarks/matrix.py", *argv])
    rows: list[Run] = []
    run_families(args, rows, csv_path)
    run_orlib(args, rows, csv_path)
    if not rows:
        raise SystemExit("nothing to run: give --families and --sizes, or --orlib")
    md_path.write_text(markdown(rows, command, args.time_limit), encoding="utf-8")
    print(f"wrote {csv_path} and {md_path}")
    failed = [r for r in rows if not r.checked]
    if args.ci and failed:
        print(f"{len(failed)} run(s) without a checked plan", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
