"""The problem data: validated once at the boundary (``matcher.io.reader``), then frozen.

Everything downstream (eligibility, model, checker, reports) reads these
objects and never mutates them; variants are made with ``model_copy(update=...)``.
Field meanings and defaults follow instance format v1 in ``shared/domain.md``.
"""

from __future__ import annotations

from enum import StrEnum
from fractions import Fraction
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, model_validator


class Rank(StrEnum):
    """Rank (职级): three families, and (format v1.1) four grades inside two of them.

    The age cap goes by family (``RANK_FAMILY``). In a post's ``ranks`` a family
    accepts itself and every grade in it; a grade accepts only itself.
    """

    GENERAL = "general"  # 一般干部
    SECTION = "section"  # 乡科级
    COUNTY = "county"  # 县处级
    SECTION_DEPUTY = "section_deputy"  # 副科级
    SECTION_FULL = "section_full"  # 正科级
    COUNTY_DEPUTY = "county_deputy"  # 副处级
    COUNTY_FULL = "county_full"  # 正处级


RANK_FAMILIES: tuple[Rank, ...] = (Rank.GENERAL, Rank.SECTION, Rank.COUNTY)
"""The families of format v1; the default of a post's ``ranks``."""

RANK_FAMILY: dict[Rank, Rank] = {
    Rank.GENERAL: Rank.GENERAL,
    Rank.SECTION: Rank.SECTION,
    Rank.COUNTY: Rank.COUNTY,
    Rank.SECTION_DEPUTY: Rank.SECTION,
    Rank.SECTION_FULL: Rank.SECTION,
    Rank.COUNTY_DEPUTY: Rank.COUNTY,
    Rank.COUNTY_FULL: Rank.COUNTY,
}
"""Each rank's family: what its age cap and ``min_county_level`` go by."""


def accepted_ranks(ranks: tuple[Rank, ...]) -> frozenset[Rank]:
    """Every cadre rank a post listing ``ranks`` accepts (a family brings its grades)."""
    return frozenset(rank for rank in Rank if rank in ranks or RANK_FAMILY[rank] in ranks)


class Education(StrEnum):
    """Education (学历), ordered from lowest to highest by ``EDUCATION_ORDER``."""

    SECONDARY = "secondary"  # 中专/高中
    ASSOCIATE = "associate"  # 大专
    BACHELOR = "bachelor"  # 本科
    MASTER = "master"  # 硕士
    DOCTOR = "doctor"  # 博士


EDUCATION_ORDER: dict[Education, int] = {edu: level for level, edu in enumerate(Education)}


class PostKind(StrEnum):
    """Kind of post (挂职类型), see domain.md 'Kinds of post'."""

    GRASSROOTS = "grassroots"  # 下挂
    PETITION = "petition"  # 平挂·信访
    KEY_PROJECT = "key_project"  # 平挂·重点工程
    EXTERNAL = "external"  # 外挂
    UPWARD = "upward"  # 上挂


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid", arbitrary_types_allowed=True)


Id = Annotated[str, Field(min_length=1)]


class Candidate(_Frozen):
    """A cadre (干部) who may be sent on a temporary posting."""

    id: Id
    name: str = ""
    department: Id
    rank: Rank
    age: Annotated[int, Field(ge=16, le=80)]
    education: Education
    birthplace: Id
    grew_up: tuple[str, ...] = ()
    home_region: Id
    current_team: str | None = None
    party_member: bool = False
    reserve: bool = False
    disciplinary: bool = False
    experience: tuple[PostKind, ...] = ()
    years_in_post: Annotated[int, Field(ge=0, le=60)] = 0
    score: Annotated[int, Field(ge=0, le=100)] = 60
    willing: bool = True
    preferences: tuple[str, ...] = ()


class Post(_Frozen):
    """A post (岗位) with ``seats`` interchangeable seats."""

    id: Id
    name: str = ""
    kind: PostKind
    unit: Id
    region: Id
    team: str | None = None
    seats: Annotated[int, Field(ge=0, le=10_000)] = 1
    ranks: tuple[Rank, ...] = RANK_FAMILIES
    min_education: Education | None = None
    sensitive: bool = False
    new_experience_only: bool = False
    preferred_categories: tuple[str, ...] = ()
    priority: Annotated[int, Field(ge=0, le=1_000_000)] = 1
    groups: tuple[str, ...] = ()
    """Ids of the groups (rule 7, format v1.1) this post belongs to."""


