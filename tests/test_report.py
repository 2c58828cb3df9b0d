"""``matcher report``: the figures of a plan, the page, the CLI, and the page in a real browser.

The figures are checked against ``instances/tiny``, whose optimum is worked out
by hand in its README: C1 -> P1 (grassroots, 青山县, team T1, fit 135) and
C5 -> P2 (petition, 白水县, fit 155); coverage 3, fit 290; P2's second seat
and P3 (upward, 省会) stay empty. T1 has 3 members, 1 local; C1 is local to
青山县, so after the plan it has 4 members, 2 local. D1 sends C1 (quota 0-1),
D2 sends C5 (minimum 0, no maximum).
"""

from __future__ import annotations

import json
import re
import shutil
import tempfile
from collections.abc import Iterator
from fractions import Fraction
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from matcher.cli.commands import main
from matcher.io.reader import InputError, read_instance
from matcher.report.html import (
    DepartmentSends,
    ExceptionUse,
    GroupFacts,
    TeamShare,
    plan_facts,
    read_plan_facts,
    read_scenarios,
    write_plan_report,
    write_report,
    write_scenarios_report,
)

TINY = Path(__file__).parent.parent / "instances" / "tiny"
TINY_PLAN = [("C1", "P1"), ("C5", "P2")]
TINY_V11 = TINY.parent / "tiny-v11"
TINY_V11_PLAN = [("C1", "P1"), ("C2", "P2")]  # its README's optimum: C2 through the age exception
NUM_PLAN_CHARTS = 5  # kinds, regions, teams, departments, fit
NUM_SCENARIO_CHARTS = 5  # coverage and fit, kinds, teams, departments, fit


