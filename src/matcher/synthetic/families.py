"""Instance families whose side rows bind, written independently of ``matcher.generate``.

The solver was tuned on ``matcher.generate``'s instances, where the local-ratio,
quota and must-place rows hardly bind. The families here turn one knob each
towards what real organisation departments do (teams that must gain locals,
tight quotas, petition offices with many seats, sparse eligibility, heavy
preferences, a pure assignment problem). This module shares no code with
``matcher.generate`` and imports nothing from ``matcher``: it writes format v1
(domain.md) itself with the csv module, so a bug in one generator cannot hide
in the other.

Feasible by construction (a planted plan). Every family first draws its posts
and cadres at random, then picks a *witness plan*: distinct cadres for a share
of the seats (every seat of a team's posts first). Each witness cadre is then
repaired against their witness post so that the pair is eligible: rank among
the post's ranks, age within the rank's cap, education at least the post's, no
disciplinary record, willing, department not the post's unit, birthplace and
home towns away from a sensitive post's region, no experience of a
``new_experience_only`` post's kind, and, for a team's post, home region the
team's region. The side rows are then set from the witness so that it obeys
them: must-place cadres are drawn from the witness only; each department's
``min_send`` ≤ its witness count ≤ ``max_send``; each team's
``incumbent_locals`` is chosen so that the team reaches its ratio exactly when
its posts are filled with locals, as the witness does; forbidden pairs avoid
witness pairs. So the witness is a plan obeying every hard rule, and
``matcher solve`` must find one (tests/test_families.py solves each family).

Everything is drawn from one ``numpy.random.Generator`` seeded by ``seed``:
the same arguments write the same bytes.

Eligible share of cadre × post cells, measured at seed 1 (city 520×110 / mid
2000×600): binding-teams 39% / 38%, quota-bound 42% / 45%, petition-many-seats
73% / 73%, sparse 7% / 9% (above the ~5% aimed at: repaired witness cadres are
eligible more widely), preference-heavy 38% / 42%, affinity-only 100%.
affinity-only with many more cadres than posts is easy (each post has a cadre
at bonus 100); square sizes such as 600x600 make it a real assignment problem.
"""

from __future__ import annotations

import csv
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from fractions import Fraction
from math import ceil
from pathlib import Path

import numpy as np

RANKS = ("general", "section", "county")
AGE_CAPS = (35, 40, 45)
"""domain.md's age cap per rank, in the order of RANKS."""
EDUCATION = ("secondary", "associate", "bachelor", "master", "doctor")
RULE_MIN_EDUCATION = 1
"""associate: the rules file's default minimum."""
KINDS = ("grassroots", "petition", "key_project", "external", "upward")
CATEGORIES = (
    "construction", "health", "education", "civil_affairs", "labour", "environment",
    "discipline", "court", "npc", "cppcc", "economy", "finance", "science", "transport",
    "land",
)  # fmt: skip
PETITION_CATEGORIES = CATEGORIES[:10]
"""The departments Jiangdong's petition office draws on (domain.md)."""
KIND_CATEGORIES = {
    "petition": PETITION_CATEGORIES,
    "key_project": ("construction", "transport", "environment", "land"),
}
MUST_PLACE_YEARS = 10
PREFERENCE_COUNT = 4
"""domain.md scores up to four preferences."""
CADRES_PER_DEPARTMENT = 15
POSTS_PER_REGION = 15
POSTS_PER_TEAM = 10
"""About 150 teams per 1,500 posts, as in a province."""
AFFINITY_PAIRS_CAP = 5_000_000
"""affinity-only writes a row per pair; beyond this the file is no longer a benchmark input."""
AFFINITIES_PER_CADRE_CAP = 50
WITNESS_TRIES = 20
"""Unused cadres the planted plan looks at per seat for one already eligible."""
"""Sparse affinities stay below ~2.5M rows even at national size."""


