"""``matcher solve`` and ``matcher check`` end to end: files, exit statuses, messages."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from matcher.cli.commands import main
from matcher.publish import plan_files as output

CANDIDATES = """id,name,department,rank,age,education,birthplace,home_region,score,years_in_post
C1,张伟,D1,section,38,bachelor,甲县,甲县,90,0
C2,王芳,D2,general,30,master,乙县,乙县,80,0
C3,李强,D1,county,46,bachelor,甲县,甲县,99,0
"""
POSTS = """id,name,kind,unit,region,seats,sensitive
P1,甲县某镇党委副书记,grassroots,U1,乙县,1,false
P2,市信访局,petition,U2,甲县,2,false
"""


def write(folder: Path, **files: str) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for name, text in files.items():
        (folder / name).write_text(text, encoding="utf-8")
    return folder


@pytest.fixture
def instance(tmp_path: Path) -> Path:
    return write(tmp_path / "inst", **{"candidates.csv": CANDIDATES, "posts.csv": POSTS})


def run(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(main, list(args))
    return result.exit_code, result.output


def test_solve_writes_a_checked_plan(instance: Path, tmp_path: Path) -> None:
    # C3 is 46 at county level (cap 45): ineligible. C1 and C2 fill two of three seats.
    out = tmp_path / "plan"
    code, text = run("solve", str(instance), "--out", str(out), "--xlsx")
    assert code == 0, text
    assert "optimal" in text
    assignments = pd.read_csv(out / "assignments.csv", encoding="utf-8-sig")
    assert set(assignments["candidate_id"]) == {"C1", "C2"}
    assert {"candidate_name", "post_name", "kind", "region", "fit"} <= set(assignments.columns)
    unassigned = pd.read_csv(out / "unassigned.csv", encoding="utf-8-sig")
    assert "C3" in set(unassigned["id"])
    summary = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    assert summary["status"] == "optimal" and summary["gap"] == 0
    assert summary["coverage"] == 2 and summary["fit"] == summary["fit_bound"]
    assert summary["input_hash"].startswith("sha256:")
    assert {"matcher", "ortools"} <= set(summary["versions"])
    assert summary["rules"]["local_ratio"] == "1/3"
    assert (out / "plan.xlsx").exists()
    code, text = run("check", str(instance), str(out))
    assert code == 0 and "no violation" in text


def test_check_catches_a_tampered_plan(instance: Path, tmp_path: Path) -> None:
    out = tmp_path / "plan"
    assert run("solve", str(instance), "--out", str(out))[0] == 0
    (out / "assignments.csv").write_text("candidate_id,post_id\nC3,P1\n", encoding="utf-8")
    code, text = run("check", str(instance), str(out))
    assert code == 1
    assert "age" in text and "C3" in text
    code, text = run("check", str(instance), str(out), "--lang", "zh")
    assert code == 1 and "年龄" in text and "李强" in text


def test_bad_input_exits_2_naming_file_row_and_column(tmp_path: Path) -> None:
    bad = CANDIDATES.replace("C2,王芳,D2,general,30", "C2,王芳,D2,general,abc")
    folder = write(tmp_path / "bad", **{"candidates.csv": bad, "posts.csv": POSTS})
    out = tmp_path / "plan"
    code, text = run("solve", str(folder), "--out", str(out))
    assert code == 2
    assert "candidates.csv" in text and "row 3" in text and "age" in text
    assert "Traceback" not in text
    assert not out.exists(), "nothing is written for a bad input"


def test_missing_instance_exits_2(tmp_path: Path) -> None:
    code, text = run("solve", str(tmp_path / "nowhere"))
    assert code == 2 and "does not exist" in text


def test_infeasible_exits_3_naming_the_rule(tmp_path: Path) -> None:
    teams = "id,region,incumbents,incumbent_locals\nT1,丙县,6,0\n"
    folder = write(
        tmp_path / "inf",
        **{"candidates.csv": CANDIDATES, "posts.csv": POSTS, "teams.csv": teams},
    )
    code, text = run("solve", str(folder), "--out", str(tmp_path / "plan"))
    assert code == 3
    assert "local ratio" in text and "T1" in text
    assert not (tmp_path / "plan").exists()


def test_no_plan_in_time_exits_4(instance: Path, tmp_path: Path, monkeypatch) -> None:
    from matcher.cli import commands as cli
    from matcher.solve.pipeline import UNKNOWN, Result

    def give_up(*args, **kwargs):  # type: ignore[no-untyped-def]
        return Result(UNKNOWN, (), 0, 0, 0, 0, 0.1, {})

    monkeypatch.setattr(cli, "solve", give_up)
    code, text = run("solve", str(instance), "--out", str(tmp_path / "plan"))
    assert code == 4 and "--time-limit" in text


def test_a_failed_write_leaves_the_previous_plan(
    instance: Path, tmp_path: Path, monkeypatch
) -> None:
    out = tmp_path / "plan"
    assert run("solve", str(instance), "--out", str(out))[0] == 0
    before = {p.name: p.read_bytes() for p in out.iterdir()}

    def crash(*args, **kwargs):  # type: ignore[no-untyped-def]
        raise KeyboardInterrupt

    monkeypatch.setattr(output, "_write_workbook", crash)
    result = CliRunner().invoke(
        main, ["solve", str(instance), "--out", str(out), "--seed", "5", "--xlsx"]
    )
    assert result.exit_code != 0
    after = {p.name: p.read_bytes() for p in out.iterdir()}
    assert after == before, "no file replaced, no temporary left behind"


def test_bad_option_exits_2(instance: Path) -> None:
    code, _ = run("solve", str(instance), "--workers", "0")
    assert code == 2


@pytest.mark.parametrize(
    ("files", "where", "message"),
    [
        ({"posts.csv": POSTS.replace("petition,U2,甲县,2", "petition,U2,甲县,-1")},
         ("posts.csv", "row 3", "seats"), ""),
        ({"posts.csv": POSTS.replace(",grassroots,", ",village,")},
         ("posts.csv", "row 2", "kind"), "village"),
        ({"candidates.csv": CANDIDATES.replace("C2,", "C1,")},
         ("candidates.csv", "row 3", "id"), "C1"),
        ({"candidates.csv": CANDIDATES.replace(",30,master", ",130,master")},
         ("candidates.csv", "row 3", "age"), "130"),
        ({"posts.csv": POSTS.replace("id,name,kind,unit,region,seats,sensitive",
                                     "id,name,kind,unit,region,seats,sensitive,team")
          .replace(",false\n", ",false,T9\n"),
          "teams.csv": "id,region,incumbents,incumbent_locals\nT1,甲县,6,3\n"},
         ("posts.csv", "row 2", "team"), "T9"),
        ({"departments.csv": "id,name\nD1,住建局\n"},
         ("candidates.csv", "row 3", "department"), "D2"),
        ({"teams.csv": "id,region,incumbents,incumbent_locals,min_local_ratio\nT1,甲县,6,2,2/0\n"},
         ("teams.csv", "row 2", "min_local_ratio"), "2/0"),
        ({"candidates.csv": ""}, ("candidates.csv",), "empty"),
    ],
)  # fmt: skip
def test_each_input_error_exits_2_with_file_row_and_column(
    tmp_path: Path, files: dict[str, str], where: tuple[str, ...], message: str
) -> None:
    folder = write(tmp_path / "bad", **{"candidates.csv": CANDIDATES, "posts.csv": POSTS, **files})
    code, text = run("solve", str(folder), "--out", str(tmp_path / "plan"))
    assert code == 2, text
    assert all(part in text for part in where), text
    assert message in text and "Traceback" not in text
    assert not (tmp_path / "plan").exists()


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    table=st.sampled_from(["candidates", "posts"]),
    row=st.integers(0, 3),
    column=st.integers(0, 9),
    value=st.text(max_size=6),
)
def test_no_cell_value_makes_it_crash(
    tmp_path: Path, table: str, row: int, column: int, value: str
) -> None:
    # Whatever a planner types into one cell, the result is a plan (0), a named input
    # error (2) or a named conflict (3): never a traceback.
    text = {"candidates": CANDIDATES, "posts": POSTS}
    lines = [line.split(",") for line in text[table].splitlines()]
    target = lines[min(row, len(lines) - 1)]
    target[min(column, len(target) - 1)] = value.replace("\n", " ").replace("\r", " ")
    text[table] = "\n".join(",".join(line) for line in lines) + "\n"
    folder = write(tmp_path / "fuzz", **{f"{k}.csv": v for k, v in text.items()})
    result = CliRunner().invoke(main, ["solve", str(folder), "--out", str(tmp_path / "plan")])
    assert result.exit_code in (0, 2, 3), result.output
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception


def test_generate_writes_a_solvable_instance(tmp_path: Path) -> None:
    folder = tmp_path / "gen"
    code, text = run("generate", "custom", str(folder), "--candidates", "60", "--posts", "15")
    assert code == 0 and "60 candidates" in text
    assert run("solve", str(folder), "--out", str(tmp_path / "plan"))[0] == 0
    code, text = run("generate", "city", str(folder))
    assert code == 2 and "not empty" in text
    assert run("generate", "custom", str(tmp_path / "x"))[0] == 2


def test_chinese_plan_has_chinese_headers_and_checks(instance: Path, tmp_path: Path) -> None:
    out = tmp_path / "plan"
    code, _ = run("solve", str(instance), "--out", str(out), "--lang", "zh")
    assert code == 0
    header = (out / "assignments.csv").read_text(encoding="utf-8-sig").splitlines()[0]
    assert header.startswith("干部编号,姓名,派出单位,岗位编号,岗位名称,挂职类型")
    assert "干部" in (out / "unassigned.csv").read_text(encoding="utf-8-sig")
    code, text = run("check", str(instance), str(out))
    assert code == 0 and "no violation" in text


def test_solve_summary_speaks_chinese(instance: Path, tmp_path: Path) -> None:
    code, text = run("solve", str(instance), "--out", str(tmp_path / "plan"), "--lang", "zh")
    assert code == 0, text
    for label in ("状态", "已填岗位", "覆盖度", "匹配度", "差距", "按匹配度计", "用时"):
        assert label in text
    assert "seats filled" not in text


def test_summary_withholds_fit_bound_while_coverage_is_open(
    capsys: pytest.CaptureFixture[str],
) -> None:
    # fit's bound given this coverage is far above any fit (a plan may still add seats):
    # printing it beside fit reads as a 250-fold shortfall
    from matcher.cli.commands import _print_summary

    summary = {"instance": "x", "status": "feasible", "proof": "", "seats_filled": 95,
               "seats": 100, "cadres_placed": 95, "cadres": 300, "coverage": 190,
               "coverage_bound": 200, "fit": 9500, "fit_bound": 2_500_000, "gap": 0.05,
               "runtime_seconds": 1.0}  # fmt: skip
    _print_summary(summary, None)
    text = capsys.readouterr().out
    assert "2500000" not in text and "5.0000% (on coverage)" in text
    _print_summary({**summary, "coverage": 200, "fit_bound": 9600, "gap": 0.0104}, None)
    text = capsys.readouterr().out
    assert "bound 9600" in text and "1.0400% (on fit)" in text


def test_summary_records_the_time_limit_as_given(instance: Path, tmp_path: Path) -> None:
    # the solver gets what reading and listing the pairs left of it; the record keeps
    # the planner's own figure, so the run can be repeated as it was asked for
    out = tmp_path / "plan"
    code, text = run("solve", str(instance), "--out", str(out), "--time-limit", "30")
    assert code == 0, text
    summary = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    assert summary["time_limit"] == 30


def test_a_command_that_cannot_fit_in_memory_stops_before_it_starts(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # the estimate (pairs × measured bytes a pair) against the memory available: here
    # 1 MiB, so every command that builds a model refuses with exit 2 and says why
    from matcher.solve import footprint

    tiny = str(Path(__file__).parent.parent / "instances" / "tiny")
    plan = tmp_path / "plan"
    assert CliRunner().invoke(main, ["solve", tiny, "--out", str(plan)]).exit_code == 0
    monkeypatch.setattr(footprint, "available_bytes", lambda: 2**20)
    changes = tmp_path / "changes.toml"
    changes.write_text('drop_out = ["C1"]\n', encoding="utf-8")
    for args in (
        ["solve", tiny, "--out", str(tmp_path / "again")],
        ["explain", tiny, str(plan), "--cadre", "C1"],
        ["replan", tiny, str(plan), "--changes", str(changes), "--out", str(tmp_path / "r")],
    ):
        result = CliRunner().invoke(main, args)
        assert result.exit_code == 2, result.output
        assert "GiB is available here" in result.output and "Nothing was started" in result.output
    assert not (tmp_path / "again").exists() and not (tmp_path / "r").exists()
