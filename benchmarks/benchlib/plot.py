"""Runtime and peak memory against eligible pairs, log-log, one series per solver.

matplotlib is imported here only, and only when a plot is asked for: the CI
tier must run without it.
"""

from __future__ import annotations

from pathlib import Path

from benchlib.results import Row
from benchlib.summary import SOLVER_NAMES

MARKERS = {
    "matcher": "o",
    "matcher-listed": "D",
    "matcher-implicit": "v",
    "textbook": "s",
    "highs": "^",
}


def plot(rows: list[Row], time_limit: float, path: Path) -> None:
    """Filled markers are proven optima; hollow ones stopped at the limit or failed."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    figure, (times, memory) = plt.subplots(1, 2, figsize=(11, 4.5))
    for number, solver in enumerate(dict.fromkeys(row.solver for row in rows)):
        mine = [row for row in rows if row.solver == solver and row.num_pairs]
        colour = f"C{number}"
        for proven in (True, False):
            part = [row for row in mine if row.proven == proven]
            style = {
                "marker": MARKERS.get(solver, "x"),
                "color": colour,
                "facecolors": colour if proven else "none",
                "label": f"{SOLVER_NAMES.get(solver, solver)}{'' if proven else ' (not proven)'}",
            }
            if not part:
                continue
            pairs = [row.num_pairs for row in part]
            times.scatter(pairs, [row.runtime or row.wall for row in part], **style)
            memory.scatter(pairs, [row.peak_mib for row in part], **style)
    times.axhline(time_limit, color="grey", linestyle="--", linewidth=0.8, label="time limit")
    for axes, label in ((times, "runtime (s)"), (memory, "peak memory (MiB)")):
        axes.set_xscale("log")
        axes.set_yscale("log")
        axes.set_xlabel("eligible pairs")
        axes.set_ylabel(label)
        axes.grid(True, which="both", linewidth=0.3)
    times.legend(fontsize=8)
    figure.tight_layout()
    figure.savefig(path, dpi=120)
    plt.close(figure)
