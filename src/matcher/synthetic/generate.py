"""Synthetic instances in format v1, modelled on the seed articles; deterministic per seed.

A city (seed 000) sends about 140 cadres a year from 36 units to grassroots,
petition, key-project, external and upward posts, from a pool of 400-600
(seed 001). Larger tiers repeat the pattern over more counties and units.

Feasible by construction: seats may stay empty, so only four things can force
a plan: (1) ``min_send`` is 0 or 1 and every unit has dozens of cadres eligible
for dozens of posts; (2) must-place cadres (about 1%) are drawn young, with a
bachelor's degree, section rank, no record and no team, so they are eligible
for most posts, and there are far more seats than of them; (3) teams start at or
above their ratio, except a few that start one local short of it, and each of
those has ordinary (non-sensitive) posts with room for the locals it needs,
from a county with dozens of eligible local cadres; (4) ``max_send`` only caps.
``tests/test_generate.py`` solves generated instances to confirm it.

    python -m matcher.synthetic.generate city instances/city

With ``v11`` (``matcher generate ... --v11``) the same tables get format v1.1's
additions (:func:`add_v11`); without it the output is unchanged, byte for byte.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from matcher.io.instance_writer import write_instance  # noqa: F401  (benchmarks and tests)

TIERS: dict[str, tuple[int, int]] = {
    "tiny-random": (12, 5),
    "city": (520, 110),
    "province": (5000, 1500),
    "national": (50000, 10000),
}

SURNAMES = list(
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史黎贺顾毛郝龚邵万钱覃武戴孔汤庞樊兰殷施陶洪翟安颜倪严牛温芦季俞章鲁葛伍申尤毕聂柴焦向柳邢骆岳齐梅莫庄辛管祝左涂谷祁时舒耿牟卜路詹关苗凌费纪靳盛童欧甄项曲成游阳裴席卫查屈鲍位覃霍翁隋植甘景薄单包司柏宁柯阮桂闵欧阳解强丛华车冉房边辜吉饶刁瞿戚丘古米池滕晋苑邬臧畅宫来嵺苟全褚廉简娄盖符奚木穆党燕郎邸冀谈姬屠连郜晏栾郁商蒙计喻揭窦迟宇敖糜鄢冷卓花艾蓝都巩稽井练仲乐虞卞封竺冼原官衣楚佟栗匡宗应台巫鞠僖桑荆谌银扬明沙薄伏岑习胥保和蔺"
)
GIVEN = list(
    "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉萍红娥玲芬燕彬鹏辉斌宇浩凯健俊帆帅旭宁龙林欣莉婷雪琳晨阳佳怡梓萱子涵浩然宇轩雨泽思远文博志强建国海波立新卫东晓东永刚国庆"
)
COUNTIES = (
    "青山县 白水县 东城区 西湖区 南岭县 北川县 云溪县 临江县 "
    "安平县 长宁县 凤台县 石门县 清河区 玉泉区 龙泉县 桃源县"
).split()
TOWNS = [
    "城关",
    "新安",
    "永兴",
    "太平",
    "和平",
    "龙口",
    "双河",
    "红星",
    "白沙",
    "金山",
    "柳林",
    "河西",
]
UNITS = [  # (sending unit, category)  — 36 units as in seed 000
    ("市住建局", "construction"), ("市卫健委", "health"), ("市教育局", "education"),
    ("市民政局", "civil_affairs"), ("市人社局", "labour"), ("市生态环境局", "environment"),
    ("市纪委监委", "discipline"), ("市中级法院", "court"), ("市检察院", "procuratorate"),
    ("市人大办", "npc"), ("市政协办", "cppcc"), ("市发改委", "economy"),
    ("市财政局", "finance"), ("市交通局", "transport"), ("市农业农村局", "agriculture"),
    ("市水利局", "water"), ("市商务局", "economy"), ("市工信局", "economy"),
    ("市自然资源局", "land"), ("市应急局", "safety"), ("市市场监管局", "market"),
    ("市文旅局", "culture"), ("市公安局", "police"), ("市司法局", "justice"),
    ("市审计局", "finance"), ("市统计局", "economy"), ("市信访局", "petition"),
    ("市委组织部", "party"), ("市委宣传部", "party"), ("市委统战部", "party"),
    ("市委政法委", "justice"), ("市总工会", "mass"), ("团市委", "mass"),
    ("市妇联", "mass"), ("市科技局", "science"), ("市医保局", "health"),
]  # fmt: skip
PETITION_CATEGORIES = ("construction", "health", "education", "civil_affairs", "labour",
                       "environment", "discipline", "court", "npc", "cppcc")  # fmt: skip
MIN_POOL_FOR_QUOTA = 6
"""A department gets min_send 1 only with at least this many cadres in the pool."""
KINDS = ("grassroots", "petition", "key_project", "external", "upward")
KIND_SHARE = (0.55, 0.08, 0.15, 0.11, 0.11)
EXTERNAL = ["浙江省杭州市", "江苏省苏州市", "广东省深圳市", "上海市浦东新区", "福建省厦门市"]
UPWARD = ["省发改委", "省住建厅", "省委组织部", "省信访局", "国家发改委", "省商务厅"]
PROJECTS = ["绕城高速", "旧城改造", "高铁站片区", "污水处理厂", "滨江新区", "产业园区"]
SENSITIVE_TITLES = ["党委书记", "镇长", "纪委书记", "政法委员"]
ORDINARY_TITLES = ["党委副书记", "副镇长", "驻村第一书记", "社区党组织副书记"]
RANKS = ("general", "section", "county")
AGE_CAP = {"general": 35, "section": 40, "county": 45}
EDUCATIONS = ("secondary", "associate", "bachelor", "master", "doctor")


def _bool(values: np.ndarray) -> np.ndarray:
    return np.where(values, "true", "false")


def _join(lists: list[list[str]]) -> list[str]:
    return [";".join(items) for items in lists]


def generate_tables(
    num_candidates: int,
    num_posts: int,
    seed: int,
    *,
    num_departments: int | None = None,
    num_teams: int | None = None,
) -> dict[str, pd.DataFrame]:
    """Tables ``candidates``, ``posts``, ``teams``, ``departments``, ``affinities``."""
    rng = np.random.default_rng(seed)
    num_counties = num_teams or max(2, min(len(COUNTIES) * 20, math.ceil(num_posts / 13)))
    counties = np.array(
        [COUNTIES[i % len(COUNTIES)] + ("" if i < len(COUNTIES) else f"{i // len(COUNTIES)}")
         for i in range(num_counties)]
    )  # fmt: skip
    departments = _departments(rng, num_departments or max(36, num_candidates // 15), counties)
    posts = _posts(rng, num_posts, counties, departments)
    candidates = _candidates(rng, num_candidates, counties, departments, posts)
    # a unit with only a handful of cadres cannot be held to sending one
    pool = candidates["department"].value_counts()
    small = departments["id"].map(pool).fillna(0).to_numpy() < MIN_POOL_FOR_QUOTA
    departments.loc[small, "min_send"] = 0
    teams = _teams(rng, counties, candidates, posts)
    affinities = _affinities(rng, candidates, posts)
    return {
        "candidates": candidates,
        "posts": posts,
        "teams": teams,
        "departments": departments,
        "affinities": affinities,
    }


def _departments(rng: np.random.Generator, count: int, counties: np.ndarray) -> pd.DataFrame:
    ids, categories = [], []
    for i in range(count):
        unit, category = UNITS[i % len(UNITS)]
        prefix = "" if i < len(UNITS) else counties[(i // len(UNITS) - 1) % counties.size]
        ids.append(prefix + unit.removeprefix("市") if prefix else unit)
        categories.append(category)
    return pd.DataFrame(
        {
            "id": ids,
            "name": ids,
            "category": categories,
            "min_send": rng.choice([0, 0, 1], size=count),
            "max_send": rng.integers(3, 7, size=count),
            "priority": _bool(rng.random(count) < 0.15),
        }
    )


def _posts(
    rng: np.random.Generator, count: int, counties: np.ndarray, departments: pd.DataFrame
) -> pd.DataFrame:
    kind = rng.choice(len(KINDS), size=count, p=KIND_SHARE)
    county = counties[rng.integers(0, counties.size, size=count)]
    town = np.array(TOWNS)[rng.integers(0, len(TOWNS), size=count)]
    sensitive = (kind == 0) & (rng.random(count) < 0.15)
    title = np.where(
        sensitive,
        np.array(SENSITIVE_TITLES)[rng.integers(0, len(SENSITIVE_TITLES), count)],
        np.array(ORDINARY_TITLES)[rng.integers(0, len(ORDINARY_TITLES), count)],
    )
    external = np.array(EXTERNAL)[rng.integers(0, len(EXTERNAL), count)]
    upward = np.array(UPWARD)[rng.integers(0, len(UPWARD), count)]
    project = np.array(PROJECTS)[rng.integers(0, len(PROJECTS), count)]
    dept_ids = departments["id"].to_numpy()
    host_dept = dept_ids[rng.integers(0, dept_ids.size, count)]
    names, units, regions, ranks, categories, min_edu = [], [], [], [], [], []
    for i in range(count):
        k = KINDS[kind[i]]
        if k == "grassroots":
            names.append(f"{county[i]}{town[i]}镇{title[i]}")
            units.append(f"{county[i]}{town[i]}镇")
            regions.append(county[i])
            ranks.append("")
            categories.append("")
            min_edu.append("")
        elif k == "petition":
            names.append("市信访局接访督办岗")
            units.append("市信访局")
            regions.append(county[i])
            ranks.append("general;section")
            categories.append(";".join(PETITION_CATEGORIES))
            min_edu.append("")
        elif k == "key_project":
            names.append(f"{project[i]}指挥部征迁协调岗")
            units.append(f"{project[i]}指挥部")
            regions.append(county[i])
            ranks.append("general;section")
            categories.append("construction;transport;environment;land")
            min_edu.append("")
        elif k == "external":
            names.append(f"{external[i]}对口挂职岗")
            units.append(host_dept[i])  # hosted through a sending unit: own-unit rule matters
            regions.append(external[i])
            ranks.append("section;county")
            categories.append("economy;finance;science")
            min_edu.append("bachelor")
        else:
            names.append(f"{upward[i]}上挂岗")
            units.append(upward[i])
            regions.append("省会")
            ranks.append("section;county")
            categories.append("")
            min_edu.append("bachelor" if rng.random() < 0.5 else "master")
    seats = np.where(kind == 1, 3, np.where((kind == 0) & (rng.random(count) < 0.1), 2, 1))
    priority = np.where((kind == 1) | ((kind == 0) & (rng.random(count) < 0.2)), 2, 1)
    return pd.DataFrame(
        {
            "id": [f"P{i + 1:05d}" for i in range(count)],
            "name": names,
            "kind": np.array(KINDS)[kind],
            "unit": units,
            "region": regions,
            "team": "",  # filled by _teams
            "seats": seats,
            "ranks": ranks,
            "min_education": min_edu,
            "sensitive": _bool(sensitive),
            "new_experience_only": _bool((kind == 0) & (rng.random(count) < 0.2)),
            "preferred_categories": categories,
            "priority": priority,
        }
    )


def _candidates(
    rng: np.random.Generator,
    count: int,
    counties: np.ndarray,
    departments: pd.DataFrame,
    posts: pd.DataFrame,
) -> pd.DataFrame:
    surname = np.array(SURNAMES)[rng.integers(0, len(SURNAMES), count)]
    given = np.array(GIVEN)[rng.integers(0, len(GIVEN), (count, 2))]
    two_chars = rng.random(count) < 0.6
    names = [
        s + g[0] + (g[1] if t else "") for s, g, t in zip(surname, given, two_chars, strict=True)
    ]
    rank = rng.choice(3, size=count, p=(0.35, 0.55, 0.10))
    low = np.array((24, 30, 38))[rank]
    high = np.array((36, 42, 47))[rank]
    age = rng.integers(low, high + 1)
    education = rng.choice(5, size=count, p=(0.03, 0.15, 0.62, 0.18, 0.02))
    birthplace = np.where(
        rng.random(count) < 0.85, counties[rng.integers(0, counties.size, count)], "外市"
    )
    home = np.where(
        (rng.random(count) < 0.7) & (birthplace != "外市"),
        birthplace,
        counties[rng.integers(0, counties.size, count)],
    )
    grew_up = [
        [str(counties[j])] if r < 0.3 else []
        for r, j in zip(rng.random(count), rng.integers(0, counties.size, count), strict=True)
    ]
    experience_bits = rng.random((count, len(KINDS))) < np.array((0.35, 0.1, 0.15, 0.05, 0.1))
    experience = [[KINDS[k] for k in np.flatnonzero(row)] for row in experience_bits]
    years = np.minimum(rng.geometric(0.25, size=count) - 1, 9)
    disciplinary = rng.random(count) < 0.02
    must = rng.random(count) < 0.01
    # must-place cadres: eligible almost everywhere (see the module docstring)
    years = np.where(must, rng.integers(10, 15, size=count), years)
    rank = np.where(must, 1, rank)
    age = np.where(must, 33, age)
    education = np.where(must, 2, education)
    disciplinary &= ~must
    post_ids = posts["id"].to_numpy()
    num_prefs = rng.integers(0, 5, size=count)
    preferences = [
        list(post_ids[rng.choice(post_ids.size, size=min(n, post_ids.size), replace=False)])
        for n in num_prefs
    ]
    score = np.clip(rng.normal(76, 9, size=count).round(), 55, 98).astype(int)
    dept_ids = departments["id"].to_numpy()
    return pd.DataFrame(
        {
            "id": [f"C{i + 1:05d}" for i in range(count)],
            "name": names,
            "department": dept_ids[rng.integers(0, dept_ids.size, count)],
            "rank": np.array(RANKS)[rank],
            "age": age,
            "education": np.array(EDUCATIONS)[education],
            "birthplace": birthplace,
            "grew_up": _join(grew_up),
            "home_region": home,
            "current_team": "",  # filled by _teams
            "party_member": _bool(rng.random(count) < 0.75),
            "reserve": _bool(rng.random(count) < 0.15),
            "disciplinary": _bool(disciplinary),
            "experience": _join(experience),
            "years_in_post": years,
            "score": score,
            "willing": _bool(rng.random(count) < 0.9),
            "preferences": _join(preferences),
        }
    )


def _teams(
    rng: np.random.Generator, counties: np.ndarray, candidates: pd.DataFrame, posts: pd.DataFrame
) -> pd.DataFrame:
    """One leadership team per county; half of its ordinary grassroots posts belong to it."""
    incumbents = rng.integers(7, 12, size=counties.size)
    needed = -(-incumbents // 3)  # locals for exactly one third
    state = rng.choice(3, size=counties.size, p=(0.75, 0.15, 0.10))  # above, exactly, one short
    ordinary_grassroots = (posts["kind"] == "grassroots") & (posts["sensitive"] == "false")
    has_room = np.isin(counties, posts["region"][ordinary_grassroots].to_numpy())
    state = np.where((state == 2) & ~has_room, 1, state)  # only short where it can be repaired
    locals_ = np.minimum(
        incumbents,
        needed + np.array((2, 0, -1))[state] + (state == 0) * rng.integers(0, 2, counties.size),
    )
    team_ids = np.array([f"T{i + 1:03d}" for i in range(counties.size)])
    county_team = dict(zip(counties.tolist(), team_ids.tolist(), strict=True))
    grassroots = (posts["kind"] == "grassroots").to_numpy()
    ordinary = posts["sensitive"].to_numpy() == "false"
    region = posts["region"].to_numpy()
    in_team = grassroots & (rng.random(len(posts)) < 0.5)
    in_team |= grassroots & ordinary & np.isin(region, counties[state == 2])  # room to repair
    posts["team"] = np.where(in_team, [county_team.get(r, "") for r in region], "")
    # a few team members in the pool (within the incumbents); must-place cadres stay out
    must = candidates["years_in_post"].to_numpy() >= 10
    home = candidates["home_region"].to_numpy()
    current = np.array([""] * len(candidates), dtype=object)
    for t, county in enumerate(counties.tolist()):
        pool = np.flatnonzero(~must & (current == ""))
        members = rng.choice(pool, size=min(2, pool.size), replace=False)
        local_members = int(np.count_nonzero(home[members] == county))
        if (
            local_members <= locals_[t]
            and members.size - local_members <= incumbents[t] - locals_[t]
        ):
            current[members] = team_ids[t]
    candidates["current_team"] = current
    return pd.DataFrame(
        {
            "id": team_ids,
            "region": counties,
            "incumbents": incumbents,
            "incumbent_locals": locals_,
            "min_local_ratio": "",
        }
    )


def _affinities(
    rng: np.random.Generator, candidates: pd.DataFrame, posts: pd.DataFrame
) -> pd.DataFrame:
    count = max(1, len(candidates) // 2)
    cand = rng.integers(0, len(candidates), count)
    post = rng.integers(0, len(posts), count)
    pairs = pd.DataFrame({"c": cand, "p": post}).drop_duplicates()
    forbid = rng.random(len(pairs)) < 0.01
    bonus = np.where(forbid, 0, rng.integers(-20, 31, len(pairs)))
    return pd.DataFrame(
        {
            "candidate_id": candidates["id"].to_numpy()[pairs["c"].to_numpy()],
            "post_id": posts["id"].to_numpy()[pairs["p"].to_numpy()],
            "bonus": bonus,
            "forbid": _bool(forbid),
        }
    )


DEFAULT_RULES_TOML = """# Rules in force: domain.md defaults, for the planner to edit
min_education = "associate"
local_ratio = "1/3"
veto_disciplinary = true
require_willing = false
must_place_years = 10

