"""No file the tool writes runs a planner's text as a formula (issue 17, part 1).

A cadre's name, a post's name and an id are planted with every prefix a
spreadsheet runs (``=``, ``+``, ``-``, ``@``, tab, carriage return); every CSV
cell written must then start with ``'`` (OWASP) unless it is a number, every
xlsx text cell must be a string (never a formula), and every file read back by
the tool gives the original text. Numbers, negative ones included, stay numbers.
"""

from __future__ import annotations

import csv
import html
import json
import re
import zipfile
from collections.abc import Iterator
from pathlib import Path

import openpyxl
import pandas as pd
import pytest
from click.testing import CliRunner

from factories import cadre, post
from matcher.check.checker import check_plan
from matcher.cli.commands import main
from matcher.instance import Affinity, Instance
from matcher.io.cells import FORMULA_PREFIXES, safe_text, unescape_text
from matcher.io.plan_reader import read_plan
from matcher.io.reader import read_instance
from matcher.planning.scenarios import write_variant_instance
from matcher.publish.plan_files import plan_tables, write_plan
from matcher.report.html import read_scenarios

# The reader strips every cell, so a leading tab or carriage return never reaches
# a plan from the planner's files; those two are tested on the writers directly.
FROM_FILES = ("=", "+", "-", "@")