@dataclass(frozen=True)
class Knobs:
    """What a family sets; the probabilities are per post or per cadre, drawn independently."""

    description: str
    seats: tuple[tuple[int, float], ...] = ((1, 0.5), (2, 0.3), (3, 0.2))
    priorities: tuple[float, ...] = (1.0,)
    """Probability of priority 1, 2, ... ."""
    kinds: tuple[float, ...] = (0.45, 0.1, 0.2, 0.15, 0.1)
    """Probability of each of KINDS."""
    post_ranks: tuple[tuple[tuple[int, ...], float], ...] = (
        ((0,), 0.3), ((0, 1), 0.3), ((1, 2), 0.25), ((0, 1, 2), 0.15),
    )  # fmt: skip
    """Rank sets a post accepts (indices into RANKS) and how often."""
    post_min_education: tuple[tuple[int | None, float], ...] = (
        (None, 0.3), (2, 0.4), (3, 0.3),
    )  # fmt: skip
    cadre_ranks: tuple[float, ...] = (0.5, 0.35, 0.15)
    cadre_education: tuple[float, ...] = (0.03, 0.25, 0.5, 0.17, 0.05)
    over_age_share: float = 0.1
    disciplinary_share: float = 0.02
    willing_share: float = 1.0
    require_willing: bool = False
    sensitive_share: float = 0.1
    new_experience_share: float = 0.2
    experience_share: float = 0.3
    """Chance a cadre has experience of each kind."""
    unit_is_department_share: float = 0.4
    """Posts whose receiving unit is also a sending department (own-unit rule)."""
    witness_fill: float = 0.85
    """Share of min(seats, cadres) the planted plan fills."""
    must_place_share: float = 0.03
    near_must_place_share: float = 0.0
    """Cadres one year short of must-place: they look like must-place but are not."""
    teams: bool = False
    quotas: bool = True
    tight_quotas: bool = False
    all_preferences: bool = False
    preference_share: float = 0.3
    """Cadres listing preferences when not all do."""
    affinity_share: float = 0.0
    affinity_bonus: tuple[int, int] = (-20, 40)
    forbid_per_cadre: float = 0.0
    all_pairs_affinity: bool = False
    weights: dict[str, int] = field(default_factory=dict)


AFFINITY_ONLY_WEIGHTS = dict.fromkeys(
    ("score", "development", "reserve", "party", "dept_priority", "category_match",
     "preference"), 0,
) | {"affinity": 1}  # fmt: skip

KNOBS: dict[str, Knobs] = {
    "binding-teams": Knobs(
        "province-shaped: ~150 teams per 1,500 posts, many must gain 1-8 locals; "
        "require_willing; ~35% eligible; priorities 1-5; must-place up to 10%",
        priorities=(17 / 30, 1 / 3, 1 / 30, 1 / 30, 1 / 30),
        willing_share=0.8,
        require_willing=True,
        must_place_share=0.08,
        near_must_place_share=0.3,
        teams=True,
        weights={"development": 40},
    ),
    "quota-bound": Knobs(
        "department quotas bind from below (min_send near supply) and above (tight "
        "max_send); must-place 15%",
        must_place_share=0.15,
        tight_quotas=True,
        witness_fill=0.9,
    ),
    "petition-many-seats": Knobs(
        "few posts of 1-30 seats, mostly petition offices; ~70% eligible",
        seats=tuple((seats, 1 / 30) for seats in range(1, 31)),
        priorities=(0.7, 0.3),
        kinds=(0.15, 0.6, 0.15, 0.05, 0.05),
        post_ranks=(((0, 1), 0.7), ((0, 1, 2), 0.3)),
        post_min_education=((None, 0.5), (2, 0.5)),
        sensitive_share=0.0,
        new_experience_share=0.2,
    ),
    "sparse": Knobs(
        "~5-9% eligible (single-rank posts, high education, willing required, "
        "new-experience-only and sensitive posts); priorities 1-5",
        seats=((1, 0.7), (2, 0.3)),
        priorities=(0.4, 0.25, 0.15, 0.1, 0.1),
        post_ranks=(((0,), 0.4), ((1,), 0.35), ((2,), 0.25)),
        post_min_education=((2, 0.3), (3, 0.7)),
        willing_share=0.25,
        require_willing=True,
        sensitive_share=0.3,
        new_experience_share=0.6,
        experience_share=0.45,
        must_place_share=0.05,
    ),
    "preference-heavy": Knobs(
        "every cadre lists 4 preferences, preference weight 5; affinity on ~2% of "
        "pairs; a few forbidden pairs",
        all_preferences=True,
        affinity_share=0.02,
        forbid_per_cadre=0.05,
        weights={"preference": 5},
    ),
    "affinity-only": Knobs(
        "pure assignment: every pair eligible with an affinity bonus in [0,100]; all "
        "other weights 0; no teams, quotas or must-place",
        seats=((1, 1.0),),
        post_ranks=(((0, 1, 2), 1.0),),
        post_min_education=((None, 1.0),),
        cadre_education=(0.0, 0.0, 1.0, 0.0, 0.0),
        over_age_share=0.0,
        disciplinary_share=0.0,
        sensitive_share=0.0,
        new_experience_share=0.0,
        unit_is_department_share=0.0,
        must_place_share=0.0,
        quotas=False,
        preference_share=0.0,
        all_pairs_affinity=True,
        affinity_bonus=(0, 100),
        weights=AFFINITY_ONLY_WEIGHTS,
    ),
}