[age_caps]
county = 45
section = 40
general = 35

[weights]
score = 1
development = 30
reserve = 10
party = 5
dept_priority = 10
category_match = 15
preference = 1
affinity = 1
"""


# --------------------------------------------------------------------------- format v1.1

SECTION_GRADES = (("section_deputy", 0.5), ("section_full", 0.3), ("section", 0.2))
COUNTY_GRADES = (("county_deputy", 0.6), ("county_full", 0.4))
"""Grades inside each family: most cadres sent are deputies (seed 004: 副处级和副科级后备
干部; seed 003: 副科级干部); a fifth of section cadres stay recorded by family only."""
GRADE_ONLY_UPWARD = 0.3
"""Share of upward posts that take deputies only (seed 004: 市直部门在职在编副科级领导职务干部)."""
BRANCH_PARTY_MEMBERS = 3
"""Each receiving unit's temporary party branch needs three full party members (seed 004:
各接收单位都成立挂职干部临时党支部)."""
BRANCH_MIN_SEATS = 3
"""A unit receiving fewer seats than a branch needs forms none."""
NUM_BATCHES = 3
"""Petition cadres go in three batches (seed 001: 第一批, 第二批, 第三批)..."""
BATCH_PER_DEPARTMENT = 1
"""... and a unit short of hands spares one cadre per batch (seed 001: 人手紧缺)."""
AGE_EXCEPTION_SHARE = 0.01
EDUCATION_EXCEPTION_SHARE = 0.005
"""Documented exceptions are rare: about 1% of the pool over their age cap by one or two
years, 0.5% below the education requirement (seed 004: ages that hold 一般, generally)."""
EXCEPTION_REASONS = {
    "age_cap": "工作急需、表现突出，经市委组织部部务会研究同意放宽年龄",
    "min_education": "长期从事群众工作、经验丰富，经部务会研究同意放宽学历",
}


def add_v11(tables: dict[str, pd.DataFrame], seed: int) -> dict[str, pd.DataFrame]:
    """The same instance in format v1.1: rank grades, groups, documented exceptions.

    Every figure is grounded in a seed (the constants above). Its own random stream
    (from ``seed`` and 11) leaves the v1 draw untouched. Still feasible by
    construction: groups hold no grassroots post and have ``min_members`` 0 (an empty
    group needs nothing), so the module's four arguments hold unchanged; a grade-only
    post or a group limit may only leave seats empty. Returns new tables; ``tables``
    is not changed.
    """
    rng = np.random.default_rng([seed, 11])
    candidates, posts = tables["candidates"].copy(), tables["posts"].copy()
    must = candidates["years_in_post"].to_numpy() >= 10

    rank = candidates["rank"].to_numpy().astype(object)
    for family, grades in (("section", SECTION_GRADES), ("county", COUNTY_GRADES)):
        mine = np.flatnonzero(rank == family)
        names, shares = zip(*grades, strict=True)
        rank[mine] = rng.choice(np.array(names), size=mine.size, p=shares)
    rank[must] = "section_deputy"  # must-place cadres keep every post their family opens
    candidates["rank"] = rank
    upward = np.flatnonzero(posts["kind"].to_numpy() == "upward")
    deputies = upward[rng.random(upward.size) < GRADE_ONLY_UPWARD]
    posts.loc[deputies, "ranks"] = "section_deputy;county_deputy"

    groups, post_groups = _v11_groups(posts)
    posts["groups"] = _join(post_groups)
    exceptions = _v11_exceptions(rng, candidates, must)
    return {**tables, "candidates": candidates, "posts": posts, "groups": groups,
            "exceptions": exceptions}  # fmt: skip


def _v11_groups(posts: pd.DataFrame) -> tuple[pd.DataFrame, list[list[str]]]:
    """A temporary party branch per receiving unit (petition, key-project and upward posts
    of one unit, when it receives at least three seats), with a county-level leader where
    its posts take county cadres (seed 000: 组长); petition posts in batches."""
    rows: list[dict[str, object]] = []
    post_groups: list[list[str]] = [[] for _ in range(len(posts))]
    kind, unit = posts["kind"].to_numpy(), posts["unit"].to_numpy()
    seats, ranks = posts["seats"].to_numpy(), posts["ranks"].to_numpy()
    received = ~np.isin(kind, ("grassroots", "external"))  # external: hosted by a sending unit
    for name in dict.fromkeys(unit[received].tolist()):
        mine = np.flatnonzero(received & (unit == name))
        if int(seats[mine].sum()) < BRANCH_MIN_SEATS:
            continue
        group_id = f"U{len(rows) + 1:03d}"
        takes_county = any("county" in str(text) for text in ranks[mine])
        rows.append({"id": group_id, "name": f"{name}挂职干部临时党支部", "min_members": 0,
                     "max_members": "", "min_party_members": BRANCH_PARTY_MEMBERS,
                     "min_county_level": int(takes_county), "max_per_department": ""})  # fmt: skip
        for index in mine.tolist():
            post_groups[index].append(group_id)
    petition = np.flatnonzero(kind == "petition")
    for batch in range(min(NUM_BATCHES, petition.size)):
        group_id = f"B{batch + 1}"
        rows.append({"id": group_id, "name": f"信访接访第{batch + 1}批", "min_members": 0,
                     "max_members": "", "min_party_members": 0, "min_county_level": 0,
                     "max_per_department": BATCH_PER_DEPARTMENT})  # fmt: skip
        for index in petition[batch::NUM_BATCHES].tolist():
            post_groups[index].append(group_id)
    columns = ["id", "name", "min_members", "max_members", "min_party_members",
               "min_county_level", "max_per_department"]  # fmt: skip
    return pd.DataFrame(rows, columns=columns), post_groups


def _v11_exceptions(
    rng: np.random.Generator, candidates: pd.DataFrame, must: np.ndarray
) -> pd.DataFrame:
    """A few documented exceptions, each for a cadre who needs it, with its reason."""
    family = candidates["rank"].str.split("_").str[0].to_numpy()
    cap = np.array([AGE_CAP[f] for f in family])
    age = candidates["age"].to_numpy()
    over = np.flatnonzero(~must & (age > cap) & (age <= cap + 2))
    below = np.flatnonzero(~must & (candidates["education"].to_numpy() == "secondary"))
    chosen: list[tuple[int, str]] = []
    for pool, share, rule in (
        (over, AGE_EXCEPTION_SHARE, "age_cap"),
        (below, EDUCATION_EXCEPTION_SHARE, "min_education"),
    ):
        count = min(pool.size, max(1, round(share * len(candidates))))
        picked = np.sort(rng.choice(pool, size=count, replace=False)) if count else pool[:0]
        chosen += [(int(index), rule) for index in picked]
    ids = candidates["id"].to_numpy()
    return pd.DataFrame(
        {
            "candidate_id": [ids[index] for index, _ in chosen],
            "rule": [rule for _, rule in chosen],
            "reason": [EXCEPTION_REASONS[rule] for _, rule in chosen],
        }
    )
