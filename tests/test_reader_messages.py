"""Error messages a planner can read, whatever the cells hold (issue 17, item 6).

Regressions of what the reader fuzz campaign found (``benchmarks/fuzz.py``,
``benchmarks/results/*-fuzz.md``): cells pasted from web pages or cut by a broken
export carry invisible characters, and a runaway cell can be 200,000 characters
long. Each test fails on the reader before its fix.
"""

from __future__ import annotations

from pathlib import Path

from click.testing import CliRunner

from matcher.cli.commands import main
from matcher.io.reader import InputIssue, read_instance

BASE = Path(__file__).parent.parent / "instances" / "tiny-v11"


def _instance_with(tmp_path: Path, table: str, old: str, new: str) -> Path:
    folder = tmp_path / "inst"
    folder.mkdir(parents=True)
    for source in BASE.glob("*.csv"):
        text = source.read_text(encoding="utf-8-sig")
        if source.stem == table:
            assert old in text
            text = text.replace(old, new, 1)
        (folder / source.name).write_text(text, encoding="utf-8")
    return folder


def _solve(instance: Path, tmp_path: Path) -> tuple[int, str]:
    result = CliRunner().invoke(main, ["solve", str(instance), "--out", str(tmp_path / "plan"),
                                       "--time-limit", "2"])  # fmt: skip
    return result.exit_code, result.output


def test_a_very_long_cell_is_shown_cut_with_its_length(tmp_path: Path) -> None:
    """Found: a 200,000-character cell made a 200,000-character error line."""
    folder = _instance_with(tmp_path, "groups", ",1,0,1\n", ",1,0," + "1" * 200_000 + "\n")
    code, output = _solve(folder, tmp_path)
    assert code == 2
    line = next(line for line in output.splitlines() if "max_per_department" in line)
    assert line == (
        "  groups.csv, row 2, column max_per_department: "
        f'"{"1" * 40}…" (200000 characters) is not a whole number'
    )


def test_invisible_characters_in_a_message_are_named(tmp_path: Path) -> None:
    """Found: a NUL or zero-width space inside a cell went to the terminal as nothing."""
    folder = _instance_with(tmp_path, "groups", ",1,0,1\n", ",1,0,1\x002\u200b3\n")
    code, output = _solve(folder, tmp_path)
    assert code == 2
    assert '"1<U+0000>2<U+200B>3" is not a whole number' in output
    issue = InputIssue("a.csv", 2, "id\u202e", "bad")
    assert str(issue) == "a.csv, row 2, column id<U+202E>: bad"


def test_zero_width_characters_at_a_cells_edges_are_dropped(tmp_path: Path) -> None:
    """Found: "P1" + U+200B was a post id of its own, so a preference for P1 was
    reported as naming no post, "P1" beside "P1" in the message."""
    folder = _instance_with(tmp_path, "posts", "P1,", "\u200bP1\u200b,")
    instance = read_instance(folder)
    assert instance.posts[0].id == "P1"
    assert instance.warnings == ()
    header = _instance_with(tmp_path / "h", "candidates", "id,", "\ufeffid\u200b,")
    assert read_instance(header).candidates[0].id == "C1"


def test_a_plan_with_zero_width_characters_reads_as_written(tmp_path: Path) -> None:
    plan = tmp_path / "assignments.csv"
    plan.write_text("candidate_id,post_id\nC1\u200b,\ufeffP1\n", encoding="utf-8")
    result = CliRunner().invoke(main, ["check", str(BASE), str(plan)])
    assert result.exit_code == 0, result.output


def test_a_line_break_or_tab_in_a_cell_keeps_the_issue_on_one_line(tmp_path: Path) -> None:
    """Found (campaign #3762, #7768): a cell with Alt+Enter split its issue over two
    lines, the second naming no file; a tab showed as spaces ("1	0")."""
    folder = _instance_with(tmp_path, "affinities", "C5,P2,", '"C5","P\n2",')
    code, output = _solve(folder, tmp_path)
    assert code == 2
    assert output.splitlines()[1:] == [
        '  affinities.csv, row 2, column post_id: "P<U+000A>2" is not an id in posts.csv',
    ]
    folder = _instance_with(tmp_path / "tab", "groups", ",1,0,1\n", ",1,0,1\t0\n")
    code, output = _solve(folder, tmp_path / "tab")
    assert code == 2
    assert '"1<U+0009>0" is not a whole number' in output