FAMILIES: dict[str, str] = {name: knobs.description for name, knobs in KNOBS.items()}


@dataclass
class Team:
    """A leadership team and the seats the witness fills with locals."""

    region: int
    incumbents: int
    locals: int
    ratio: Fraction | None
    """None: the rule's 1/3 (left blank in teams.csv)."""
    ratio_text: str
    seats_needed: int


@dataclass
class Posts:
    """The posts as parallel arrays (one entry per post)."""

    kind: np.ndarray
    unit: list[str]
    region: np.ndarray
    team: np.ndarray
    """Index into the team list, -1 for none."""
    seats: np.ndarray
    ranks: list[tuple[int, ...]]
    min_education: list[int | None]
    sensitive: np.ndarray
    new_experience_only: np.ndarray
    priority: np.ndarray
    categories: list[tuple[str, ...]]


@dataclass
class Cadres:
    """The cadres as parallel arrays, mutable so that the witness can repair them."""

    department: np.ndarray
    rank: np.ndarray
    age: np.ndarray
    education: np.ndarray
    birthplace: np.ndarray
    grew_up: np.ndarray
    """A second home town, -1 for none."""
    home: np.ndarray
    party: np.ndarray
    reserve: np.ndarray
    disciplinary: np.ndarray
    experience: np.ndarray
    """Bit k set: experience of KINDS[k]."""
    years: np.ndarray
    score: np.ndarray
    willing: np.ndarray


