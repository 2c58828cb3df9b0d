"""The benchmark scripts reach the pipeline through public names only (issue 15)."""

from __future__ import annotations

import ast
from pathlib import Path

from matcher.solve import pipeline, studies

BENCHMARKS = Path(__file__).resolve().parent.parent / "benchmarks"


def _private_uses(source: str) -> list[str]:
    """``module._name`` and ``from matcher... import _name`` of the package's modules."""
    tree = ast.parse(source)
    modules = set()
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("matcher"):
            for alias in node.names:
                if alias.name.startswith("_"):
                    found.append(alias.name)
                modules.add(alias.asname or alias.name)
        elif isinstance(node, ast.Import):
            modules |= {a.asname or a.name for a in node.names if a.name.startswith("matcher")}
    for node in ast.walk(tree):
        if (
            isinstance(node, ast.Attribute)
            and isinstance(node.value, ast.Name)
            and node.value.id in modules
            and node.attr.startswith("_")
        ):
            found.append(f"{node.value.id}.{node.attr}")
    return found


def test_benchmarks_use_no_private_name_of_the_package() -> None:
    uses = {
        path.name: _private_uses(path.read_text(encoding="utf-8"))
        for path in sorted(BENCHMARKS.rglob("*.py"))
    }
    assert {name: found for name, found in uses.items() if found} == {}


def test_a_private_use_is_named() -> None:
    source = "from matcher.solve import pipeline as solver\nsolver._relaxation(1, 2)\n"
    assert _private_uses(source) == ["solver._relaxation"]
    assert _private_uses("from matcher.solve.pipeline import _search\n") == ["_search"]


def test_the_entry_points_are_the_pipeline_steps() -> None:
    assert studies.relaxation is pipeline._relaxation
    assert studies.mip_pairs is pipeline._mip_pairs
    assert studies.mip_plan is pipeline._mip_plan
    assert studies.search is pipeline._search
    assert studies.best_plan is pipeline._best_plan