class Group(_Frozen):
    """A working group, receiving unit or batch (rule 7, format v1.1).

    Its members are the cadres assigned to any of its posts. ``min_party_members``
    and ``min_county_level`` hold only for a group with at least one member.
    """

    id: Id
    name: str = ""
    min_members: Annotated[int, Field(ge=0)] = 0
    max_members: Annotated[int, Field(ge=0)] | None = None
    min_party_members: Annotated[int, Field(ge=0)] = 0
    min_county_level: Annotated[int, Field(ge=0)] = 0
    max_per_department: Annotated[int, Field(ge=0)] | None = None

    @model_validator(mode="after")
    def _min_within_max(self) -> Group:
        if self.max_members is not None and self.min_members > self.max_members:
            raise ValueError(
                f"min_members ({self.min_members}) exceeds max_members ({self.max_members})"
            )
        return self


class ExceptionRule(StrEnum):
    """A "generally" requirement of rule 2 that a documented exception may lift."""

    AGE_CAP = "age_cap"  # 年龄
    MIN_EDUCATION = "min_education"  # 学历


class RuleException(_Frozen):
    """A documented exception (format v1.1): ``rule`` is lifted for the cadre on every post."""

    candidate_id: Id
    rule: ExceptionRule
    reason: Annotated[str, Field(min_length=1)]


class Team(_Frozen):
    """A leadership team (领导班子) whose local share is protected by rule 4."""

    id: Id
    region: Id
    incumbents: Annotated[int, Field(ge=0)]
    incumbent_locals: Annotated[int, Field(ge=0)]
    min_local_ratio: Fraction | None = None

    @model_validator(mode="after")
    def _locals_within_members(self) -> Team:
        if self.incumbent_locals > self.incumbents:
            raise ValueError(
                f"incumbent_locals ({self.incumbent_locals}) exceeds incumbents ({self.incumbents})"
            )
        return self


class Department(_Frozen):
    """A sending department (选派单位) with its quota (rule 5)."""

    id: Id
    name: str = ""
    category: str = ""
    min_send: Annotated[int, Field(ge=0)] = 0
    max_send: Annotated[int, Field(ge=0)] | None = None
    priority: bool = False

    @model_validator(mode="after")
    def _min_within_max(self) -> Department:
        if self.max_send is not None and self.min_send > self.max_send:
            raise ValueError(f"min_send ({self.min_send}) exceeds max_send ({self.max_send})")
        return self


class Affinity(_Frozen):
    """The planner's own judgement of one (cadre, post) pair."""

    candidate_id: Id
    post_id: Id
    bonus: int = 0
    forbid: bool = False


class Weights(_Frozen):
    """Weights of the fit terms (domain.md 'Objective'); exact, may be decimals."""

    score: Fraction = Fraction(1)
    development: Fraction = Fraction(30)
    reserve: Fraction = Fraction(10)
    party: Fraction = Fraction(5)
    dept_priority: Fraction = Fraction(10)
    category_match: Fraction = Fraction(15)
    preference: Fraction = Fraction(1)
    affinity: Fraction = Fraction(1)


PREFERENCE_BONUS: tuple[int, ...] = (20, 15, 10, 5)
"""Bonus for a cadre's 1st..4th listed preference (Yangzhou, seed 002)."""

DEFAULT_AGE_CAPS: dict[Rank, int] = {Rank.COUNTY: 45, Rank.SECTION: 40, Rank.GENERAL: 35}


class Rules(_Frozen):
    """Rule parameters from ``rules.toml``; every key optional (domain.md)."""

    min_education: Education = Education.ASSOCIATE
    age_caps: dict[Rank, int] = Field(default_factory=lambda: dict(DEFAULT_AGE_CAPS))
    local_ratio: Fraction = Fraction(1, 3)
    veto_disciplinary: bool = True
    require_willing: bool = False
    must_place_years: Annotated[int, Field(ge=0)] = 10
    weights: Weights = Weights()


class Instance(_Frozen):
    """One validated, immutable instance (format v1)."""

    name: str = "instance"
    candidates: tuple[Candidate, ...]
    posts: tuple[Post, ...]
    teams: tuple[Team, ...] = ()
    departments: tuple[Department, ...] = ()
    affinities: tuple[Affinity, ...] = ()
    groups: tuple[Group, ...] = ()
    exceptions: tuple[RuleException, ...] = ()
    rules: Rules = Rules()
    warnings: tuple[str, ...] = ()

    @property
    def num_candidates(self) -> int:
        return len(self.candidates)

    @property
    def num_posts(self) -> int:
        return len(self.posts)

    @property
    def num_seats(self) -> int:
        return sum(post.seats for post in self.posts)

    def exempt(self, candidate_id: str, rule: ExceptionRule) -> bool:
        """Whether a documented exception lifts ``rule`` for the cadre."""
        return any(e.candidate_id == candidate_id and e.rule == rule for e in self.exceptions)

    def team_ratio(self, team: Team) -> Fraction:
        """The local ratio in force for ``team`` (its own, else the rule's)."""
        return team.min_local_ratio if team.min_local_ratio is not None else self.rules.local_ratio
