"""Library code logs through ``logging``; only the command line writes to the terminal."""

from __future__ import annotations

import ast
import logging
from pathlib import Path

import pytest

from matcher.io.reader import read_instance
from matcher.solve.pipeline import SolveParams, solve

PACKAGE = Path(__file__).resolve().parent.parent / "src" / "matcher"
CITY = Path(__file__).resolve().parent.parent / "instances" / "city"


def _prints(root: Path) -> list[str]:
    """``file:line`` of every ``print(...)`` call outside the CLI."""
    found = []
    for path in sorted(root.rglob("*.py")):
        if path.relative_to(root).parts[0] == "cli":
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Call) and getattr(node.func, "id", None) == "print":
                found.append(f"{path.relative_to(root)}:{node.lineno}")
    return found


def test_no_library_module_prints() -> None:
    assert _prints(PACKAGE) == []


def test_a_planted_print_is_named(tmp_path: Path) -> None:
    (tmp_path / "solve").mkdir()
    (tmp_path / "solve" / "planted.py").write_text("def f():\n    print('x')\n", "utf-8")
    (tmp_path / "cli").mkdir()
    (tmp_path / "cli" / "shown.py").write_text("print('user output')\n", "utf-8")
    assert _prints(tmp_path) == ["solve/planted.py:2"]


def test_the_lp_rounds_are_logged_at_debug(caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.DEBUG, logger="matcher.solve.relaxation"):
        solve(read_instance(CITY), SolveParams(time_limit=30))
    rounds = [r.getMessage() for r in caplog.records if r.name == "matcher.solve.relaxation"]
    assert rounds and rounds[0].startswith("round 1 ")
