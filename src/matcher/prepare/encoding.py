"""The instance as numpy arrays: one integer code per category, one row per cadre or post.

Eligibility, fit and the CP-SAT model are computed on these arrays in bulk
rather than pair by pair in Python. Strings (regions, departments, teams,
categories) share one code table so that, for example, a cadre's department
can be compared with a post's unit as integers.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from matcher.instance import (
    EDUCATION_ORDER,
    RANK_FAMILY,
    Education,
    ExceptionRule,
    Instance,
    PostKind,
    Rank,
    accepted_ranks,
)

IntArray = npt.NDArray[np.int64]
BoolArray = npt.NDArray[np.bool_]

RANK_CODE: dict[Rank, int] = {rank: code for code, rank in enumerate(Rank)}
KIND_CODE: dict[PostKind, int] = {kind: code for code, kind in enumerate(PostKind)}
NO_CODE = -1
"""Code of an empty string (no team, no category): never equal to a real code."""
UNKNOWN_CODE = -2
"""Code of a string the table was not built with: equal to no code in any array."""


class StringCodes:
    """Dense integer codes of a fixed set of strings; ``""``/``None`` map to ``NO_CODE``.

    Every string is interned when the table is made (in order of first
    appearance); a look-up never adds one, so the codes of an ``Encoded`` do not
    change after encoding.
    """

    def __init__(self, values: Iterable[str | None] = ()) -> None:
        self.code2string: list[str] = []
        self._string2code: dict[str, int] = {}
        for value in values:
            if value and value not in self._string2code:
                self._string2code[value] = len(self.code2string)
                self.code2string.append(value)

    def code(self, value: str | None) -> int:
        """The code of ``value``.

        Parameters
        ----------
        value
            A string, or ``None``.

        Returns
        -------
        int
            Its code; ``NO_CODE`` for ``""``/``None``; ``UNKNOWN_CODE`` for a string
            the table was not built with.
        """
        if not value:
            return NO_CODE
        return self._string2code.get(value, UNKNOWN_CODE)

    def codes(self, values: list[str | None]) -> IntArray:
        """The code of each of ``values`` (see :meth:`code`), as an int64 array."""
        return np.fromiter(
            (self.code(value) for value in values), dtype=np.int64, count=len(values)
        )


@dataclass(frozen=True)
class Encoded:
    """Column arrays of an instance; index ``i`` is ``instance.candidates[i]`` or ``posts[i]``."""

    instance: Instance
    strings: StringCodes
    # cadres
    cand_rank: IntArray
    cand_age: IntArray
    cand_education: IntArray
    cand_department: IntArray
    cand_birthplace: IntArray
    cand_home_region: IntArray
    cand_current_team: IntArray
    cand_experience_bits: IntArray
    cand_disciplinary: BoolArray
    cand_willing: BoolArray
    cand_reserve: BoolArray
    cand_party: BoolArray
    cand_score: IntArray
    cand_must_place: BoolArray
    cand_category: IntArray
    cand_dept_priority: BoolArray
    cand_age_exempt: BoolArray
    """A documented exception lifts the age cap of the cadre's rank (format v1.1)."""
    cand_education_exempt: BoolArray
    """A documented exception lifts every education requirement for the cadre."""
    # posts
    post_kind: IntArray
    post_unit: IntArray
    post_region: IntArray
    post_team: IntArray
    post_rank_bits: IntArray
    post_min_education: IntArray
    post_sensitive: BoolArray
    post_new_experience_only: BoolArray
    post_seats: IntArray
    post_priority: IntArray
    post_category_sets: tuple[frozenset[int], ...]
    # rule-level
    age_cap_by_rank: IntArray
    region2avoiders: dict[int, IntArray]
    """Region code → cadres born or raised there (who must avoid its sensitive posts)."""
    forbidden_keys: IntArray
    """Sorted ``pair_keys`` of the pairs the planner forbade in affinities."""
    affinity_keys: IntArray
    """Sorted ``pair_keys`` of the affinity rows with a bonus, aligned with ``affinity_bonus``."""
    affinity_bonus: IntArray
    preference_keys: IntArray
    """Sorted ``pair_keys`` of (cadre, listed post), aligned with ``preference_rank`` (1-based)."""
    preference_rank: IntArray

    def pair_keys(self, cand_idcs: IntArray, post_idcs: IntArray) -> IntArray:
        """One int64 per pair, for sorted look-ups of sparse pair data."""
        return cand_idcs.astype(np.int64) * max(self.instance.num_posts, 1) + post_idcs


