"""Plot a matrix record (``benchmarks/matrix.py``'s CSV): matcher against the baseline.

    python benchmarks/matrix_plot.py benchmarks/results/2026-12-03-matrix-families-60s.csv

Writes the PNG beside the CSV: per family × size, the median solve time (log scale) of
each solver, a filled marker where every run was proven optimal and a hollow one where
some stopped with a gap (their median gap written beside it). Needs the ``bench`` extra.
"""

from __future__ import annotations

import argparse
import csv
import statistics
from collections import defaultdict
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

SOLVERS = {"matcher": ("tab:blue", "o"), "baseline": ("tab:gray", "s")}


def _groups(path: Path) -> dict[tuple[str, str], dict[str, list[dict[str, str]]]]:
    """Rows by (family, size), then by solver, in the record's order."""
    groups: dict[tuple[str, str], dict[str, list[dict[str, str]]]] = defaultdict(
        lambda: defaultdict(list)
    )
    with path.open(encoding="utf-8") as source:
        for row in csv.DictReader(source):
            groups[(row["family"], row["size"])][row["solver"]].append(row)
    return groups


def plot(path: Path) -> Path:
    groups = _groups(path)
    labels = [f"{family}\n{size}" for family, size in groups]
    figure, axis = plt.subplots(figsize=(max(8.0, 0.42 * len(labels)), 5.0))
    for offset, (solver, (colour, marker)) in enumerate(SOLVERS.items()):
        for index, by_solver in enumerate(groups.values()):
            runs = by_solver.get(solver, [])
            times = [float(r["solve_seconds"]) for r in runs if r["solve_seconds"]]
            if not times:
                continue
            median = statistics.median(times)
            proven = all(r["status"] == "optimal" for r in runs)
            x = index + (offset - 0.5) * 0.3
            axis.scatter(x, median, color=colour, marker=marker, s=36,
                         facecolors=colour if proven else "none",
                         label=solver if index == 0 else None)  # fmt: skip
            if not proven:
                gaps = [float(r["gap"]) for r in runs if r["gap"]]
                axis.annotate(f"{statistics.median(gaps):.4%}", (x, median), fontsize=6,
                              rotation=90, xytext=(0, 6), textcoords="offset points",
                              color=colour, ha="center")  # fmt: skip
    axis.set_yscale("log")
    axis.set_xticks(range(len(labels)), labels, rotation=90, fontsize=7)
    axis.set_ylabel("median solve time (s), log")
    axis.set_title("matcher vs the commit before (baseline): filled = every run proven optimal;"
                   " hollow = median gap shown", fontsize=9)  # fmt: skip
    axis.legend(fontsize=8)
    axis.grid(axis="y", alpha=0.3)
    figure.tight_layout()
    out = path.with_suffix(".png")
    figure.savefig(out, dpi=110)
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("csv", type=Path, help="a matrix record's CSV")
    print(plot(parser.parse_args().csv))


if __name__ == "__main__":
    main()
