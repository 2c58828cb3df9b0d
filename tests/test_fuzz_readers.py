"""Fuzzing the readers through the CLI (issue 17, item 6): the CI tier.

Every mutated instance (``tests/fuzz/strategies.py``: formulas, dates, error
cells, merged cells, hidden sheets, numbers as text, full-width text, BOMs, GBK,
stray quotes, long cells, NUL bytes, duplicated headers, v1.1 tables ...) must
solve with a plan that reads back and checks (exit 0), end with exit 3 or 4 and
their message, or exit 2 with every problem located in a file of the input;
never a traceback, never exit 1, never a partial output folder. The same
mutators run at scale in ``benchmarks/fuzz.py`` (record in
``benchmarks/results/``). Derandomized: CI sees the same examples every run.

The last tests plant a crash and a badly located error that the oracle must
name, so these tests can fail; the bugs the campaign found have their
regressions in ``tests/test_reader_messages.py``.
"""

from __future__ import annotations

import random
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings

from fuzz.strategies import (
    Draft,
    build,
    drafts,
    problems,
    run_case,
    run_plan_case,
    scratch,
)

CI = settings(
    max_examples=60,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)


@CI
@given(drafts(form="csv"))
def test_mutated_csv_instances_solve_or_are_refused_clearly(draft: Draft) -> None:
    with scratch() as work:
        outcome = run_case(draft, Path(work))
    assert outcome.problems == [], (draft.log, outcome.output[-2000:])


@CI
@given(drafts(form="xlsx"))
def test_mutated_workbooks_solve_or_are_refused_clearly(draft: Draft) -> None:
    with scratch() as work:
        outcome = run_case(draft, Path(work))
    assert outcome.problems == [], (draft.log, outcome.output[-2000:])


@CI
@given(drafts(plan=True))
def test_mutated_plans_check_or_are_refused_clearly(draft: Draft) -> None:
    with scratch() as work:
        outcome = run_plan_case(draft, Path(work))
    assert outcome.problems == [], (draft.log, outcome.output[-2000:])


# ---------------------------------------------------------------------------------------
# The oracle can fail


def test_the_oracle_names_a_planted_crash(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """A reader that raises anything but InputError is caught as an unhandled exception."""

    def broken(path: object) -> None:
        raise KeyError("planted")

    monkeypatch.setattr("matcher.cli.commands.read_instance", broken)
    outcome = run_case(build("csv", ["enum_alias"], random.Random(0)), tmp_path)
    assert outcome.problems[0].startswith("unhandled KeyError")
    assert "exit 1" in outcome.problems


def test_the_oracle_names_an_unlocated_cell_error_and_a_partial_folder(tmp_path: Path) -> None:
    out = tmp_path / "plan"
    out.mkdir()
    output = '1 problem in the input:\n  posts.csv: "x" is not a whole number\n'
    assert problems(2, output, SystemExit(2), out, ["posts.csv"]) == [
        "exit 2 left an output folder",
        "exit 2 cell error without row and column: 'posts.csv: \"x\" is not a whole number'",
    ]
    assert problems(2, "1 problem in the input:\n  other.csv: bad\n", None, None, ["posts.csv"])
