"""`matcher explain` on the tiny instance: the answers its README works out by hand."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from matcher.cli.commands import main

TINY = str(Path(__file__).parent.parent / "instances" / "tiny")


@pytest.fixture(scope="module")
def plan(tmp_path_factory: pytest.TempPathFactory) -> str:
    out = tmp_path_factory.mktemp("plan")
    assert CliRunner().invoke(main, ["solve", TINY, "--out", str(out)]).exit_code == 0
    return str(out)


def explain(plan: str, *args: str) -> str:
    result = CliRunner().invoke(main, ["explain", TINY, plan, *args])
    assert result.exit_code == 0, result.output
    return result.output


def test_unplaced_cadre_is_blocked_by_the_quota(plan: str) -> None:
    # C3: born in 青山县, so not the sensitive P1; P2 and P3 have free seats, but D1
    # already sends its one cadre (C1).
    text = explain(plan, "--cadre", "C3")
    assert "not placed" in text and "eligible for 2 of 3 posts" in text
    assert "avoidance" in text
    assert "P3 省发改委上挂岗 (own fit 150): a seat is free, but placing them breaks rule 5" in text
    assert "department D1 (市住建局)" in text


def test_placed_cadre_shows_fit_by_term(plan: str) -> None:
    text = explain(plan, "--cadre", "C1")
    assert "placed at P1" in text
    assert "fit 135 = score 80 + development 30 + party 5 + preference 20" in text


def test_post_with_an_empty_seat(plan: str) -> None:
    text = explain(plan, "--post", "P2")
    assert "C5 陈静: fit 155" in text
    assert "1 seat(s) empty: of 3 eligible cadres, 2 hold other posts" in text
    assert "C3 李强: placing them breaks rule 5" in text


def test_team_before_and_after(plan: str) -> None:
    text = explain(plan, "--team", "T1")
    assert "locals 1 of 3 before, 2 of 4 after; at least 1/3 required: holds" in text
    assert "C1 张伟 joins (local)" in text


def test_chinese(plan: str) -> None:
    text = explain(plan, "--cadre", "C3", "--team", "T1", "--lang", "zh")
    assert "未安排" in text and "敏感岗位任职回避" in text
    assert "干部 C3 李强: D1, 县处级, 44岁, 硕士" in text  # no English rank or education
    assert "调整前本地 1/3，调整后本地 2/4，要求不低于 1/3：满足" in text


def test_bad_requests_exit_2(plan: str) -> None:
    result = CliRunner().invoke(main, ["explain", TINY, plan])
    assert result.exit_code == 2 and "--cadre" in result.output
    result = CliRunner().invoke(main, ["explain", TINY, plan, "--cadre", "C9"])
    assert result.exit_code == 2 and "cadre C9" in result.output


def test_conflicts_in_chinese(tmp_path: Path) -> None:
    folder = tmp_path / "inf"
    folder.mkdir()
    (folder / "candidates.csv").write_text(
        "id,name,department,rank,age,education,birthplace,home_region,years_in_post\n"
        "C1,张伟,D1,county,60,bachelor,甲县,甲县,12\n",
        encoding="utf-8",
    )
    (folder / "posts.csv").write_text("id,kind,unit,region\nP1,grassroots,U1,乙县\n", "utf-8")
    result = CliRunner().invoke(
        main, ["solve", str(folder), "--lang", "zh", "--out", str(tmp_path / "p")]
    )
    assert result.exit_code == 3
    assert (
        "规则6（任职满期须交流）：干部C1（张伟）任职12年（满10年须交流），符合条件的岗位0个"
        in result.output
    )
    assert "超过所在职级的年龄上限" in result.output  # the supply warning says why


def test_without_listing_every_pair_the_answers_are_the_same(
    plan: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    # national scale (338M pairs) never lists every pair: explain lists the plan's pairs
    # and the asked cadres' and posts' own; every answer must read as with all listed
    from matcher.io.reader import read_instance
    from matcher.solve import pipeline

    data = read_instance(Path(TINY))
    asked = [arg for c in data.candidates for arg in ("--cadre", c.id)]
    asked += [arg for p in data.posts for arg in ("--post", p.id)]
    asked += [arg for t in data.teams for arg in ("--team", t.id)]
    listed = explain(plan, *asked)
    monkeypatch.setattr(pipeline, "IMPLICIT_ABOVE_CELLS", 0)
    assert pipeline.prepare(data).universe is not None and not pipeline.prepare(data).all_listed
    assert explain(plan, *asked) == listed
