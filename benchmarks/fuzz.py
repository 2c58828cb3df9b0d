"""The reader fuzz campaign (issue 17, item 6), off CI: the CI tier's mutators at scale.

    python benchmarks/fuzz.py --examples 10000 --seed 1

Input ``i`` is built from ``random.Random(f"{seed}:{i}")``: its form (a CSV
folder or an .xlsx workbook; one input in ``--plan-share`` is instead a mutated
plan given to ``matcher check``), one to three mutation kinds, and their
choices, all by the mutators of ``tests/fuzz/strategies.py``. Every input runs
through the CLI in process (``matcher solve --time-limit 2``, then ``matcher
check`` of the plan it wrote) and is held to the contract the CI tier asserts.
Any input that breaks it is written out whole (``--keep``) and listed; the run
still finishes, so the record counts every failure, not just the first.

Writes ``benchmarks/results/<date>-fuzz.md`` (command, machine, outcomes per
exit code and per mutation kind, contract failures, the slowest inputs) and
``<date>-fuzz.csv`` (one row per input). Exit status 1 if any input broke the
contract.
"""

from __future__ import annotations

import argparse
import csv
import random
import shutil
import sys
import tempfile
import time
from collections import Counter, defaultdict
from datetime import date
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path[:0] = [str(HERE.parent / "tests"), str(HERE)]  # tests/fuzz before this file

from benchlib.machine import describe  # noqa: E402

from fuzz.strategies import FORMS, KINDS, build, run_case, run_plan_case  # noqa: E402

RESULTS = HERE / "results"


def draw(seed: int, index: int, plan_share: float) -> tuple[bool, str, list[str], random.Random]:
    """What input ``index`` of the campaign ``seed`` is: plan or instance, form, kinds, rng."""
    rng = random.Random(f"{seed}:{index}")
    plan = rng.random() < plan_share
    form = rng.choice(FORMS)
    kinds = [rng.choice(KINDS) for _ in range(rng.randint(1, 3))]
    return plan, form, kinds, rng


def outcome_name(plan: bool, code: int | None) -> str:
    if plan:
        return {0: "check: exit 0 (no violation)", 1: "check: exit 1 (violations)",
                2: "check: exit 2"}.get(code, f"check: exit {code}")  # fmt: skip
    return f"solve: exit {code}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--examples", type=int, default=10_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--time-limit", type=float, default=2.0)
    parser.add_argument("--plan-share", type=float, default=0.2,
                        help="Share of inputs that are mutated plans (matcher check).")  # fmt: skip
    parser.add_argument("--label", default="fuzz", help="Name of the record: <date>-<label>.md")
    parser.add_argument("--keep", type=Path, default=Path("fuzz-failures"),
                        help="Folder for the inputs that break the contract.")  # fmt: skip
    parser.add_argument("--slowest", type=int, default=10)
    args = parser.parse_args()

    command = "python benchmarks/fuzz.py " + " ".join(sys.argv[1:])
    machine = describe()
    began = time.perf_counter()
    rows: list[dict[str, object]] = []
    failures: list[dict[str, object]] = []
    with tempfile.TemporaryDirectory(prefix="fuzz-campaign-") as scratch:
        for index in range(args.examples):
            plan, form, kinds, rng = draw(args.seed, index, args.plan_share)
            draft = build(form, kinds, rng, plan=plan)
            work = Path(scratch) / str(index)
            work.mkdir()
            if plan:
                outcome = run_plan_case(draft, work)
            else:
                outcome = run_case(draft, work, time_limit=args.time_limit)
            row: dict[str, object] = {
                "index": index,
                "target": "plan" if plan else "instance",
                "form": form,
                "kinds": "+".join(kinds),
                "exit": outcome.code,
                "seconds": round(outcome.seconds, 3),
                "problems": " | ".join(outcome.problems),
                "mutations": " | ".join(draft.log),
            }
            rows.append(row)
            if outcome.problems:
                failures.append(row)
                kept = args.keep / str(index)
                shutil.copytree(work, kept, dirs_exist_ok=True)
                (kept / "output.txt").write_text(outcome.output, encoding="utf-8")
                print(f"#{index} {form} {kinds}: {outcome.problems}", file=sys.stderr)
            shutil.rmtree(work, ignore_errors=True)
            if (index + 1) % 500 == 0:
                print(f"{index + 1} inputs, {len(failures)} failures, "
                      f"{time.perf_counter() - began:.0f} s", file=sys.stderr)  # fmt: skip
    elapsed = time.perf_counter() - began
    write_record(args, command, machine, rows, failures, elapsed)
    sys.exit(1 if failures else 0)


