"""What every solver process shares: its arguments and the one JSON file it hands back.

Kept free of solver imports (no ortools, no highspy, no matcher) because the
HiGHS process imports it too, and ortools 9.15 and highspy 1.15 cannot live in
the same Python process.
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path
from typing import Any


def arguments(description: str) -> argparse.Namespace:
    """``INPUT TIME_LIMIT OUT_JSON``: the same three for every worker, so the runner is uniform."""
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("input", type=Path, help="instance folder (or exported .npz for HiGHS)")
    parser.add_argument("time_limit", type=float, help="seconds for the solver itself")
    parser.add_argument("out", type=Path, help="JSON file this worker writes")
    parser.add_argument("--lp-limit", type=float, default=0.0, help="HiGHS: LP relaxation limit")
    parser.add_argument("--rel-gap", type=float, default=0.0, help="HiGHS: mip_rel_gap")
    parser.add_argument(
        "--pairs",
        choices=("auto", "listed", "implicit"),
        default="auto",
        help="matcher: list every eligible pair, price them block by block, or by size",
    )
    return parser.parse_args()


class Clock:
    """Seconds since the worker started its timed part (after reading the input).

    Every worker starts the clock at the same point, so runtimes are comparable:
    reading the CSV files is the same for all and is left out.
    """

    def __init__(self) -> None:
        self.start = time.perf_counter()
        self.first_plan: float | None = None

    def now(self) -> float:
        return time.perf_counter() - self.start

    def plan_found(self) -> None:
        """Called from a solver callback: only the first call matters."""
        if self.first_plan is None:
            self.first_plan = self.now()


def write(out: Path, record: dict[str, Any]) -> None:
    """Write atomically, so a killed worker never leaves half a file the runner would misread."""
    partial = out.with_suffix(".partial")
    partial.write_text(json.dumps(record, default=_plain), encoding="utf-8")
    partial.replace(out)


def _plain(value: Any) -> Any:
    """numpy scalars and arrays as plain JSON numbers and lists."""
    if hasattr(value, "tolist"):
        return value.tolist()
    raise TypeError(f"not JSON serialisable: {type(value).__name__}")
