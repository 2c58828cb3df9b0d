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


def plot(rows: list[Row], time_limit: float | None, path: Path) -> None:
    """Filled markers are proven optima; hollow ones stopped at the limit; crosses failed
    (crashed or killed: drawn at their wall time, the peak they reached, and the
    instance's pair count from another solver's row). No limit line when runs combined
    from several files had different limits (``time_limit`` None)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    pairs_of = {(row.tier, row.size, row.seed): row.num_pairs for row in rows if row.num_pairs}
    figure, (times, memory) = plt.subplots(1, 2, figsize=(11, 4.5))
    for number, solver in enumerate(dict.fromkeys(row.solver for row in rows)):
        colour = f"C{number}"
        name = SOLVER_NAMES.get(solver, solver)
        mine = [row for row in rows if row.solver == solver]
        failed = [row for row in mine if _failed(row)]
        stopped = [row for row in mine if not row.proven and not _failed(row)]
        marker = MARKERS.get(solver, "o")
        parts = (
            ([row for row in mine if row.proven], "", marker, colour),
            (stopped, " (not proven)", marker, "none"),
            (failed, " (crashed or killed)", "x", colour),
        )
        for part, suffix, shape, face in parts:
            part = [row for row in part if pairs_of.get((row.tier, row.size, row.seed))]
            if not part:
                continue
            style = {"marker": shape, "color": colour, "facecolors": face, "label": name + suffix}
            pairs = [pairs_of[(row.tier, row.size, row.seed)] for row in part]
            times.scatter(pairs, [row.runtime or row.wall for row in part], **style)
            memory.scatter(pairs, [row.peak_mib for row in part], **style)
    if time_limit is not None:
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


def _failed(row: Row) -> bool:
    """The worker crashed or was killed: it reported nothing, proven or not."""
    return row.status.startswith(("crashed", "killed"))