def write_record(
    args: argparse.Namespace,
    command: str,
    machine: dict[str, str],
    rows: list[dict[str, object]],
    failures: list[dict[str, object]],
    elapsed: float,
) -> None:
    RESULTS.mkdir(exist_ok=True)
    stem = RESULTS / f"{date.today().isoformat()}-{args.label}"
    with (stem.with_suffix(".csv")).open("w", newline="", encoding="utf-8") as file:
        writer = csv.DictWriter(file, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)

    outcomes = Counter(outcome_name(row["target"] == "plan", row["exit"]) for row in rows)  # type: ignore[arg-type]
    tracebacks = sum("unhandled" in str(r["problems"]) or "traceback" in str(r["problems"])
                     for r in rows)  # fmt: skip
    per_kind: dict[str, Counter[str]] = defaultdict(Counter)
    per_form: dict[str, Counter[str]] = defaultdict(Counter)
    for row in rows:
        name = outcome_name(row["target"] == "plan", row["exit"])  # type: ignore[arg-type]
        for kind in dict.fromkeys(str(row["kinds"]).split("+")):
            per_kind[kind][name] += 1
        per_form[f"{row['target']} · {row['form']}"][name] += 1
    columns = sorted(outcomes)
    lines = [
        "# Reader fuzz campaign",
        "",
        "Command:",
        "",
        f"    {command}",
        "",
        "Machine: " + "; ".join(f"{key} {value}" for key, value in machine.items()) + ".",
        "",
        f"{len(rows):,} generated inputs in {elapsed:.0f} s ({elapsed / len(rows) * 1000:.0f} ms"
        " each, reading, solving, writing and checking the plan): each a mutation of"
        " `instances/tiny-v11` (5 cadres, 3 posts, every table of format v1.1; mutations grow"
        " or shrink it to 3-8 cadres and 2-4 posts) or, for a share of"
        f" {args.plan_share:.0%}, of its optimal plan. One to three mutation kinds per input"
        ' (`tests/fuzz/strategies.py`), chosen by `random.Random(f"{seed}:{index}")`.'
        f" Instances run `matcher solve --time-limit {args.time_limit:g}` through click's"
        " CliRunner, then `matcher check` of the plan written; plans run `matcher check`"
        " against the base instance.",
        "",
        "The contract: exit 0 with assignments.csv and summary.json, and a plan that reads back"
        " and checks; 3 naming the rules in conflict; 4 with its message; 2 with every issue"
        " naming a file of the input, a cell's error naming its row and column, no invisible"
        " character and no line over 600 characters; never an unhandled exception or"
        " traceback, never exit 1 from solve, never an output folder after a failure.",
        "",
        "## Outcomes",
        "",
        "| outcome | inputs |",
        "|---|---:|",
        *(f"| {name} | {outcomes[name]:,} |" for name in columns),
        f"| **contract broken** | **{len(failures)}** |",
        f"| of which unhandled exceptions or tracebacks | {tracebacks} |",
        "",
        "## Per form",
        "",
        "| target · form | inputs | " + " | ".join(columns) + " |",
        "|---|---:|" + "---:|" * len(columns),
        *(
            f"| {form} | {sum(counts.values()):,} | "
            + " | ".join(f"{counts[name]:,}" for name in columns)
            + " |"
            for form, counts in sorted(per_form.items())
        ),
        "",
        "## Per mutation kind",
        "",
        "An input with several kinds counts under each.",
        "",
        "| kind | inputs | " + " | ".join(columns) + " |",
        "|---|---:|" + "---:|" * len(columns),
        *(
            f"| {kind} | {sum(per_kind[kind].values()):,} | "
            + " | ".join(f"{per_kind[kind][name]:,}" for name in columns)
            + " |"
            for kind in KINDS
        ),
        "",
        "## Contract failures",
        "",
    ]
    if failures:
        lines += [f"- #{r['index']} ({r['target']}, {r['form']}): {r['problems']}"
                  f" — {r['mutations']}"[:600] for r in failures]  # fmt: skip
    else:
        lines.append("None.")
    slowest = sorted(rows, key=lambda row: -float(row["seconds"]))[: args.slowest]  # type: ignore[arg-type]
    lines += [
        "",
        f"## The {len(slowest)} slowest inputs",
        "",
        "| # | target | form | exit | seconds | mutations |",
        "|---:|---|---|---:|---:|---|",
        *(
            f"| {r['index']} | {r['target']} | {r['form']} | {r['exit']} | {r['seconds']} | "
            + str(r["mutations"]).replace("|", "/")[:160]
            + " |"
            for r in slowest
        ),
        "",
    ]
    stem.with_suffix(".md").write_text("\n".join(lines), encoding="utf-8")
    print(f"written {stem}.md and .csv", file=sys.stderr)


if __name__ == "__main__":
    main()
