"""A plan read back as a folder, plan.xlsx or a lone assignments file, edited by hand (part 5)."""

from __future__ import annotations

from pathlib import Path

import openpyxl
import pytest
from click.testing import CliRunner

from matcher.cli.commands import main
from matcher.io.plan_reader import read_plan
from matcher.io.reader import InputError

TINY = Path(__file__).parent.parent / "instances" / "tiny"


@pytest.fixture(scope="module")
def plans(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("plans")
    written = {}
    for lang in ("en", "zh"):
        out = folder / lang
        args = ["solve", str(TINY), "--out", str(out), "--xlsx", "--lang", lang]
        assert CliRunner().invoke(main, args).exit_code == 0
        written[lang] = out
    return written


def run(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(main, list(args))
    return result.exit_code, result.output


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_every_form_of_a_plan_reads_the_same(plans: dict[str, Path], lang: str) -> None:
    out = plans[lang]
    pairs = read_plan(out)
    assert pairs and read_plan(out / "plan.xlsx") == read_plan(out / "assignments.csv") == pairs
    only_xlsx = out.parent / f"{lang}-xlsx-only"
    only_xlsx.mkdir(exist_ok=True)
    (only_xlsx / "plan.xlsx").write_bytes((out / "plan.xlsx").read_bytes())
    assert read_plan(only_xlsx) == pairs
    for plan in (out / "plan.xlsx", only_xlsx, out / "assignments.csv"):
        code, output = run("check", str(TINY), str(plan))
        assert code == 0 and "no violation" in output, output
        code, output = run("explain", str(TINY), str(plan), "--cadre", pairs[0][0])
        assert code == 0, output
        report = out.parent / f"{lang}-report.html"
        code, output = run("report", str(TINY), str(plan), "--out", str(report))
        assert code == 0, output


def test_rows_edited_added_and_deleted_by_hand(plans: dict[str, Path], tmp_path: Path) -> None:
    book = openpyxl.load_workbook(plans["zh"] / "plan.xlsx")
    sheet = book["assignments"]
    first = [cell.value for cell in sheet[2]]
    sheet.delete_rows(2)  # a row deleted
    sheet.insert_rows(1)  # a blank line above the header
    sheet.append([])  # a blank row
    sheet.append([None] * len(first))
    # a row added with only the two ids, padded with spaces
    sheet.append([f" {first[0]} ", None, None, f"{first[3]} "])
    edited = tmp_path / "edited.xlsx"
    book.save(edited)
    assert read_plan(edited) == [*read_plan(plans["zh"])[1:], (first[0], first[3])]


def test_a_lone_gbk_file_with_chinese_headers_reads(tmp_path: Path) -> None:
    path = tmp_path / "安排.csv"
    path.write_bytes("岗位编号,干部编号,说明\r\nP1,C1,手工调整\r\n".encode("gbk"))
    assert read_plan(path) == [("C1", "P1")]


@pytest.mark.parametrize(
    ("text", "row", "column", "message"),
    [
        ("candidate_id,post_id\nC1,\n", 2, "post_id", "is empty"),
        ("\n\ncandidate_id,post\n,P1\n", 4, "candidate_id", "is empty"),
        ("who,post_id\nC1,P1\n", 1, "candidate_id", "required column is missing (or 干部编号)"),
        ("", None, None, "is empty: it has no header row"),
    ],
)
def test_bad_plans_name_file_row_and_column(
    tmp_path: Path, text: str, row: int | None, column: str | None, message: str
) -> None:
    path = tmp_path / "assignments.csv"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(InputError) as caught:
        read_plan(path)
    (issue,) = caught.value.issues
    assert (issue.file, issue.row, issue.column, issue.message) == (
        "assignments.csv", row, column, message,
    )  # fmt: skip
    code, output = run("check", str(TINY), str(path))
    assert code == 2 and "assignments.csv" in output


def test_missing_plan_and_folder_without_one(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="does not exist"):
        read_plan(tmp_path / "nowhere.xlsx")
    with pytest.raises(InputError, match="holds neither assignments.csv nor plan.xlsx"):
        read_plan(tmp_path)
    book = tmp_path / "other.xlsx"
    workbook = openpyxl.Workbook()
    workbook.active.title = "one"
    workbook.create_sheet("two")
    workbook.save(book)
    with pytest.raises(InputError, match=r"has no sheet assignments \(sheets: one, two\)"):
        read_plan(book)
