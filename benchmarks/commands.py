"""Time and peak memory of every command at each tier: city, province, national (seed 1).

    python benchmarks/commands.py WORKDIR [--tiers city,province,national] [--cap-gib 8]

For each tier it generates the instance once (city: the shipped ``instances/city``),
then runs, one at a time under ``nice -n 10`` and a memory cap (``prlimit --as``),
``solve``, ``check``, ``explain --cadre/--post/--team``, ``report``, ``replan``
(one cadre of the plan drops out) and ``scenarios`` (the base and one variant, one
process), each under ``/usr/bin/time -v``, and writes
``benchmarks/results/<date>-commands.md`` with the exact commands, wall time, peak
RSS and exit status. Nothing here is a test: the figures are measurements.
"""

from __future__ import annotations

import argparse
import csv
import datetime
import re
import shlex
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable
TIME_LIMITS = {"city": 60, "province": 60, "national": 120}
SIZES = {"city": "", "province": "province", "national": "national"}


def cli(*args: str) -> list[str]:
    code = "from matcher.cli.commands import main; main()"
    return [PYTHON, "-c", code, *args]


def run(command: list[str], cap_gib: float, log: Path) -> dict[str, str]:
    """One command under nice, the cap and /usr/bin/time -v: wall s, peak MiB, exit."""
    capped = ["nice", "-n", "10", "prlimit", f"--as={int(cap_gib * 1024**3)}",
              "/usr/bin/time", "-v", *command]  # fmt: skip
    env = {"PYTHONPATH": str(ROOT / "src"), "PATH": "/usr/bin:/bin", "LANG": "C.UTF-8"}
    done = subprocess.run(capped, capture_output=True, text=True, env=env, check=False)
    log.write_text(done.stdout + "\n--- stderr ---\n" + done.stderr, encoding="utf-8")
    wall = re.search(r"Elapsed \(wall clock\) time.*: (?:(\d+):)?(\d+):([\d.]+)", done.stderr)
    rss = re.search(r"Maximum resident set size \(kbytes\): (\d+)", done.stderr)
    seconds = 0.0
    if wall:
        hours, minutes, secs = wall.groups()
        seconds = int(hours or 0) * 3600 + int(minutes) * 60 + float(secs)
    return {
        "wall_s": f"{seconds:.1f}",
        "peak_mib": f"{int(rss.group(1)) / 1024:.0f}" if rss else "?",
        "exit": str(done.returncode),
    }


def first_ids(instance: Path, plan: Path) -> tuple[str, str, str, str]:
    """A placed cadre (it drops out in the re-plan), an unplaced one, a post, a team."""
    with (plan / "assignments.csv").open(encoding="utf-8-sig") as file:
        rows = list(csv.DictReader(file))
    placed = rows[len(rows) // 2]["candidate_id"]
    with (instance / "candidates.csv").open(encoding="utf-8-sig") as file:
        held = {row["candidate_id"] for row in rows}
        unplaced = next(r["id"] for r in csv.DictReader(file) if r["id"] not in held)
    with (instance / "teams.csv").open(encoding="utf-8-sig") as file:
        team = next(csv.DictReader(file))["id"]
    return placed, unplaced, rows[0]["post_id"], team


def tier_runs(tier: str, work: Path, cap_gib: float) -> list[tuple[str, str, dict[str, str]]]:
    work.mkdir(parents=True, exist_ok=True)
    limit = str(TIME_LIMITS[tier])
    if tier == "city":
        instance = ROOT / "instances" / "city"
    else:
        instance = work / "instance"
        if not instance.exists():
            subprocess.run(cli("generate", tier, str(instance), "--seed", "1"), check=True,
                           env={"PYTHONPATH": str(ROOT / "src")})  # fmt: skip
    plan = work / "plan"
    records = []

    def step(name: str, args: list[str]) -> None:
        command = cli(*args)
        shown = "matcher " + shlex.join(args)
        print(f"{tier}: {shown}", flush=True)
        records.append((name, shown, run(command, cap_gib, work / f"{name}.log")))

    step("solve", ["solve", str(instance), "--out", str(plan), "--time-limit", limit])
    placed, unplaced, post, team = first_ids(instance, plan)
    step("check", ["check", str(instance), str(plan)])
    step("explain --cadre", ["explain", str(instance), str(plan), "--cadre", unplaced])
    step("explain --post", ["explain", str(instance), str(plan), "--post", post])
    step("explain --team", ["explain", str(instance), str(plan), "--team", team])
    step("report", ["report", str(instance), str(plan), "--out", str(work / "report.html")])
    changes = work / "drop1.toml"
    changes.write_text(f'drop_out = ["{placed}"]\n', encoding="utf-8")
    step("replan", ["replan", str(instance), str(plan), "--changes", str(changes), "--out",
                    str(work / "replan"), "--time-limit", limit])  # fmt: skip
    scenario = work / "scenarios.toml"
    variant = f'[variants.drop1]\nremove.candidates = ["{placed}"]\n'
    scenario.write_text(f'base = "{instance}"\n{variant}', encoding="utf-8")
    step("scenarios", ["scenarios", str(scenario), "--out", str(work / "scenarios"),
                       "--time-limit", limit, "--workers-pool", "1"])  # fmt: skip
    return records


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("workdir", type=Path)
    parser.add_argument("--tiers", default="city,province,national")
    parser.add_argument("--cap-gib", type=float, default=8.0)
    args = parser.parse_args()
    today = datetime.date.today().isoformat()
    out = ROOT / "benchmarks" / "results" / f"{today}-commands.md"
    lines = [
        f"# Every command at every tier ({today})",
        "",
        f"`python benchmarks/commands.py {args.workdir} --tiers {args.tiers}"
        f" --cap-gib {args.cap_gib:g}`: each command alone, `nice -n 10`, `prlimit"
        f" --as={args.cap_gib:g} GiB`, `/usr/bin/time -v` (wall, peak RSS). Instances:"
        " `instances/city`; `matcher generate province|national DIR --seed 1`.",
        "Rows of other tiers come from earlier runs of this script the same day (one tier"
        " at a time keeps the shared machine usable). Time limits: city and province 60 s,"
        " national 120 s. The re-plan drops the"
        " middle cadre of `assignments.csv`; the scenario file holds the base and that"
        " drop-out as one variant (`--workers-pool 1`: one after another).",
        "",
        "| tier | command | wall s | peak MiB | exit | exact command |",
        "|---|---|---:|---:|---:|---|",
    ]
    tiers = args.tiers.split(",")
    # rows of tiers measured earlier today, by another run of this script, are kept
    earlier = out.read_text(encoding="utf-8").splitlines() if out.exists() else []
    kept = [row for row in earlier if row.startswith("| ") and row.split(" | ")[0][2:]
            in set(TIME_LIMITS) - set(tiers)]  # fmt: skip
    lines += kept
    for tier in tiers:
        for name, shown, figures in tier_runs(tier, args.workdir / tier, args.cap_gib):
            lines.append(f"| {tier} | {name} | {figures['wall_s']} | {figures['peak_mib']} |"
                         f" {figures['exit']} | `{shown}` |")  # fmt: skip
            out.write_text("\n".join(lines) + "\n", encoding="utf-8")
    print(f"written to {out}")


if __name__ == "__main__":
    main()
