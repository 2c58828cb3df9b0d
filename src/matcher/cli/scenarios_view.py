"""The scenario sweep on a terminal: a bar of the variants solved, then the headline table."""

from __future__ import annotations

import contextlib
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pandas as pd
from rich import box
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from matcher.planning.sweep import Outcome, finished_text, run_scenarios
from matcher.solve.pipeline import SolveParams

HEADLINE = ("variant", "status", "coverage", "fit", "gap", "seats", "moved", "new", "out")
HEADLINE_NOTE = (
    "seats: filled/total (one cadre each); moved, new, out: cadres moved, newly placed and no"
    " longer placed against the base"
)


def _headline(comparison: pd.DataFrame) -> list[list[str]]:
    """The comparison's headline columns as text, one list per variant."""
    rows = []
    for row in comparison.to_dict("records"):
        cells = [str(row["variant"]), str(row["status"])]
        if row.get("seats_filled", "") == "":
            rows.append(cells + [""] * (len(HEADLINE) - 2))
            continue
        cells += [str(row["coverage"]), str(row["fit"]), f"{row['gap']:.2%}"]
        cells.append(f"{row['seats_filled']}/{row['seats']}")
        cells += [str(row.get(name, "")) for name in ("moved", "newly_placed", "no_longer_placed")]
        rows.append(cells)
    return rows


def print_comparison(comparison: pd.DataFrame, console: Console) -> None:
    """The headline columns: a rich table on a terminal, plain aligned text otherwise."""
    rows = _headline(comparison)
    if not console.is_terminal:
        frame = pd.DataFrame(rows, columns=list(HEADLINE))
        console.print(frame.to_string(index=False), soft_wrap=True, markup=False, highlight=False)
        console.print(HEADLINE_NOTE, soft_wrap=True, markup=False, highlight=False)
        return
    table = Table(
        title="matcher scenarios",
        caption=HEADLINE_NOTE,
        box=box.SIMPLE_HEAD,
        show_edge=False,
        pad_edge=False,
        padding=(0, 1, 0, 0),
    )
    for name in HEADLINE:
        left = name in ("variant", "status")
        table.add_column(name, justify="left" if left else "right", no_wrap=True)
    for cells in rows:
        table.add_row(*cells)
    console.print(table)


@contextlib.contextmanager
def _bar(console: Console) -> Iterator[tuple[Any, Any]]:
    """A transient bar on a terminal (its ``on_start``, ``on_done``); nothing elsewhere."""
    if not console.is_terminal:
        yield (lambda num_jobs: None), (lambda outcome: None)
        return
    columns = (TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
               TimeElapsedColumn())  # fmt: skip
    with Progress(*columns, console=console, transient=True) as progress:
        tasks: list[Any] = []

        def start(num_jobs: int) -> None:
            tasks.append(progress.add_task("solving variants", total=num_jobs))

        def done(outcome: Outcome) -> None:
            progress.update(tasks[0], advance=1, description=finished_text(outcome))

        yield start, done


def run_and_show(file: Path, out: Path, params: SolveParams, console: Console,
                 **options: Any) -> pd.DataFrame:  # fmt: skip
    """``run_scenarios`` with the bar while it runs, then the headline table and a last line."""
    started = time.monotonic()
    with _bar(console) as (on_start, on_done):
        comparison = run_scenarios(file, out, params, on_start=on_start, on_done=on_done,
                                   **options)  # fmt: skip
    print_comparison(comparison, console)
    elapsed = time.monotonic() - started
    console.print(
        f"{len(comparison)} variants (base included) solved in {elapsed:.1f} s, written to {out}"
    )
    return comparison
