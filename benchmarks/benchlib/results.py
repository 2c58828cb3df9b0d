"""One CSV row per instance × solver, and the CSV file they go to."""

from __future__ import annotations

import csv
from dataclasses import asdict, dataclass, fields
from pathlib import Path


@dataclass
class Row:
    """What one solver did on one instance. Times in seconds from after reading the instance.

    ``bound``, ``best_bound``, ``objective`` and ``lp_bound`` are in the integer
    objective ``M·coverage + scaled fit`` that all three solvers optimise.
    """

    tier: str
    size: str
    seed: int
    solver: str
    status: str = ""
    time_to_first_plan: float | None = None
    time_to_optimal: float | None = None
    runtime: float | None = None
    coverage: int | None = None
    fit: float | None = None
    gap: float | None = None
    """Against the best bound any solver proved on this instance."""
    bound: int | None = None
    """This solver's own proven bound."""
    peak_mib: float | None = None
    num_pairs: int | None = None
    checker_ok: bool | None = None
    violations: int | None = None
    objective: int | None = None
    best_bound: int | None = None
    own_gap: float | None = None
    lp_bound: float | None = None
    lp_time: float | None = None
    model_rows: int | None = None
    model_vars: int | None = None
    wall: float | None = None
    """The whole worker process, reading and start-up included."""
    load1: float | None = None
    """1-minute load average when the worker started: the machine is shared."""
    phases: str = ""
    """Seconds per phase, as the solver reports them (matcher only): where the time went."""
    note: str = ""

    @property
    def proven(self) -> bool:
        """Optimal by the solver's own proof, with a checked plan no other solver beat."""
        return self.time_to_optimal is not None


COLUMNS = [field.name for field in fields(Row)]


def write_csv(rows: list[Row], path: Path) -> None:
    """Rewrite the whole file after every instance, so an interrupted run keeps what it did."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", newline="", encoding="utf-8") as sink:
        writer = csv.DictWriter(sink, fieldnames=COLUMNS)
        writer.writeheader()
        for row in rows:
            writer.writerow({name: _cell(value) for name, value in asdict(row).items()})


def _cell(value: object) -> object:
    """Floats to 6 significant digits (times, gaps, MiB), large ones (LP bounds) to 2 decimals."""
    if value is None:
        return ""
    if isinstance(value, float):
        return f"{value:.6g}" if abs(value) < 1e6 else f"{value:.2f}"
    return value


def read_csv(path: Path) -> list[Row]:
    """Rows back from a results CSV, typed as ``Row`` declares them (empty cell: None)."""
    kinds = {field.name: str(field.type) for field in fields(Row)}
    rows = []
    with path.open(newline="", encoding="utf-8") as source:
        for record in csv.DictReader(source):
            rows.append(Row(**{name: _parse(text, kinds[name]) for name, text in record.items()}))
    return rows


def _parse(text: str, kind: str) -> object:
    if kind == "str":
        return text
    if text == "":
        return None
    if kind.startswith("bool"):
        return text == "True"
    if kind.startswith("int"):
        return int(text)
    return float(text)