def _strings(instance: Instance) -> Iterator[str | None]:
    """Every string an ``Encoded`` codes or is asked for, in the order codes are given.

    The cadres' and posts' strings come in the order encoding used to meet them
    (the codes are as before); the team ids, team regions and department ids the
    rows and diagnostics look up come last.
    """
    cands, posts = instance.candidates, instance.posts
    dept_by_id = {dept.id: dept for dept in instance.departments}
    yield from (c.birthplace for c in cands)
    for cand in cands:
        yield from {cand.birthplace, *cand.grew_up}
    yield from (c.department for c in cands)
    yield from (c.home_region for c in cands)
    yield from (c.current_team for c in cands)
    for cand in cands:
        dept = dept_by_id.get(cand.department)
        yield dept.category if dept else None
    yield from (p.unit for p in posts)
    yield from (p.region for p in posts)
    yield from (p.team for p in posts)
    for post in posts:
        yield from post.preferred_categories
    for team in instance.teams:
        yield from (team.id, team.region)
    yield from (dept.id for dept in instance.departments)


def _bits(values: tuple[PostKind, ...] | tuple[Rank, ...], table: dict) -> int:  # type: ignore[type-arg]
    return sum(1 << table[value] for value in set(values))


def _avoiders(instance: Instance, strings: StringCodes) -> dict[int, IntArray]:
    """Region code → the cadres born or raised there (rule 3)."""
    avoiders: dict[int, list[int]] = {}
    for idx, cand in enumerate(instance.candidates):
        for region in {cand.birthplace, *cand.grew_up}:
            avoiders.setdefault(strings.code(region), []).append(idx)
    return {region: np.array(idcs, dtype=np.int64) for region, idcs in avoiders.items()}


def _pair_tables(instance: Instance) -> dict[str, IntArray]:
    """The sparse pair data, keyed like ``Encoded.pair_keys``: forbidden pairs,
    affinity bonuses and preference ranks (the first appearance of a post counts)."""
    num_posts = max(len(instance.posts), 1)
    cand_index = {cand.id: idx for idx, cand in enumerate(instance.candidates)}
    post_index = {post.id: idx for idx, post in enumerate(instance.posts)}
    forbidden: set[int] = set()
    affinity: dict[int, int] = {}
    for row in instance.affinities:
        c_idx, p_idx = cand_index.get(row.candidate_id), post_index.get(row.post_id)
        if c_idx is None or p_idx is None:
            continue
        key = c_idx * num_posts + p_idx
        if row.forbid:
            forbidden.add(key)
        elif row.bonus:
            affinity[key] = row.bonus
    preference: dict[int, int] = {}
    for c_idx, cand in enumerate(instance.candidates):
        for rank, post_id in enumerate(cand.preferences, start=1):
            p_idx = post_index.get(post_id)
            if p_idx is not None:
                preference.setdefault(c_idx * num_posts + p_idx, rank)
    affinity_keys = np.array(sorted(affinity), dtype=np.int64)
    preference_keys = np.array(sorted(preference), dtype=np.int64)
    return {
        "forbidden_keys": np.array(sorted(forbidden), dtype=np.int64),
        "affinity_keys": affinity_keys,
        "affinity_bonus": np.array([affinity[k] for k in affinity_keys.tolist()], dtype=np.int64),
        "preference_keys": preference_keys,
        "preference_rank": np.array(
            [preference[k] for k in preference_keys.tolist()], dtype=np.int64
        ),
    }


def _exempt(instance: Instance) -> dict[ExceptionRule, BoolArray]:
    """Per rule an exception may lift, the cadres a documented exception lifts it for."""
    exempt = {rule: np.zeros(len(instance.candidates), dtype=bool) for rule in ExceptionRule}
    cand_index = {cand.id: idx for idx, cand in enumerate(instance.candidates)}
    for exception in instance.exceptions:
        c_idx = cand_index.get(exception.candidate_id)
        if c_idx is not None:
            exempt[exception.rule][c_idx] = True
    return exempt