def run(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(main, list(args))
    return result.exit_code, result.output


def planted(prefixes: tuple[str, ...] = FROM_FILES) -> Instance:
    """One cadre and one post per prefix, plus ids that start with ``-`` and ``=``.

    Every pair has an affinity bonus of -5, so every assignment has a negative
    number (fit_affinity) beside the planted text.
    """
    cadres = [
        cadre(f"C{i}", department=f"D{i}").model_copy(update={"name": f"{p}1+1 cadre {i}"})
        for i, p in enumerate(prefixes)
    ]
    cadres.append(cadre("-C9", department="D9").model_copy(update={"name": "@cadre nine"}))
    posts = [
        post(f"P{i}").model_copy(update={"name": f"{p}SUM(A1) post {i}"})
        for i, p in enumerate(prefixes)
    ]
    posts.append(post("=P9").model_copy(update={"name": "-post nine"}))
    affinities = [
        Affinity(candidate_id=c.id, post_id=p.id, bonus=-5) for c in cadres for p in posts
    ]
    return Instance(
        name="planted", candidates=tuple(cadres), posts=tuple(posts), affinities=tuple(affinities)
    )


def names(instance: Instance) -> set[str]:
    return {c.name for c in instance.candidates} | {p.name for p in instance.posts}


def runs_as_formula(cell: str) -> bool:
    """Would a spreadsheet run this CSV cell? Numbers (``-5``) are numbers, not formulas."""
    if not cell.startswith(FORMULA_PREFIXES):
        return False
    try:
        float(cell)
    except ValueError:
        return True
    return False


def csv_cells(path: Path) -> Iterator[str]:
    with path.open(encoding="utf-8-sig", newline="") as file:
        for row in csv.reader(file):
            yield from row


def assert_csv_safe(path: Path, planted_text: set[str]) -> set[str]:
    """No cell of ``path`` runs; returns the planted texts found (escaped) in it."""
    cells = list(csv_cells(path))
    assert cells, path
    running = [cell for cell in cells if runs_as_formula(cell)]
    assert not running, (path, running)
    return {text for text in planted_text if "'" + text in cells}


@pytest.fixture
def instance_dir(tmp_path: Path) -> Path:
    folder = tmp_path / "planted"
    write_variant_instance(planted(), folder)
    return folder


# ---------------------------------------------------------------------------------------
# The escaping itself


@pytest.mark.parametrize("prefix", FORMULA_PREFIXES)
def test_text_with_a_formula_prefix_is_escaped_and_read_back(prefix: str) -> None:
    text = f"{prefix}HYPERLINK(1)"
    assert safe_text(text) == "'" + text
    assert unescape_text(safe_text(text)) == text


def test_numbers_and_plain_text_are_left_alone() -> None:
    for value in (-3, -5.5, 0, 7):
        assert safe_text(value) == value
    for text in ("张伟", "C1", "1/3", "", "'quoted", "a=b"):
        assert safe_text(text) == text
        assert unescape_text(text) == text
    # a text that starts with ' but not before a prefix is the planner's own: kept whole
    assert unescape_text("'=x") == "=x" and unescape_text("''=x") == "''=x"


def test_instance_files_are_escaped_and_read_back_as_written(instance_dir: Path) -> None:
    original = planted()
    found = set()
    for table in ("candidates", "posts", "affinities"):
        found |= assert_csv_safe(instance_dir / f"{table}.csv", names(original) | {"-C9", "=P9"})
    assert found == names(original) | {"-C9", "=P9"}
    # the bonus of -5 is a number: written bare, not as text
    affinities = pd.read_csv(instance_dir / "affinities.csv", dtype=str)
    assert set(affinities["bonus"]) == {"-5"}
    read = read_instance(instance_dir)
    assert read.candidates == original.candidates and read.posts == original.posts
    assert read.affinities == original.affinities


def test_every_prefix_is_escaped_by_the_plan_writer(tmp_path: Path) -> None:
    instance = planted(FORMULA_PREFIXES)  # tab and carriage return too
    plan = [(f"C{i}", f"P{i}") for i in range(len(FORMULA_PREFIXES))]
    report = check_plan(instance, plan)
    assert report.ok
    for lang in ("en", "zh"):
        out = tmp_path / lang
        write_plan(out, plan_tables(instance, plan, report, {}, {}, [], lang), {}, xlsx=True)
        found = assert_csv_safe(out / "assignments.csv", names(instance))
        assert {f"{p}1+1 cadre {i}" for i, p in enumerate(FORMULA_PREFIXES)} <= found
        assert {f"{p}SUM(A1) post {i}" for i, p in enumerate(FORMULA_PREFIXES)} <= found
        assert read_plan(out) == sorted(plan, key=lambda pair: (pair[1], pair[0]))
        assert read_plan(out / "plan.xlsx") == read_plan(out)


# ---------------------------------------------------------------------------------------
# solve --xlsx, replan and scenarios end to end


def assert_xlsx_safe(path: Path, planted_text: set[str]) -> None:
    """No formula anywhere in the workbook's XML; the planted text is there as strings."""
    with zipfile.ZipFile(path) as book:
        sheets = [name for name in book.namelist() if name.startswith("xl/worksheets/sheet")]
        assert sheets
        for name in sheets:
            xml = book.read(name).decode()
            assert "<f>" not in xml and "<f " not in xml, name
            assert 't="f"' not in xml
    workbook = openpyxl.load_workbook(path)
    seen = set()
    negatives = 0
    for sheet in workbook.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                if isinstance(cell.value, str) and cell.value in planted_text:
                    assert cell.data_type == "s"
                    seen.add(cell.value)
                if isinstance(cell.value, int) and cell.value < 0:
                    negatives += 1
                    assert cell.data_type == "n"
    assert seen == planted_text
    assert negatives  # fit_affinity -5 is still a number


def test_solve_writes_no_runnable_cell_and_reads_back(instance_dir: Path, tmp_path: Path) -> None:
    out = tmp_path / "plan"
    code, output = run("solve", str(instance_dir), "--out", str(out), "--xlsx")
    assert code == 0, output
    text = names(planted()) | {"-C9", "=P9"}
    found = set()
    for name in ("assignments.csv", "unassigned.csv", "alternates.csv"):
        found |= assert_csv_safe(out / name, text)
    assert found == text
    assignments = pd.read_csv(out / "assignments.csv", dtype=str)
    assert set(assignments["fit_affinity"]) == {"-5"}
    assert_xlsx_safe(out / "plan.xlsx", text)
    # every form of the plan reads back to the same pairs, ids with their prefixes
    pairs = read_plan(out)
    assert {"-C9", "=P9"} & {id for pair in pairs for id in pair}
    assert read_plan(out / "plan.xlsx") == read_plan(out / "assignments.csv") == pairs
    for plan in (out, out / "plan.xlsx", out / "assignments.csv"):
        code, output = run("check", str(instance_dir), str(plan))
        assert code == 0 and "no violation" in output, output


def test_replan_writes_no_runnable_cell(instance_dir: Path, tmp_path: Path) -> None:
    published = tmp_path / "published"
    assert run("solve", str(instance_dir), "--out", str(published))[0] == 0
    pairs = read_plan(published)
    dropped = pairs[0][0]
    changes = tmp_path / "changes.toml"
    changes.write_text(f"drop_out = [{json.dumps(dropped)}]\n", encoding="utf-8")
    out = tmp_path / "new"
    code, output = run(
        "replan", str(instance_dir), str(published), "--changes", str(changes), "--out", str(out)
    )
    assert code == 0, output
    text = names(planted()) | {"-C9", "=P9"}
    found = set()
    for name in ("assignments.csv", "unassigned.csv", "alternates.csv", "changes.csv"):
        found |= assert_csv_safe(out / name, text)
    assert {p.name for p in planted().posts} <= found
    for table in ("candidates", "posts", "affinities"):
        assert_csv_safe(out / "instance" / f"{table}.csv", text)
    written = read_instance(out / "instance")
    assert names(written) == names(planted()) - {
        c.name for c in planted().candidates if c.id == dropped
    }
    code, output = run("check", str(out / "instance"), str(out))
    assert code == 0 and "no violation" in output, output


def test_scenarios_write_no_runnable_cell(instance_dir: Path, tmp_path: Path) -> None:
    scenarios = tmp_path / "scenarios.toml"
    scenarios.write_text(
        f'base = "{instance_dir.as_posix()}"\n'
        '[variants.fewer]\ndescription = "=one seat fewer"\nposts.P0 = { seats = 0 }\n',
        encoding="utf-8",
    )
    out = tmp_path / "out"
    code, output = run("scenarios", str(scenarios), "--out", str(out), "--workers-pool", "1")
    assert code == 0, output
    text = names(planted()) | {"-C9", "=P9", "=one seat fewer"}
    found = assert_csv_safe(out / "comparison.csv", text)
    assert "=one seat fewer" in found
    assert_csv_safe(out / "changes.csv", text)
    for variant in ("base", "fewer"):
        for name in ("assignments.csv", "unassigned.csv", "alternates.csv"):
            found |= assert_csv_safe(out / variant / "plan" / name, text)
        for table in ("candidates", "posts", "affinities"):
            found |= assert_csv_safe(out / variant / "instance" / f"{table}.csv", text)
        assert names(read_instance(out / variant / "instance")) == names(planted())
    assert found == text
    # the report reads the comparison back as the original text, and escapes it in its table
    read = read_scenarios(out)
    assert list(read.variants) == ["base", "fewer"]
    assert "=one seat fewer" in set(read.comparison["description"])
    report = tmp_path / "report.html"
    code, output = run("report", str(out), "--out", str(report))
    assert code == 0, output
    page = report.read_text(encoding="utf-8")
    cells = [html.unescape(cell) for cell in re.findall(r"<td>(.*?)</td>", page)]
    assert "'=one seat fewer" in cells and "=one seat fewer" not in cells