def write_family(family: str, folder: Path, num_candidates: int, num_posts: int, seed: int) -> None:
    """Write one instance of ``family`` (format v1) into ``folder``, deterministically."""
    if family not in KNOBS:
        raise ValueError(f"unknown family {family!r}; known: {', '.join(KNOBS)}")
    if num_candidates < 1 or num_posts < 1:
        raise ValueError("an instance needs at least one cadre and one post")
    knobs = KNOBS[family]
    if knobs.all_pairs_affinity and num_candidates * num_posts > AFFINITY_PAIRS_CAP:
        raise ValueError(f"{family} writes a row per pair: at most {AFFINITY_PAIRS_CAP:,} pairs")
    rng = np.random.default_rng(seed)
    num_departments = max(3, num_candidates // CADRES_PER_DEPARTMENT)
    num_regions = max(3, num_posts // POSTS_PER_REGION)
    teams = _teams(rng, knobs, num_posts, num_regions)
    posts = _posts(rng, knobs, num_posts, num_regions, num_departments, teams)
    cadres = _cadres(rng, knobs, num_candidates, num_regions, num_departments)
    witness = _witness(rng, knobs, posts, cadres, teams, num_departments)
    for cadre, post in witness:
        _repair(rng, knobs, cadres, posts, teams, cadre, post, num_regions, num_departments)
    _must_place(rng, knobs, cadres, posts, witness)
    quotas = _quotas(rng, knobs, cadres, witness, num_departments)
    preferences = _preferences(rng, knobs, num_candidates, num_posts)
    affinities = _affinities(rng, knobs, num_candidates, num_posts, witness)
    folder.mkdir(parents=True, exist_ok=True)
    _write(folder / "posts.csv", _post_rows(posts, teams))
    _write(folder / "candidates.csv", _candidate_rows(cadres, preferences))
    _write(folder / "departments.csv", _department_rows(rng, quotas))
    if teams:
        _write(folder / "teams.csv", _team_rows(teams))
    if affinities is not None:
        _write_rows(folder / "affinities.csv", AFFINITY_HEADER, affinities)
    (folder / "rules.toml").write_text(_rules(family, knobs), encoding="utf-8")


def _pick(rng: np.random.Generator, probabilities: tuple[float, ...], size: int) -> np.ndarray:
    weights = np.asarray(probabilities, dtype=float)
    return rng.choice(len(weights), size=size, p=weights / weights.sum())


def _teams(rng: np.random.Generator, knobs: Knobs, num_posts: int, num_regions: int) -> list[Team]:
    """Teams of 12-19 incumbents; ~60% start below their ratio and must gain 1-8 locals.

    A team's locals are chosen so that filling ``seats_needed`` seats with
    locals reaches the ratio exactly (the gain is the least such number).
    """
    if not knobs.teams:
        return []
    teams = []
    ratios = (
        ("", Fraction(1, 3), 0.7),
        ("0.3", Fraction(3, 10), 0.15),
        ("1/2", Fraction(1, 2), 0.15),
    )
    for _ in range(max(1, num_posts // POSTS_PER_TEAM)):
        text, ratio, _weight = ratios[int(_pick(rng, tuple(r[2] for r in ratios), 1)[0])]
        incumbents = int(rng.integers(12, 20))
        if rng.random() < 0.6:
            locals_, gain = _locals_for_gain(incumbents, ratio, int(rng.integers(1, 9)))
        else:
            locals_ = min(incumbents, ceil(ratio * incumbents) + int(rng.integers(0, 3)))
            gain = 0
        teams.append(
            Team(
                region=int(rng.integers(num_regions)),
                incumbents=incumbents,
                locals=locals_,
                ratio=None if not text else ratio,
                ratio_text=text,
                seats_needed=gain,
            )
        )
    return teams


def _locals_for_gain(incumbents: int, ratio: Fraction, gain: int) -> tuple[int, int]:
    """The most incumbent locals that still need at least ``gain`` locals posted in (or
    none, if even that needs fewer), and the least gain that then meets the ratio:
    locals + k ≥ ratio·(incumbents + k)."""
    for locals_ in range(incumbents, -1, -1):
        needed = _gain_needed(incumbents, locals_, ratio)
        if needed >= gain:
            return locals_, needed
    return 0, _gain_needed(incumbents, 0, ratio)


def _gain_needed(incumbents: int, locals_: int, ratio: Fraction) -> int:
    return max(0, ceil((ratio * incumbents - locals_) / (1 - ratio)))


def _posts(
    rng: np.random.Generator,
    knobs: Knobs,
    num_posts: int,
    num_regions: int,
    num_departments: int,
    teams: list[Team],
) -> Posts:
    """Team posts first (in the team's region, not sensitive, enough seats for the gain
    plus 0-2 more), then free posts; at most half the posts go to teams."""
    seat_values = np.array([seats for seats, _ in knobs.seats])
    seat_probs = tuple(p for _, p in knobs.seats)
    team_of: list[int] = []
    seats: list[int] = []
    for index, team in enumerate(teams):
        target = team.seats_needed + int(rng.integers(0, 3))
        have = 0
        while have < max(target, 1):
            if len(team_of) >= num_posts // 2 and have >= team.seats_needed:
                break
            drawn = int(seat_values[_pick(rng, seat_probs, 1)[0]])
            team_of.append(index)
            seats.append(drawn)
            have += drawn
    if len(team_of) > num_posts:
        raise ValueError(f"{num_posts} posts cannot hold the teams' gains; use more posts")
    free = num_posts - len(team_of)
    team_arr = np.array(team_of + [-1] * free, dtype=int)
    seats_arr = np.concatenate(
        [np.array(seats, dtype=int), seat_values[_pick(rng, seat_probs, free)]]
    ).astype(int)
    in_team = team_arr >= 0
    region = rng.integers(num_regions, size=num_posts)
    region[in_team] = [teams[t].region for t in team_arr[in_team]]
    kind = _pick(rng, knobs.kinds, num_posts)
    kind[in_team] = 0  # grassroots: a team's post is a local leadership post
    sensitive = (rng.random(num_posts) < knobs.sensitive_share) & ~in_team
    rank_sets = [r for r, _ in knobs.post_ranks]
    ranks = [rank_sets[i] for i in _pick(rng, tuple(p for _, p in knobs.post_ranks), num_posts)]
    levels = [e for e, _ in knobs.post_min_education]
    min_ed = [levels[i] for i in _pick(rng, tuple(p for _, p in knobs.post_min_education),
                                       num_posts)]  # fmt: skip
    unit_is_dept = rng.random(num_posts) < knobs.unit_is_department_share
    units = [
        f"D{rng.integers(num_departments):03d}"
        if own
        else f"U{rng.integers(1 + num_posts // 5):03d}"
        for own in unit_is_dept
    ]
    categories = [KIND_CATEGORIES.get(KINDS[k], ()) for k in kind]
    return Posts(
        kind=kind,
        unit=units,
        region=region,
        team=team_arr,
        seats=seats_arr,
        ranks=ranks,
        min_education=min_ed,
        sensitive=sensitive,
        new_experience_only=rng.random(num_posts) < knobs.new_experience_share,
        priority=1 + _pick(rng, knobs.priorities, num_posts),
        categories=categories,
    )


def _cadres(
    rng: np.random.Generator, knobs: Knobs, num: int, num_regions: int, num_departments: int
) -> Cadres:
    """Random cadres; most born where they live, some grew up elsewhere too."""
    rank = _pick(rng, knobs.cadre_ranks, num)
    cap = np.array(AGE_CAPS)[rank]
    over = rng.random(num) < knobs.over_age_share
    age = np.where(over, cap + rng.integers(1, 6, num), cap - rng.integers(0, 12, num))
    home = rng.integers(num_regions, size=num)
    born_home = rng.random(num) < 0.7
    birthplace = np.where(born_home, home, rng.integers(num_regions, size=num))
    grew_up = np.where(rng.random(num) < 0.2, rng.integers(num_regions, size=num), -1)
    experience = np.zeros(num, dtype=int)
    for bit in range(len(KINDS)):
        experience |= (rng.random(num) < knobs.experience_share).astype(int) << bit
    return Cadres(
        department=rng.integers(num_departments, size=num),
        rank=rank,
        age=age,
        education=_pick(rng, knobs.cadre_education, num),
        birthplace=birthplace,
        grew_up=grew_up,
        home=home,
        party=rng.random(num) < 0.6,
        reserve=rng.random(num) < 0.15,
        disciplinary=rng.random(num) < knobs.disciplinary_share,
        experience=experience,
        years=rng.integers(0, MUST_PLACE_YEARS - 1, size=num),
        score=rng.integers(50, 101, size=num),
        willing=rng.random(num) < knobs.willing_share,
    )


def _witness(
    rng: np.random.Generator,
    knobs: Knobs,
    posts: Posts,
    cadres: Cadres,
    teams: list[Team],
    num_departments: int,
) -> list[tuple[int, int]]:
    """The planted plan: (cadre, post) pairs, every team seat included.

    Each seat takes the first of the next ``WITNESS_TRIES`` unused cadres (a
    team's seat: of the team region's locals) who is already eligible, so that
    few cadres need repair and the family's eligibility density stays as drawn;
    failing that, the first of them, repaired later. With tight quotas the pool
    runs department by department, so that a department's witness count (its
    ``min_send``) is close to its size.
    """
    seat_posts = np.repeat(np.arange(posts.team.size), posts.seats)
    team_seats = seat_posts[posts.team[seat_posts] >= 0]
    other_seats = rng.permutation(seat_posts[posts.team[seat_posts] < 0])
    num_cadres = cadres.rank.size
    size = int(knobs.witness_fill * min(seat_posts.size, num_cadres))
    size = max(size, min(team_seats.size, num_cadres))
    if team_seats.size > num_cadres:
        raise ValueError("more team seats than cadres: the teams cannot be repaired")
    chosen = np.concatenate([team_seats, other_seats[: max(0, size - team_seats.size)]])
    if knobs.tight_quotas:
        order = rng.permutation(num_departments)
        pool = np.concatenate(
            [rng.permutation(np.flatnonzero(cadres.department == d)) for d in order]
        )
    else:
        pool = rng.permutation(num_cadres)
    locals_by_region: dict[int, list[int]] = {}
    for cadre in pool.tolist():
        locals_by_region.setdefault(int(cadres.home[cadre]), []).append(cadre)
    used = np.zeros(num_cadres, dtype=bool)
    cursor = 0
    witness = []
    for post in chosen.tolist():
        team = posts.team[post]
        if team >= 0:
            near = [c for c in locals_by_region.get(teams[team].region, []) if not used[c]]
        else:
            near = []
        if not near:
            while used[pool[cursor]]:
                cursor += 1
            near = [c for c in pool[cursor : cursor + 3 * WITNESS_TRIES].tolist() if not used[c]]
        near = near[:WITNESS_TRIES]
        cadre = next((c for c in near if _eligible(knobs, cadres, posts, c, post)), near[0])
        used[cadre] = True
        witness.append((cadre, post))
    return witness


def _eligible(knobs: Knobs, cadres: Cadres, posts: Posts, cadre: int, post: int) -> bool:
    """domain.md rules 2 and 3 for one pair, as drawn (forbidden pairs come later)."""
    rank = cadres.rank[cadre]
    region = posts.region[post]
    return bool(
        rank in posts.ranks[post]
        and cadres.age[cadre] <= AGE_CAPS[rank]
        and cadres.education[cadre] >= max(RULE_MIN_EDUCATION, posts.min_education[post] or 0)
        and not cadres.disciplinary[cadre]
        and (cadres.willing[cadre] or not knobs.require_willing)
        and f"D{cadres.department[cadre]:03d}" != posts.unit[post]
        and not (
            posts.new_experience_only[post] and cadres.experience[cadre] >> posts.kind[post] & 1
        )
        and not (
            posts.sensitive[post] and region in (cadres.birthplace[cadre], cadres.grew_up[cadre])
        )
    )


def _repair(
    rng: np.random.Generator,
    knobs: Knobs,
    cadres: Cadres,
    posts: Posts,
    teams: list[Team],
    cadre: int,
    post: int,
    num_regions: int,
    num_departments: int,
) -> None:
    """Make the witness pair (cadre, post) eligible by every rule of domain.md 2 and 3."""
    if cadres.rank[cadre] not in posts.ranks[post]:
        cadres.rank[cadre] = posts.ranks[post][int(rng.integers(len(posts.ranks[post])))]
    cap = AGE_CAPS[cadres.rank[cadre]]
    cadres.age[cadre] = min(cadres.age[cadre], cap)
    required = max(RULE_MIN_EDUCATION, posts.min_education[post] or 0)
    cadres.education[cadre] = max(cadres.education[cadre], required)
    cadres.disciplinary[cadre] = False
    cadres.willing[cadre] = True
    if f"D{cadres.department[cadre]:03d}" == posts.unit[post]:
        cadres.department[cadre] = (cadres.department[cadre] + 1) % num_departments
    if posts.new_experience_only[post]:
        cadres.experience[cadre] &= ~(1 << int(posts.kind[post]))
    team = posts.team[post]
    if team >= 0:
        cadres.home[cadre] = teams[team].region
    region = posts.region[post]
    if posts.sensitive[post]:
        if cadres.birthplace[cadre] == region:
            cadres.birthplace[cadre] = (region + 1) % num_regions
        if cadres.grew_up[cadre] == region:
            cadres.grew_up[cadre] = -1


def _must_place(
    rng: np.random.Generator,
    knobs: Knobs,
    cadres: Cadres,
    posts: Posts,
    witness: list[tuple[int, int]],
) -> None:
    """Must-place cadres, drawn from the witness only, made eligible for many posts.

    They keep their witness post's rank (the commonest rank it accepts) and get
    a master's degree and an age well under the cap, so that they compete for
    most posts rather than being pinned to one. Others may sit one year short.
    """
    num = cadres.rank.size
    count = min(int(knobs.must_place_share * num), len(witness))
    picks: list[int] = rng.choice(len(witness), size=count, replace=False).tolist() if count else []
    popularity = np.zeros(len(RANKS))
    for ranks in posts.ranks:
        popularity[list(ranks)] += 1
    chosen = np.zeros(num, dtype=bool)
    for pick in picks:
        cadre, post = witness[int(pick)]
        chosen[cadre] = True
        rank = max(posts.ranks[post], key=lambda r: popularity[r])
        cadres.rank[cadre] = rank
        cadres.age[cadre] = AGE_CAPS[rank] - 8
        cadres.education[cadre] = max(cadres.education[cadre], 3)
        cadres.years[cadre] = MUST_PLACE_YEARS + int(rng.integers(0, 4))
    near = (rng.random(num) < knobs.near_must_place_share) & ~chosen
    cadres.years[near] = MUST_PLACE_YEARS - 1


def _quotas(
    rng: np.random.Generator,
    knobs: Knobs,
    cadres: Cadres,
    witness: list[tuple[int, int]],
    num_departments: int,
) -> list[tuple[int, int | None]]:
    """(min_send, max_send) per department, both around the witness count.

    Tight: min_send is the witness count or one less, max_send it or one more,
    and a department the witness leaves out may send at most 0-1. Loose:
    min_send at most 1, max_send blank or 2-5 above the witness count.
    """
    sent = np.bincount([cadres.department[c] for c, _ in witness], minlength=num_departments)
    quotas: list[tuple[int, int | None]] = []
    for count in sent:
        count = int(count)
        if not knobs.quotas:
            low, high = 0, None
        elif knobs.tight_quotas:
            low = max(0, count - int(rng.integers(0, 2)))
            high = count + int(rng.integers(0, 2))
        else:
            low = min(count, int(rng.integers(0, 2)))
            high = None if rng.random() < 0.5 else count + int(rng.integers(2, 6))
        quotas.append((low, high))
    return quotas


def _preferences(
    rng: np.random.Generator, knobs: Knobs, num_candidates: int, num_posts: int
) -> list[list[int]]:
    """Up to four distinct posts per cadre, best first (all four in preference-heavy)."""
    lists: list[list[int]] = []
    most = min(PREFERENCE_COUNT, num_posts)
    for _ in range(num_candidates):
        if knobs.all_preferences:
            count = most
        elif rng.random() < knobs.preference_share:
            count = int(rng.integers(1, most + 1))
        else:
            count = 0
        lists.append([int(p) for p in rng.choice(num_posts, size=count, replace=False)])
    return lists


AFFINITY_HEADER = ("candidate_id", "post_id", "bonus", "forbid")


def _affinities(
    rng: np.random.Generator,
    knobs: Knobs,
    num_candidates: int,
    num_posts: int,
    witness: list[tuple[int, int]],
) -> Iterable[Sequence[object]] | None:
    """Affinity rows: every pair (affinity-only, streamed) or ~``affinity_share`` of pairs
    (capped per cadre), plus forbidden pairs that avoid the witness; None: no table."""
    low, high = knobs.affinity_bonus
    if knobs.all_pairs_affinity:
        bonus = rng.integers(low, high + 1, size=(num_candidates, num_posts))
        return _all_pairs(bonus)
    per_cadre = min(round(knobs.affinity_share * num_posts), AFFINITIES_PER_CADRE_CAP)
    forbid_count = int(knobs.forbid_per_cadre * num_candidates)
    if not per_cadre and not forbid_count:
        return None
    witness_pairs = set(witness)
    forbidden: set[tuple[int, int]] = set()
    while len(forbidden) < forbid_count:
        pair = (int(rng.integers(num_candidates)), int(rng.integers(num_posts)))
        if pair not in witness_pairs:
            forbidden.add(pair)
    rows: list[Sequence[object]] = []
    for c in range(num_candidates):
        for p in rng.choice(num_posts, size=per_cadre, replace=False):
            if (c, int(p)) not in forbidden:
                rows.append((_cid(c), _pid(int(p)), int(rng.integers(low, high + 1)), "false"))
    rows += [(_cid(c), _pid(p), 0, "true") for c, p in sorted(forbidden)]
    return rows


def _all_pairs(bonus: np.ndarray) -> Iterator[Sequence[object]]:
    post_ids = [_pid(p) for p in range(bonus.shape[1])]
    for c in range(bonus.shape[0]):
        cadre = _cid(c)
        for post, value in zip(post_ids, bonus[c].tolist(), strict=True):
            yield cadre, post, value, "false"


def _cid(index: int) -> str:
    return f"C{index + 1:06d}"


def _pid(index: int) -> str:
    return f"P{index + 1:05d}"


def _education(level: int | None) -> str:
    """A post's own education floor as its file value; empty for the rule's default."""
    return "" if level is None else EDUCATION[level]


def _bool(value: object) -> str:
    return "true" if value else "false"


def _post_rows(posts: Posts, teams: list[Team]) -> list[dict[str, object]]:
    return [
        {
            "id": _pid(p),
            "name": f"{KINDS[posts.kind[p]]} post {p + 1}",
            "kind": KINDS[posts.kind[p]],
            "unit": posts.unit[p],
            "region": f"R{posts.region[p]:03d}",
            "team": f"T{posts.team[p] + 1:04d}" if posts.team[p] >= 0 else "",
            "seats": int(posts.seats[p]),
            "ranks": ";".join(RANKS[r] for r in posts.ranks[p]),
            "min_education": _education(posts.min_education[p]),
            "sensitive": _bool(posts.sensitive[p]),
            "new_experience_only": _bool(posts.new_experience_only[p]),
            "preferred_categories": ";".join(posts.categories[p]),
            "priority": int(posts.priority[p]),
        }
        for p in range(posts.team.size)
    ]


def _candidate_rows(cadres: Cadres, preferences: list[list[int]]) -> list[dict[str, object]]:
    """Nobody is a current team member: the witness never posts a team's own member away."""
    rows = []
    for c in range(cadres.rank.size):
        experience = [KINDS[k] for k in range(len(KINDS)) if cadres.experience[c] >> k & 1]
        rows.append(
            {
                "id": _cid(c),
                "name": f"cadre {c + 1}",
                "department": f"D{cadres.department[c]:03d}",
                "rank": RANKS[cadres.rank[c]],
                "age": int(cadres.age[c]),
                "education": EDUCATION[cadres.education[c]],
                "birthplace": f"R{cadres.birthplace[c]:03d}",
                "grew_up": f"R{cadres.grew_up[c]:03d}" if cadres.grew_up[c] >= 0 else "",
                "home_region": f"R{cadres.home[c]:03d}",
                "current_team": "",
                "party_member": _bool(cadres.party[c]),
                "reserve": _bool(cadres.reserve[c]),
                "disciplinary": _bool(cadres.disciplinary[c]),
                "experience": ";".join(experience),
                "years_in_post": int(cadres.years[c]),
                "score": int(cadres.score[c]),
                "willing": _bool(cadres.willing[c]),
                "preferences": ";".join(_pid(p) for p in preferences[c]),
            }
        )
    return rows


def _department_rows(
    rng: np.random.Generator, quotas: list[tuple[int, int | None]]
) -> list[dict[str, object]]:
    return [
        {
            "id": f"D{d:03d}",
            "name": f"department {d}",
            "category": CATEGORIES[int(rng.integers(len(CATEGORIES)))],
            "min_send": low,
            "max_send": "" if high is None else high,
            "priority": _bool(rng.random() < 0.1),
        }
        for d, (low, high) in enumerate(quotas)
    ]


def _team_rows(teams: list[Team]) -> list[dict[str, object]]:
    return [
        {
            "id": f"T{t + 1:04d}",
            "region": f"R{team.region:03d}",
            "incumbents": team.incumbents,
            "incumbent_locals": team.locals,
            "min_local_ratio": team.ratio_text,
        }
        for t, team in enumerate(teams)
    ]


def _rules(family: str, knobs: Knobs) -> str:
    """rules.toml: domain.md's defaults with the family's weights and willingness."""
    weights = {
        "score": 1, "development": 30, "reserve": 10, "party": 5, "dept_priority": 10,
        "category_match": 15, "preference": 1, "affinity": 1,
    } | knobs.weights  # fmt: skip
    lines = [
        f"# family {family}: {knobs.description}",
        'min_education = "associate"',
        'local_ratio = "1/3"',
        "veto_disciplinary = true",
        f"require_willing = {_bool(knobs.require_willing)}",
        f"must_place_years = {MUST_PLACE_YEARS}",
        "",
        "[age_caps]",
        *(f"{rank} = {cap}" for rank, cap in zip(RANKS, AGE_CAPS, strict=True)),
        "",
        "[weights]",
        *(f"{name} = {value}" for name, value in weights.items()),
    ]
    return "\n".join(lines) + "\n"


def _write(path: Path, rows: list[dict[str, object]]) -> None:
    _write_rows(path, list(rows[0]), (list(row.values()) for row in rows))


def _write_rows(path: Path, header: Sequence[str], rows: Iterable[Sequence[object]]) -> None:
    """Streamed: affinity-only's row per pair never sits in memory as a whole."""
    with path.open("w", newline="", encoding="utf-8") as sink:
        writer = csv.writer(sink)
        writer.writerow(header)
        writer.writerows(rows)