def _candidate_columns(instance: Instance, strings: StringCodes) -> dict[str, IntArray | BoolArray]:
    """The cadres' columns of ``Encoded`` (``cand_*``)."""
    cands = instance.candidates
    dept_by_id = {dept.id: dept for dept in instance.departments}
    departments = [dept_by_id.get(c.department) for c in cands]
    must_years = instance.rules.must_place_years
    exempt = _exempt(instance)
    return {
        "cand_rank": np.array([RANK_CODE[c.rank] for c in cands], dtype=np.int64),
        "cand_age": np.array([c.age for c in cands], dtype=np.int64),
        "cand_education": np.array([EDUCATION_ORDER[c.education] for c in cands], dtype=np.int64),
        "cand_department": strings.codes([c.department for c in cands]),
        "cand_birthplace": strings.codes([c.birthplace for c in cands]),
        "cand_home_region": strings.codes([c.home_region for c in cands]),
        "cand_current_team": strings.codes([c.current_team for c in cands]),
        "cand_experience_bits": np.array([_bits(c.experience, KIND_CODE) for c in cands], np.int64),
        "cand_disciplinary": np.array([c.disciplinary for c in cands], dtype=bool),
        "cand_willing": np.array([c.willing for c in cands], dtype=bool),
        "cand_reserve": np.array([c.reserve for c in cands], dtype=bool),
        "cand_party": np.array([c.party_member for c in cands], dtype=bool),
        "cand_score": np.array([c.score for c in cands], dtype=np.int64),
        "cand_must_place": np.array(
            [must_years > 0 and c.years_in_post >= must_years for c in cands], dtype=bool
        ),
        "cand_category": strings.codes([d.category if d else None for d in departments]),
        "cand_dept_priority": np.array([bool(d and d.priority) for d in departments], dtype=bool),
        "cand_age_exempt": exempt[ExceptionRule.AGE_CAP],
        "cand_education_exempt": exempt[ExceptionRule.MIN_EDUCATION],
    }


def _post_columns(instance: Instance, strings: StringCodes) -> dict[str, object]:
    """The posts' columns of ``Encoded`` (``post_*``)."""
    posts = instance.posts
    min_education_level = EDUCATION_ORDER[instance.rules.min_education]
    return {
        "post_kind": np.array([KIND_CODE[p.kind] for p in posts], dtype=np.int64),
        "post_unit": strings.codes([p.unit for p in posts]),
        "post_region": strings.codes([p.region for p in posts]),
        "post_team": strings.codes([p.team for p in posts]),
        # a family in a post's ranks accepts its grades too: the bits are of every rank accepted
        "post_rank_bits": np.array(
            [_bits(tuple(accepted_ranks(p.ranks)), RANK_CODE) for p in posts], dtype=np.int64
        ),
        "post_min_education": np.array(
            [
                max(min_education_level, EDUCATION_ORDER[p.min_education or Education.SECONDARY])
                for p in posts
            ],
            dtype=np.int64,
        ),
        "post_sensitive": np.array([p.sensitive for p in posts], dtype=bool),
        "post_new_experience_only": np.array([p.new_experience_only for p in posts], dtype=bool),
        "post_seats": np.array([p.seats for p in posts], dtype=np.int64),
        "post_priority": np.array([p.priority for p in posts], dtype=np.int64),
        "post_category_sets": tuple(
            frozenset(strings.code(cat) for cat in p.preferred_categories if cat) for p in posts
        ),
    }


def encode(instance: Instance) -> Encoded:
    """Turn a validated instance into column arrays.

    Parameters
    ----------
    instance
        A validated instance.

    Returns
    -------
    Encoded
        One array per attribute of the cadres and of the posts (index ``i`` is
        ``instance.candidates[i]`` or ``instance.posts[i]``), the sparse pair
        tables and the rule-level tables, over one fixed string table.
    """
    strings = StringCodes(_strings(instance))
    # age caps go by family: a grade takes its family's cap
    age_caps = instance.rules.age_caps
    return Encoded(
        instance=instance,
        strings=strings,
        **_candidate_columns(instance, strings),  # type: ignore[arg-type]
        **_post_columns(instance, strings),  # type: ignore[arg-type]
        age_cap_by_rank=np.array([age_caps.get(RANK_FAMILY[rank], 200) for rank in Rank], np.int64),
        region2avoiders=_avoiders(instance, strings),
        **_pair_tables(instance),  # type: ignore[arg-type]
    )
