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
    """Rank (职级); the age cap depends on it."""

    GENERAL = "general"  # 一般干部
    SECTION = "section"  # 乡科级
    COUNTY = "county"  # 县处级


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
    ranks: tuple[Rank, ...] = tuple(Rank)
    min_education: Education | None = None
    sensitive: bool = False
    new_experience_only: bool = False
    preferred_categories: tuple[str, ...] = ()
    priority: Annotated[int, Field(ge=0, le=1_000_000)] = 1


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

    def team_ratio(self, team: Team) -> Fraction:
        """The local ratio in force for ``team`` (its own, else the rule's)."""
        return team.min_local_ratio if team.min_local_ratio is not None else self.rules.local_ratio
