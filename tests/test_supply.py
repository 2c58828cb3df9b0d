"""Supply against demand before solving: each shortfall names the rule and the reasons."""

from __future__ import annotations

from factories import cadre, post
from matcher.analysis.supply import shortfalls
from matcher.instance import Department, Instance, Rank, Team
from matcher.solve.pipeline import prepare


def messages(instance: Instance, lang: str = "en") -> list[tuple[int, str, str]]:
    return [(s.rule, s.subject, s.message(lang)) for s in shortfalls(prepare(instance))]


def test_department_short_of_eligible_cadres_says_why() -> None:
    # D1 must send 2; of its 4 cadres, 3 are over the 乡科级 cap of 40: only 1 eligible.
    inst = Instance(
        candidates=(cadre("A"), *(cadre(c, age=41) for c in "BCD")),
        posts=(post("P"), post("Q")),
        departments=(Department(id="D1", name="民政局", min_send=2),),
    )
    [(rule, subject, text)] = messages(inst)
    assert (rule, subject) == (5, "department D1")
    assert "民政局 must send 2; only 1 of its 4 cadres" in text
    assert "3 over the age cap for their rank" in text
    [(_, _, zh)] = messages(inst, "zh")
    assert "单位民政局至少须选派2人" in zh and "3人超过所在职级的年龄上限" in zh


def test_must_place_cadre_with_no_post_counts_the_reasons_by_post() -> None:
    inst = Instance(
        candidates=(cadre("V", years_in_post=12, rank=Rank.GENERAL, age=30),),
        posts=(post("P", ranks=(Rank.COUNTY,)), post("Q", ranks=(Rank.SECTION,))),
    )
    found = messages(inst)
    assert (6, "cadre V") == found[0][:2]
    assert "rank not accepted by the post (2 posts)" in found[0][2]


def test_team_that_cannot_be_repaired() -> None:
    # 6 members, 1 local, ratio 1/3: deficit 6 − 3 = 3, each local posted in adds 2: needs 2.
    # Only one seat in its posts: not enough.
    inst = Instance(
        candidates=(cadre("L1", home_region="乙县"), cadre("L2", home_region="乙县")),
        posts=(post("P", team="T"),),
        teams=(Team(id="T", region="乙县", incumbents=6, incumbent_locals=1),),
    )
    [(rule, subject, text)] = messages(inst)
    assert (rule, subject) == (4, "team T")
    assert "needs 2 more local cadres posted in" in text and "1 seats and 2 eligible" in text


def test_post_nobody_can_fill() -> None:
    inst = Instance(candidates=(cadre("A", disciplinary=True),), posts=(post("P", seats=2),))
    [(rule, subject, text)] = messages(inst)
    assert (rule, subject) == (1, "post P")
    assert "2 seat(s) will stay empty (1 disciplinary record" in text


def test_no_shortfall_in_a_healthy_instance() -> None:
    inst = Instance(
        candidates=(cadre("A"), cadre("B", home_region="乙县")),
        posts=(post("P", team="T"),),
        teams=(Team(id="T", region="乙县", incumbents=3, incumbent_locals=1),),
        departments=(Department(id="D1", min_send=1),),
    )
    assert messages(inst) == []
