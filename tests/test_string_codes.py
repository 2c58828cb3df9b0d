"""The string table of an encoded instance is fixed once encoded: a look-up never adds a code."""

from __future__ import annotations

from factories import cadre, post, random_instance
from matcher.instance import Department, Instance, Team
from matcher.prepare.encoding import NO_CODE, UNKNOWN_CODE, StringCodes, encode


def test_a_lookup_never_interns() -> None:
    strings = StringCodes(["a", None, "b", "", "a"])
    assert strings.code2string == ["a", "b"]
    assert (strings.code("a"), strings.code("b")) == (0, 1)
    assert strings.code("") == strings.code(None) == NO_CODE
    assert strings.code("c") == UNKNOWN_CODE != NO_CODE
    assert strings.codes(["b", "c", None]).tolist() == [1, UNKNOWN_CODE, NO_CODE]
    assert strings.code2string == ["a", "b"]


def test_encoding_codes_every_team_and_department_it_is_asked_for() -> None:
    # team T and its region 丁县, department D9: named by no cadre or post, coded all the same
    instance = Instance(
        candidates=(cadre("A"),),
        posts=(post("P"),),
        teams=(Team(id="T", region="丁县", incumbents=3, incumbent_locals=1),),
        departments=(Department(id="D9"),),
    )
    strings = encode(instance).strings
    assert {"T", "丁县", "D9", "D1", "甲县", "乙县", "U1"} == set(strings.code2string)
    assert all(strings.code(value) >= 0 for value in ("T", "丁县", "D9"))


def test_the_codes_of_the_cadres_and_posts_come_in_order_of_first_appearance() -> None:
    # birthplaces first, then what each cadre grew up in, departments, home regions, ...
    instance = random_instance(3, num_candidates=8, num_posts=4)
    strings = encode(instance).strings
    births = list(dict.fromkeys(c.birthplace for c in instance.candidates))
    assert strings.code2string[: len(births)] == births
