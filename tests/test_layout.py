"""The package layout's one-way flow: a module imports only its own stage and earlier ones.

The stages, in the order of the flow (README, "How the code is laid out"):
the frozen data, reading and writing, eligibility and fit, the rows, solving,
the independent checker, analysis, plan files, planning, the report, the
generator, the command line. An import that runs back up (say ``report``
importing the CLI) would tie a lower stage to a higher one and make cycles
possible; this test names each one it finds.
"""

from __future__ import annotations

import ast
import sys
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "src" / "matcher"
STAGES = (
    "instance",
    "io",
    "prepare",
    "model",
    "solve",
    "check",
    "analysis",
    "publish",
    "planning",
    "report",
    "synthetic",
    "cli",
)
TERMINAL_ONLY = ("rich",)
"""Third-party packages that draw on a terminal: only the CLI may import them."""
CHECKER_MAY_IMPORT = ("instance", "check")
"""The checker shares no code with the model builder: it reads the data and nothing else."""
INSTANCE = PACKAGE / "instance.py"
"""The data model; the checker may take its data classes, never its tables or logic."""


def _modules() -> list[Path]:
    return sorted(PACKAGE.rglob("*.py"))


def _stage(path: Path) -> str | None:
    """The stage a module of the package belongs to; None for the package root."""
    parts = path.relative_to(PACKAGE).with_suffix("").parts
    return None if parts == ("__init__",) else parts[0]


def _imported(path: Path) -> list[tuple[int, str]]:
    """(line, dotted module) of every import in ``path``, at any depth (lazy ones too)."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found += [(node.lineno, alias.name) for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            if node.module == "matcher":  # from matcher import x: x is the module
                found += [(node.lineno, f"matcher.{alias.name}") for alias in node.names]
            else:
                found.append((node.lineno, node.module))
    return found


def _instance_logic() -> frozenset[str]:
    """Names of the logic in ``matcher.instance`` that the model builder also uses.

    The public functions and methods (``accepted_ranks``, ``Instance.team_ratio``
    ...), properties excepted: a wrong rule there would pass both the model and a
    checker that called it.
    """
    names = set()
    for node in ast.walk(ast.parse(INSTANCE.read_text(encoding="utf-8"))):
        if isinstance(node, ast.FunctionDef) and not node.name.startswith("_"):
            decorators = {d.id for d in node.decorator_list if isinstance(d, ast.Name)}
            if "property" not in decorators:
                names.add(node.name)
    return frozenset(names)


def _checker_borrowings(path: Path) -> list[tuple[int, str]]:
    """(line, name) of each table (an UPPER_CASE name) or piece of logic the checker
    takes from ``matcher.instance``, by import or by calling a method on its data."""
    logic = _instance_logic()
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.module == "matcher.instance":
            found += [
                (node.lineno, alias.name)
                for alias in node.names
                if alias.name.isupper() or alias.name in logic or alias.name == "*"
            ]
        elif isinstance(node, ast.Attribute) and node.attr in logic:
            found.append((node.lineno, node.attr))
    return found


def _violations() -> list[str]:
    problems = []
    for path in _modules():
        stage = _stage(path)
        if stage is None:
            continue
        assert stage in STAGES, f"{path}: stage {stage!r} is not in STAGES"
        for line, module in _imported(path):
            where = f"{path.relative_to(PACKAGE.parent)}:{line}"
            parts = module.split(".")
            if parts[0] in TERMINAL_ONLY and stage != "cli":
                problems.append(f"{where}: {stage} imports {module}, a terminal package")
            if parts[0] != "matcher" or len(parts) == 1 or parts[1] == "__version__":
                continue
            target = parts[1]
            if target not in STAGES:
                continue  # the package root's own names (``__init__``)
            if STAGES.index(target) > STAGES.index(stage):
                problems.append(f"{where}: {stage} imports {module}, a later stage")
            if stage == "check" and target not in CHECKER_MAY_IMPORT:
                problems.append(f"{where}: the checker imports {module}")
        if stage == "check":
            for line, name in _checker_borrowings(path):
                where = f"{path.relative_to(PACKAGE.parent)}:{line}"
                problems.append(f"{where}: the checker borrows {name} from the data model")
    return problems


def test_every_import_flows_down_the_stages() -> None:
    assert _violations() == []


def test_every_module_is_in_a_stage() -> None:
    loose = [path.name for path in PACKAGE.glob("*.py") if path.stem not in (*STAGES, "__init__")]
    assert loose == []


@pytest.mark.parametrize(
    ("stage", "source", "expected"),
    [
        ("report", "from matcher.cli.commands import read_plan\n", "a later stage"),
        ("solve", "import rich.console\n", "a terminal package"),
        ("io", "def f():\n    from matcher.solve import pipeline\n", "a later stage"),
        ("check", "from matcher.prepare.fit import FIT_TERMS\n", "the checker imports"),
        ("check", "from matcher.instance import PREFERENCE_BONUS, Post\n", "borrows"),
        ("check", "def f(instance, team):\n    return instance.team_ratio(team)\n", "borrows"),
        ("check", "from matcher.instance import accepted_ranks\n", "borrows"),
    ],
)
def test_a_planted_backward_import_is_named(
    stage: str, source: str, expected: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The test can fail: a module planted in a copy of the tree is reported."""
    fake = tmp_path / "matcher"
    (fake / stage).mkdir(parents=True)
    (fake / stage / "planted.py").write_text(source, encoding="utf-8")
    monkeypatch.setattr(sys.modules[__name__], "PACKAGE", fake)
    problems = _violations()
    assert len(problems) == 1 and expected in problems[0]