def run(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(main, list(args))
    return result.exit_code, result.output


@pytest.fixture(scope="module")
def tiny_plan(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("tiny") / "plan"
    code, text = run("solve", str(TINY), "--out", str(out))
    assert code == 0, text
    return out


def _variant(root: Path, name: str, edit: dict[str, str] | None = None) -> Path:
    """A copy of tiny as ``root/name/instance``, with some files replaced."""
    instance = root / name / "instance"
    shutil.copytree(TINY, instance)
    for file, text in (edit or {}).items():
        (instance / file).write_text(text, encoding="utf-8")
    return instance


@pytest.fixture(scope="module")
def scenarios(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The layout ``matcher scenarios`` writes: three solved variants and an infeasible one.

    ratio_half: T1 must be half local; C1 -> P1 makes it 2 of 4, so the plan stands.
    d1_two: D1 may send two, so C3 takes P3 as well: coverage 4, fit 290 + 150.
    must_c2: C2 (41, over the section-level cap) must be placed: infeasible, no plan.
    """
    root = tmp_path_factory.mktemp("scenarios")
    departments = (TINY / "departments.csv").read_text(encoding="utf-8")
    candidates = (TINY / "candidates.csv").read_text(encoding="utf-8")
    variants = {
        "base": {},
        "ratio_half": {"rules.toml": 'local_ratio = "1/2"\n'},
        "d1_two": {
            "departments.csv": departments.replace("construction,0,1,", "construction,0,2,")
        },
    }
    for name, edit in variants.items():
        instance = _variant(root, name, edit)
        code, text = run("solve", str(instance), "--out", str(root / name / "plan"))
        assert code == 0, text
    must_c2 = candidates.replace(",,2,95,", ",,12,95,")  # C2: 12 years in post
    assert must_c2 != candidates
    instance = _variant(root, "must_c2", {"candidates.csv": must_c2})
    code, _ = run("solve", str(instance), "--out", str(root / "must_c2" / "plan"))
    assert code == 3
    (root / "must_c2" / "plan").mkdir()
    (root / "must_c2" / "plan" / "summary.json").write_text('{"status": "infeasible"}\n')
    rows = ["variant,status,coverage,fit"]
    rows += ["d1_two,optimal,4,440", "base,optimal,3,290", "ratio_half,optimal,3,290"]
    rows += ["must_c2,infeasible,,"]
    (root / "comparison.csv").write_text("\n".join(rows) + "\n", encoding="utf-8")
    return root


# --------------------------------------------------------------------------- figures


def test_tiny_plan_facts_match_the_hand_worked_optimum() -> None:
    summary = {"status": "optimal", "coverage_bound": 3, "fit_bound": 290, "gap": 0.0}
    facts = plan_facts(read_instance(TINY), TINY_PLAN, summary)
    assert (facts.coverage, facts.fit, facts.status) == (3, Fraction(290), "optimal")
    assert (facts.num_seats, facts.num_seats_filled) == (4, 2)
    assert (facts.num_cadres, facts.num_cadres_placed, facts.num_violations) == (5, 2, 0)
    assert facts.kind2seats == {"grassroots": (1, 1), "petition": (1, 2), "upward": (0, 1)}
    assert facts.region2seats == {"青山县": (1, 1), "白水县": (1, 2), "省会": (0, 1)}
    assert facts.teams == (TeamShare("T1", "青山县", Fraction(1, 3), 3, 1, 4, 2),)
    assert facts.departments == (
        DepartmentSends("D1 市住建局", 1, 0, 1),
        DepartmentSends("D2 市卫健委", 1, 0, None),
    )
    assert sorted(facts.fits) == [("grassroots", 135.0), ("petition", 155.0)]


def test_a_plan_breaking_rules_is_reported_with_its_violations() -> None:
    # C2 is over the age cap of his rank; C5 (home 白水县) leaves T1 at 1 local of 4 (< 1/3).
    facts = plan_facts(read_instance(TINY), [("C5", "P1"), ("C2", "P2")], None)
    assert facts.num_violations == 2
    assert facts.status == "unknown" and facts.gap is None
    assert facts.teams[0].locals_after == 1 and facts.teams[0].members_after == 4


def test_scenarios_are_read_in_the_order_of_comparison_csv(scenarios: Path) -> None:
    read = read_scenarios(scenarios)
    assert list(read.variants) == ["d1_two", "base", "ratio_half"]
    assert read.unplanned == {"must_c2": "infeasible"}
    assert [f.coverage for f in read.variants.values()] == [4, 3, 3]
    assert read.variants["d1_two"].fit == 440
    assert read.variants["ratio_half"].teams[0].ratio == Fraction(1, 2)
    assert read.variants["d1_two"].departments[0].sent == 2


# --------------------------------------------------------------------------- the page


def _chart_ids(page: str) -> list[str]:
    return re.findall(r'<div id="(chart-[a-z-]+)" class="plotly-graph-div"', page)


def test_the_page_is_one_self_contained_file(tiny_plan: Path, tmp_path: Path) -> None:
    out = tmp_path / "report.html"
    write_report(TINY, tiny_plan, out)
    page = out.read_text(encoding="utf-8")
    assert _chart_ids(page) == [
        "chart-kinds", "chart-regions", "chart-teams", "chart-departments", "chart-fit"
    ]  # fmt: skip
    assert not re.search(r"<(script|link|img|iframe)[^>]+(src|href)=", page)  # nothing fetched
    assert "Plotly.newPlot" in page and len(page) > 1_000_000  # plotly.js is inline
    assert "Plan report" in page and "optimal" in page
    assert [p.name for p in tmp_path.iterdir()] == ["report.html"]  # no temporary file left


def test_chinese_page_has_chinese_titles(tiny_plan: Path, tmp_path: Path) -> None:
    out = tmp_path / "报告.html"
    write_report(TINY, tiny_plan, out, lang="zh")
    page = out.read_text(encoding="utf-8")
    for label in ("挂职方案报告", "按挂职类型统计的名额", "各领导班子本地干部比例", "下挂", "最优"):
        assert label in page or json.dumps(label)[1:-1] in page  # as HTML, or in a chart's JSON
    assert '<html lang="zh-CN">' in page


def test_the_same_plan_gives_the_same_page(tiny_plan: Path, tmp_path: Path) -> None:
    write_report(TINY, tiny_plan, tmp_path / "a.html")
    write_report(TINY, tiny_plan, tmp_path / "b.html")
    assert (tmp_path / "a.html").read_bytes() == (tmp_path / "b.html").read_bytes()


def test_an_instance_without_teams_says_so_instead_of_a_chart(tmp_path: Path) -> None:
    instance = tmp_path / "inst"
    shutil.copytree(TINY, instance)
    (instance / "teams.csv").unlink()
    out = tmp_path / "report.html"
    write_plan_report(read_instance(instance), TINY_PLAN, None, out)
    page = out.read_text(encoding="utf-8")
    assert "chart-teams" not in _chart_ids(page) and "No leadership teams" in page
    assert "unknown (no summary.json)" in page


def test_scenarios_page_shows_every_variant(scenarios: Path, tmp_path: Path) -> None:
    out = tmp_path / "scenarios.html"
    write_scenarios_report(scenarios, out, lang="zh")
    page = out.read_text(encoding="utf-8")
    assert len(_chart_ids(page)) == NUM_SCENARIO_CHARTS
    assert "方案情景对比" in page and "must_c2" in page and "规则无法同时满足" in page
    for name in ("d1_two", "base", "ratio_half"):
        assert f'"name":"{name}"' in page


# --------------------------------------------------------------------------- the command


def test_report_command_writes_the_page(tiny_plan: Path, tmp_path: Path) -> None:
    out = tmp_path / "sub" / "report.html"
    code, text = run("report", str(TINY), str(tiny_plan), "--out", str(out), "--lang", "zh")
    assert code == 0, text
    assert "挂职方案报告" in out.read_text(encoding="utf-8")


def test_report_command_detects_a_scenarios_folder(scenarios: Path, tmp_path: Path) -> None:
    out = tmp_path / "report.html"
    code, text = run("report", str(scenarios), "--out", str(out))
    assert code == 0, text
    assert "Scenarios compared" in out.read_text(encoding="utf-8")


def test_solve_writes_the_report_of_its_plan(tmp_path: Path) -> None:
    out = tmp_path / "report.html"
    code, text = run("solve", str(TINY), "--out", str(tmp_path / "plan"), "--report", str(out))
    assert code == 0, text
    page = out.read_text(encoding="utf-8")
    assert len(_chart_ids(page)) == NUM_PLAN_CHARTS and "290" in page


def _fails_cleanly(args: list[str], out: Path, *names: str) -> None:
    """Exit 2 with a one-line message naming the file; no report and no temporary file left."""
    code, text = run(*args, "--out", str(out))
    assert code == 2, text
    assert "Traceback" not in text
    for name in names:
        assert name in text
    assert not out.exists()
    assert not any(p.name.endswith(".tmp") for p in out.parent.iterdir())


def test_bad_input_is_a_clear_error(tiny_plan: Path, tmp_path: Path) -> None:
    out = tmp_path / "report.html"
    _fails_cleanly(["report", str(TINY), str(tmp_path / "nowhere")], out, "nowhere")
    _fails_cleanly(["report", str(TINY)], out, "PLAN_DIR")
    broken = tmp_path / "broken"
    shutil.copytree(tiny_plan, broken)
    (broken / "summary.json").write_text("{not json", encoding="utf-8")
    _fails_cleanly(["report", str(TINY), str(broken)], out, str(broken / "summary.json"))
    (broken / "summary.json").unlink()
    (broken / "assignments.csv").write_text("who,where\nC1,P1\n", encoding="utf-8")
    _fails_cleanly(["report", str(TINY), str(broken)], out, "assignments.csv", "candidate_id")


def test_a_variant_with_bad_input_names_its_folder(scenarios: Path, tmp_path: Path) -> None:
    copy = tmp_path / "scenarios"
    shutil.copytree(scenarios, copy)
    (copy / "base" / "instance" / "posts.csv").write_text("id,kind\nP1,nonsense\n")
    with pytest.raises(InputError, match=re.escape(str(copy / "base" / "instance"))):
        read_scenarios(copy)
    _fails_cleanly(["report", str(copy)], tmp_path / "report.html", "base")


def test_an_unwritable_report_is_a_clear_error(tiny_plan: Path, tmp_path: Path) -> None:
    folder = tmp_path / "taken"
    folder.mkdir()
    code, text = run("report", str(TINY), str(tiny_plan), "--out", str(folder))
    assert code == 2 and "Cannot write the report" in text and "Traceback" not in text
    assert list(folder.iterdir()) == []


def test_a_hand_edited_plan_without_summary_is_reported(tiny_plan: Path, tmp_path: Path) -> None:
    edited = tmp_path / "edited"
    edited.mkdir()
    shutil.copy(tiny_plan / "assignments.csv", edited)
    facts = read_plan_facts(TINY, edited)
    assert facts.status == "unknown" and facts.coverage == 3


# --------------------------------------------------------------------------- format v1.1

G1_LIMITS = dict(
    min_members=0, max_members=None, min_party_members=1, min_county_level=0, max_per_department=1
)
C2_AGE = ExceptionUse(
    "C2 王芳", "P2 市信访局接访岗", "age_cap", "信访工作经验丰富，经部务会研究同意放宽年龄"
)


def test_group_composition_and_exceptions_of_the_tiny_v11_optimum() -> None:
    # G1 (P2, P3) holds C2 alone: a party member, section level, of D2; C2 (41) is on
    # P2 through the documented exception to the section-level age cap of 40.
    facts = plan_facts(read_instance(TINY_V11), TINY_V11_PLAN, None)
    assert facts.num_violations == 0 and (facts.coverage, facts.fit) == (3, Fraction(310))
    assert facts.groups == (GroupFacts("G1 市直挂职工作组", 1, 1, 0, 1, **G1_LIMITS),)
    assert facts.groups[0].broken() == (False, False, False, False)
    assert facts.exceptions == (C2_AGE,) and facts.has_exceptions


def test_a_hand_edited_v11_plan_shows_its_groups_as_they_stand() -> None:
    # C5 and C2 (both D2) in G1: two from one department against a cap of one; with C5
    # alone, G1 has no party member against its minimum of one.
    instance = read_instance(TINY_V11)
    facts = plan_facts(instance, [("C1", "P1"), ("C5", "P2"), ("C2", "P3")], None)
    assert facts.groups == (GroupFacts("G1 市直挂职工作组", 2, 1, 0, 2, **G1_LIMITS),)
    assert facts.groups[0].broken() == (False, False, False, True)
    assert facts.num_violations == 1
    alone = plan_facts(instance, [("C1", "P1"), ("C5", "P2")], None)
    assert alone.groups[0].broken() == (False, True, False, False) and alone.num_violations == 1
    assert alone.exceptions == () and alone.has_exceptions  # the card shows 0 used
    empty = plan_facts(instance, [("C1", "P1")], None)  # an empty group needs no party member
    assert empty.groups[0].members == 0 and empty.groups[0].broken() == (False,) * 4


def _plan_dir(root: Path, plan: list[tuple[str, str]]) -> Path:
    folder = root / "plan"
    folder.mkdir()
    rows = "".join(f"{cadre},{post}\n" for cadre, post in plan)
    (folder / "assignments.csv").write_text("candidate_id,post_id\n" + rows, encoding="utf-8")
    return folder


def test_v11_page_draws_groups_and_lists_exceptions(tmp_path: Path) -> None:
    out = tmp_path / "report.html"
    write_report(TINY_V11, _plan_dir(tmp_path, TINY_V11_PLAN), out, "zh")
    page = out.read_text(encoding="utf-8")
    assert _chart_ids(page) == [
        f"chart-{name}" for name in ("kinds", "regions", "teams", "departments", "groups", "fit")
    ]
    assert json.dumps("各工作组方案后的人员构成与要求")[1:-1] in page  # in the chart's JSON
    for label in ("人数", "党员", "县处级", "同一单位最多", "下限", "上限"):
        assert f'"name":{json.dumps(label)}' in page, label
    headline = re.search(r'<div class="cards">.*?</div></div></div>', page)
    assert headline and "使用例外" in headline.group(0)
    table = re.search(r'<section id="exceptions">.*?</section>', page)
    assert table is not None
    assert re.findall(r"<td>(.*?)</td>", table.group(0)) == [
        "C2 王芳", "P2 市信访局接访岗", "年龄上限", C2_AGE.reason
    ]  # fmt: skip
    english = tmp_path / "report-en.html"
    write_report(TINY_V11, tmp_path / "plan", english)
    text = english.read_text(encoding="utf-8")
    assert "Composition of each group after the plan" in text and "Exceptions used" in text
    assert "<td>age cap</td>" in text


def test_a_broken_group_is_drawn_red(tmp_path: Path) -> None:
    out = tmp_path / "report.html"
    write_report(TINY_V11, _plan_dir(tmp_path, [("C1", "P1"), ("C5", "P2"), ("C2", "P3")]), out)
    page = out.read_text(encoding="utf-8")
    chart = page[page.index('id="chart-groups"') :]
    colours = re.findall(
        r'"marker":\{"color":\["(#[0-9a-f]+)"\]', chart[: chart.index("</script>")]
    )
    # members, party, county-level within limits; most from one department (2 > 1) red
    assert colours == ["#2b6cb0", "#2b6cb0", "#2b6cb0", "#c53030"]


def test_a_v1_page_has_no_group_chart_and_no_exceptions_card(
    tiny_plan: Path, tmp_path: Path
) -> None:
    out = tmp_path / "report.html"
    write_report(TINY, tiny_plan, out)
    page = out.read_text(encoding="utf-8")
    assert "chart-groups" not in page and "Exceptions used" not in page


# --------------------------------------------------------------------------- in a browser

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
CHROMEDRIVER = shutil.which("chromedriver")
browser_only = pytest.mark.skipif(
    CHROMIUM is None or CHROMEDRIVER is None,
    reason="needs Debian's chromium and chromium-driver (apt-get install chromium chromium-driver;"
    " .ci/run installs them)",
)

RENDERED = """
return Array.from(document.querySelectorAll('div[id^="chart-"]')).map(div => ({
    id: div.id,
    title: (div.querySelector('.gtitle') || {}).textContent,
    plotted: div.classList.contains('js-plotly-plot') && Boolean(div._fullLayout),
    svgs: div.querySelectorAll('svg.main-svg').length,
    marks: div.querySelectorAll('.point').length,
}));
"""
"""Each chart div as drawn by plotly.js: its SVG layers and its drawn points (bars, markers)."""

NETWORK = """
return performance.getEntriesByType('resource').map(entry => entry.name)
    .filter(name => !name.startsWith('file:') && !name.startsWith('data:'));
"""


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    """Headless chromium with DNS disabled, so any network fetch fails and is logged."""
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = str(CHROMIUM)
    flags = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
             "--disable-background-networking", "--disable-component-update", "--disable-sync",
             "--host-resolver-rules=MAP * ~NOTFOUND", "--window-size=1280,2000"]  # fmt: skip
    with tempfile.TemporaryDirectory() as profile:
        for flag in [*flags, f"--user-data-dir={profile}"]:
            options.add_argument(flag)
        options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
        driver = webdriver.Chrome(options=options, service=Service(str(CHROMEDRIVER)))
        try:
            yield driver
        finally:
            driver.quit()


def _render(browser: Any, page: Path) -> tuple[list[dict[str, Any]], list[str], list[str]]:
    """Open ``page``, wait for the charts; return them, console errors, and network fetches."""
    from selenium.webdriver.support.ui import WebDriverWait

    browser.get_log("browser")  # drop what earlier pages logged
    browser.get(page.as_uri())
    WebDriverWait(browser, 30).until(
        lambda driver: all(chart["svgs"] for chart in driver.execute_script(RENDERED))
    )
    errors = [
        entry["message"] for entry in browser.get_log("browser") if entry["level"] == "SEVERE"
    ]
    return browser.execute_script(RENDERED), errors, browser.execute_script(NETWORK)


@browser_only
def test_browser_harness_sees_a_broken_page(browser: Any, tmp_path: Path) -> None:
    # the checks below can fail: a script error on a page is caught
    page = tmp_path / "broken.html"
    page.write_text('<div id="chart-x"><svg class="main-svg"></svg></div>'
                    "<script>undefinedFunction()</script>")  # fmt: skip
    _, errors, _ = _render(browser, page)
    assert any("undefinedFunction" in error for error in errors)


@browser_only
def test_plan_report_renders_in_a_browser(browser: Any, tiny_plan: Path, tmp_path: Path) -> None:
    out = tmp_path / "report.html"
    write_report(TINY, tiny_plan, out, "zh")  # Chinese here, English in the scenarios test
    charts, errors, fetched = _render(browser, out)
    assert errors == []
    assert fetched == []  # opens offline
    assert len(charts) == NUM_PLAN_CHARTS
    for chart in charts:
        assert chart["plotted"] and chart["svgs"] >= 1, chart
        assert chart["marks"] >= 2, chart  # at least two bars or points drawn in every chart
    assert browser.title.startswith("挂职方案报告")
    assert charts[0]["title"] == "按挂职类型统计的名额"


@browser_only
def test_scenarios_report_renders_in_a_browser(
    browser: Any, scenarios: Path, tmp_path: Path
) -> None:
    out = tmp_path / "scenarios.html"
    write_scenarios_report(scenarios, out)
    charts, errors, fetched = _render(browser, out)
    assert errors == [] and fetched == []
    assert len(charts) == NUM_SCENARIO_CHARTS
    for chart in charts:
        assert chart["plotted"] and chart["marks"] >= 3, chart  # three variants with plans
    assert charts[0]["title"] == "Coverage and fit of each variant"


def test_summary_json_is_read_as_written(tiny_plan: Path) -> None:
    summary = json.loads((tiny_plan / "summary.json").read_text(encoding="utf-8"))
    facts = read_plan_facts(TINY, tiny_plan)
    assert facts.status == summary["status"] and facts.fit_bound == summary["fit_bound"]
