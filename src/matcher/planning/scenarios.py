"""What-if scenarios: a base instance and named variants of it, from one TOML file.

A planner asks "what if the local ratio were one half?", "what if the petition
office had three more seats?", "what if 张伟 must go to 青山县?". A scenario
file names the base instance and, per variant, only what changes::

    base = "city"                  # instance folder or .xlsx, relative to this file
    description = "Quota and ratio questions for 2026"

    [variants.half-local]
    description = "Every team at least half local"
    rules.local_ratio = "1/2"      # any key of rules.toml; age_caps and weights merge
    rules.weights.development = 50

    [variants.more-petition]
    posts.P00010 = { seats = 4, priority = 3 }
    departments.市住建局 = { min_send = 2, max_send = "unlimited" }
    teams.T001.min_local_ratio = "2/5"
    remove.candidates = ["C00017"]
    remove.posts = ["P00002"]
    pins.must = { C00012 = "P00031" }     # this cadre must go to this post
    pins.never = { C00045 = ["P00007"] }  # this cadre must not go to these posts

    [[variants.more-petition.add.candidates]]   # a row, in the columns of candidates.csv
    id = "C09001"
    department = "市住建局"
    rank = "乡科级"
    ...

    [variants.branches]                  # format v1.1: groups and documented exceptions
    groups.K2 = { min_party_members = 2, max_per_department = "unlimited" }
    remove.exceptions = { C00332 = ["age_cap"] }
    [[variants.branches.add.exceptions]]        # a row, in the columns of exceptions.csv
    candidate_id = "C00017"
    rule = "min_education"
    reason = "..."

The file is validated with pydantic at the boundary: every value has one
expected type, every table only its known keys, every id must exist. The
first problem is reported as one line naming the file, the variant and the
key, e.g. ``scenarios.toml: variant "tight": departments.D07.min_send:
expected an integer ≥ 0, got "two"``.

A variant is the base instance with its overrides applied by ``model_copy``,
then written in instance format v1 and read back with
:func:`matcher.io.reader.read_instance`: it is re-validated exactly like a
planner's own files, and what is solved is exactly what is written to
``DIR/<variant>/instance``.

Pins in format v1
-----------------
Format v1 can say "never this pair" (an ``affinities`` row with ``forbid``)
but not "this cadre must go to this post". A must pin is therefore written as
two rules the format already has: ``forbid`` rows for the cadre and every
other post (so the pinned post is the only one left), and the cadre made
must-place (rule 6) by raising their ``years_in_post`` to ``must_place_years``.
When must-place is off (``must_place_years = 0``), the threshold is set just
above every other cadre's ``years_in_post``, so only pinned cadres become
must-place. A pin the rules cannot honour (the cadre is not eligible for the
post) makes the variant infeasible, and the diagnosis names it.
"""

from __future__ import annotations

import json
import math
import re
import tempfile
import tomllib
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from enum import Enum
from fractions import Fraction
from pathlib import Path
from typing import Annotated, Any, NoReturn

import pandas as pd
from pydantic import BaseModel, ConfigDict, PlainValidator, ValidationError, model_validator
from pydantic_core import PydanticCustomError

from matcher.instance import (
    Affinity,
    Candidate,
    Department,
    Education,
    ExceptionRule,
    Group,
    Instance,
    Post,
    Rank,
    RuleException,
    Rules,
    Team,
)
from matcher.io.aliases import (
    BOOLEAN_ALIASES,
    EDUCATION_ALIASES,
    EXCEPTION_RULE_ALIASES,
    accepted,
    column_lookup,
    header_key,
    value_key,
)
from matcher.io.instance_writer import write_instance
from matcher.io.reader import InputError, read_instance, read_rows

__all__ = [
    "BASE",
    "ScenarioError",
    "ScenarioSet",
    "Variant",
    "apply_variant",
    "instance_tables",
    "load_scenarios",
    "rules_toml",
    "write_variant_instance",
]

BASE = "base"
"""The name (and output folder) of the unchanged base instance."""
MAX_YEARS_IN_POST = 60
"""Upper bound of ``Candidate.years_in_post``; a must-place threshold cannot exceed it."""
_VARIANT_NAME = re.compile(r"[^\W][\w-]{0,63}")
"""Letters (any script), digits, ``_`` and ``-``: the name is also a folder name."""
_UNLIMITED = frozenset({"unlimited", "none", "不限", "无限制"})


# ----------------------------------------------------------------------------------------
# Errors


class ScenarioError(Exception):
    """A problem in a scenario file, as one line: file, variant, key, what is wrong."""

    def __init__(
        self, file: str, variant: str | None, key: str | None, message: str, more: int = 0
    ) -> None:
        self.file = file
        self.variant = variant
        self.key = key
        self.message = " ".join(message.split())  # one line, whatever the message held
        self.more = more
        super().__init__(str(self))

    def __str__(self) -> str:
        parts = [self.file]
        if self.variant is not None:
            parts.append(f'variant "{self.variant}"')
        if self.key:
            parts.append(self.key)
        more = f" (and {self.more} more problem{'s' * (self.more > 1)})" if self.more else ""
        return ": ".join([*parts, self.message]) + more


def _shown(value: object) -> str:
    """A TOML value as the planner wrote it, for "got ..." in messages."""
    if isinstance(value, dict):
        return "a table"
    if isinstance(value, list):
        return "a list"
    try:
        return json.dumps(value, ensure_ascii=False)
    except (TypeError, ValueError):
        return str(value)


def _reject(expected: str, value: object) -> NoReturn:
    raise PydanticCustomError(
        "override", "expected {expected}, got {got}", {"expected": expected, "got": _shown(value)}
    )


# ----------------------------------------------------------------------------------------
# Value types: each accepts what a planner writes in TOML and says what it expected


def _count(value: object) -> int:
    if isinstance(value, int) and not isinstance(value, bool) and value >= 0:
        return value
    _reject("an integer ≥ 0", value)


def _age_cap(value: object) -> int:
    if isinstance(value, int) and not isinstance(value, bool) and 16 <= value <= 80:
        return value
    _reject("an integer between 16 and 80", value)


def _number(value: object) -> Fraction:
    """Exact: 0.1 is 1/10 (read from its decimal text, not the binary float)."""
    if isinstance(value, int) and not isinstance(value, bool):
        return Fraction(value)
    if isinstance(value, float) and math.isfinite(value):
        return Fraction(str(value))
    if isinstance(value, str):
        text = value.strip()
        try:
            number = Fraction(text.rstrip("%"))
        except (ValueError, ZeroDivisionError):
            pass
        else:
            return number / 100 if text.endswith("%") else number
    _reject('a number such as 30, 2.5 or "1/3"', value)


def _ratio(value: object) -> Fraction:
    expected = 'a ratio between 0 and 1 such as "1/2", 0.5 or "50%"'
    try:
        ratio = _number(value)
    except PydanticCustomError:
        _reject(expected, value)
    if 0 <= ratio <= 1:
        return ratio
    _reject(expected, value)


def _flag(value: object) -> bool:
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value_key(value) in BOOLEAN_ALIASES:
        return BOOLEAN_ALIASES[value_key(value)]
    _reject("true or false", value)


def _education(value: object) -> Education:
    if isinstance(value, str) and value_key(value) in EDUCATION_ALIASES:
        return Education(EDUCATION_ALIASES[value_key(value)])
    _reject(f"a level of education ({accepted(EDUCATION_ALIASES)})", value)


def _max_send(value: object) -> int | None:
    if isinstance(value, str) and value_key(value) in _UNLIMITED:
        return None
    if isinstance(value, int) and not isinstance(value, bool) and value >= 0:
        return value
    _reject('an integer ≥ 0 or "unlimited"', value)


def _exception_rules(value: object) -> tuple[ExceptionRule, ...]:
    """One rule an exception lifts, or a list of them (English or Chinese: 年龄, 学历)."""
    items = value if isinstance(value, list) and value else [value]
    lookup = EXCEPTION_RULE_ALIASES
    rules = []
    for item in items:
        if not isinstance(item, str) or value_key(item) not in lookup:
            _reject(f"a rule or a list of rules ({accepted(lookup)})", value)
        rules.append(ExceptionRule(lookup[value_key(item)]))
    return tuple(rules)


def _text(value: object) -> str:
    if isinstance(value, str):
        return value
    _reject("text", value)


def _id(value: object) -> str:
    if isinstance(value, str) and value.strip():
        return value.strip()
    _reject("an id (non-empty text)", value)


def _ids(value: object) -> tuple[str, ...]:
    """One id or a list of ids."""
    if isinstance(value, str):
        return (_id(value),)
    if isinstance(value, list) and value:
        return tuple(_id(item) for item in value)
    _reject("an id or a list of ids", value)


def _cell(value: object) -> str:
    """A value of an added row, as the text of a CSV cell (lists joined with ``;``)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str | int | float):
        return str(value).strip()
    if isinstance(value, list) and all(isinstance(item, str | int) for item in value):
        return ";".join(str(item).strip() for item in value)
    _reject("text, a number, true/false or a list of text", value)


def _row(value: object) -> dict[str, str]:
    if not isinstance(value, dict):
        _reject("a table of column = value", value)
    return {str(key): _cell(item) for key, item in value.items()}


Count = Annotated[int | None, PlainValidator(_count)]
AgeCap = Annotated[int | None, PlainValidator(_age_cap)]
Number = Annotated[Fraction | None, PlainValidator(_number)]
Ratio = Annotated[Fraction | None, PlainValidator(_ratio)]
Flag = Annotated[bool | None, PlainValidator(_flag)]
EducationLevel = Annotated[Education | None, PlainValidator(_education)]
MaxSend = Annotated[int | None, PlainValidator(_max_send)]
Text = Annotated[str, PlainValidator(_text)]
Id = Annotated[str, PlainValidator(_id)]
Ids = Annotated[tuple[str, ...], PlainValidator(_ids)]
ExceptionRules = Annotated[tuple[ExceptionRule, ...], PlainValidator(_exception_rules)]
Row = Annotated[dict[str, str], PlainValidator(_row)]


# ----------------------------------------------------------------------------------------
# The scenario file's schema


class _Spec(BaseModel):
    """A TOML table with known keys only; ``None`` fields mean "not overridden"."""

    model_config = ConfigDict(frozen=True, extra="forbid", arbitrary_types_allowed=True)

    @model_validator(mode="before")
    @classmethod
    def _known_keys_only(cls, data: Any) -> Any:
        if not isinstance(data, dict):
            _reject("a table", data)
        for key in data:
            if key not in cls.model_fields:
                raise PydanticCustomError(
                    "unknown_key",
                    "unknown key; use one of {known}",
                    {"key": str(key), "known": ", ".join(cls.model_fields)},
                )
        return data

    def given(self) -> dict[str, Any]:
        """The keys the planner wrote, with their values (model fields kept as models)."""
        return {name: getattr(self, name) for name in self.model_fields_set}


class AgeCapsOverride(_Spec):
    county: AgeCap = None
    section: AgeCap = None
    general: AgeCap = None


class WeightsOverride(_Spec):
    score: Number = None
    development: Number = None
    reserve: Number = None
    party: Number = None
    dept_priority: Number = None
    category_match: Number = None
    preference: Number = None
    affinity: Number = None


class RulesOverride(_Spec):
    """The keys of ``rules.toml``; ``age_caps`` and ``weights`` merge key by key."""

    min_education: EducationLevel = None
    age_caps: AgeCapsOverride = AgeCapsOverride()
    local_ratio: Ratio = None
    veto_disciplinary: Flag = None
    require_willing: Flag = None
    must_place_years: Count = None
    weights: WeightsOverride = WeightsOverride()


class PostOverride(_Spec):
    seats: Count = None
    priority: Count = None


class DepartmentOverride(_Spec):
    min_send: Count = None
    max_send: MaxSend = None
    priority: Flag = None


class TeamOverride(_Spec):
    min_local_ratio: Ratio = None


class GroupOverride(_Spec):
    """Rule 7's limits of a group (format v1.1); a maximum may be ``"unlimited"``."""

    min_members: Count = None
    max_members: MaxSend = None
    min_party_members: Count = None
    min_county_level: Count = None
    max_per_department: MaxSend = None


class Removals(_Spec):
    candidates: Ids = ()
    posts: Ids = ()
    exceptions: dict[str, ExceptionRules] = {}
    """Cadre id -> the documented exceptions of theirs to withdraw (``age_cap``, ...)."""


class Additions(_Spec):
    """Rows in the columns of ``candidates.csv``, ``posts.csv``, ``exceptions.csv``
    (English or Chinese headers)."""

    candidates: tuple[Row, ...] = ()
    posts: tuple[Row, ...] = ()
    exceptions: tuple[Row, ...] = ()


class Pins(_Spec):
    must: dict[str, Id] = {}
    """Cadre id -> the post they must go to."""
    never: dict[str, Ids] = {}
    """Cadre id -> posts they must not go to."""


class VariantSpec(_Spec):
    description: Text = ""
    rules: RulesOverride = RulesOverride()
    posts: dict[str, PostOverride] = {}
    departments: dict[str, DepartmentOverride] = {}
    teams: dict[str, TeamOverride] = {}
    groups: dict[str, GroupOverride] = {}
    remove: Removals = Removals()
    add: Additions = Additions()
    pins: Pins = Pins()


class ScenarioFile(_Spec):
    base: Id
    description: Text = ""
    variants: dict[str, VariantSpec]


# ----------------------------------------------------------------------------------------
# Loading


@dataclass(frozen=True)
class Variant:
    """One instance to solve: the base or a variant, validated like a planner's files."""

    name: str
    description: str
    instance: Instance


@dataclass(frozen=True)
class ScenarioSet:
    """The base (first, named :data:`BASE`) and every variant, in the file's order."""

    file: Path
    description: str
    base_path: Path
    base_warnings: tuple[str, ...]
    """Soft problems of the base instance as the planner wrote it."""
    variants: tuple[Variant, ...]


_MESSAGES = {
    "missing": "is required",
    "dict_type": "expected a table",
    "model_type": "expected a table",
    "tuple_type": "expected a list",
    "list_type": "expected a list",
    "string_type": "expected text",
}


def _key_path(location: list[Any]) -> str:
    path = ""
    for part in location:
        if isinstance(part, int):
            path += f"[{part}]"
        else:
            text = str(part)
            if not re.fullmatch(r"[\w-]+", text):
                text = json.dumps(text, ensure_ascii=False)
            path += f".{text}" if path else text
    return path


def _schema_error(error: ValidationError, file: str) -> ScenarioError:
    """The first problem pydantic found, with the variant and the key it concerns."""
    problems = error.errors()
    first = problems[0]
    location = list(first["loc"])
    context = first.get("ctx") or {}
    if first["type"] == "unknown_key":
        location.append(context["key"])
    variant = None
    if len(location) >= 2 and location[0] == "variants":
        variant, location = str(location[1]), location[2:]
    if first["type"] in ("override", "unknown_key"):
        message = first["msg"]
    else:
        message = _MESSAGES.get(first["type"], first["msg"])
        if first["type"] != "missing":
            message += f", got {_shown(first.get('input'))}"
    return ScenarioError(file, variant, _key_path(location), message, len(problems) - 1)


def load_scenarios(path: Path) -> ScenarioSet:
    """Read, validate and apply a scenario file: the base and every variant instance.

    Raises
    ------
    ScenarioError
        The first problem in the scenario file (one line).
    InputError
        The base instance itself cannot be read (every problem, as ``matcher solve``).
    """
    file = path.name
    try:
        data = tomllib.loads(path.read_bytes().decode("utf-8-sig"))
    except OSError as error:
        raise ScenarioError(str(path), None, None, f"cannot be read ({error.strerror})") from None
    except UnicodeDecodeError:
        raise ScenarioError(file, None, None, "is not UTF-8 text") from None
    except tomllib.TOMLDecodeError as error:
        raise ScenarioError(file, None, None, f"is not valid TOML ({error})") from None
    try:
        spec = ScenarioFile.model_validate(data)
    except ValidationError as error:
        raise _schema_error(error, file) from None
    if not spec.variants:
        raise ScenarioError(file, None, "variants", "expected at least one variant")
    for name in spec.variants:
        if name == BASE or not _VARIANT_NAME.fullmatch(name):
            reason = (
                f'"{BASE}" names the base instance'
                if name == BASE
                else "use letters, digits, - and _ (it becomes a folder name)"
            )
            raise ScenarioError(file, name, None, f"is not a usable variant name: {reason}")
    base_path = (path.parent / spec.base).resolve()
    if not base_path.exists():
        raise ScenarioError(file, None, "base", f'"{spec.base}" does not exist ({base_path})')
    original = read_instance(base_path)
    base = _revalidated(original.model_copy(update={"name": BASE}), file)
    variants = [Variant(BASE, "the base instance, unchanged", base)]
    for name, variant_spec in spec.variants.items():
        applied = apply_variant(base, name, variant_spec, file)
        variants.append(Variant(name, variant_spec.description, _revalidated(applied, file)))
    return ScenarioSet(path, spec.description, base_path, original.warnings, tuple(variants))


# ----------------------------------------------------------------------------------------
# Applying a variant to the frozen base


def apply_variant(base: Instance, name: str, spec: VariantSpec, file: str = "") -> Instance:
    """The base with ``spec``'s overrides applied (model_copy); references checked.

    Order: rules, removals, additions, post/department/team/group overrides,
    exceptions withdrawn then added, pins (so a pin or an exception may name an
    added cadre or post). Raises :class:`ScenarioError`.
    """

    def fail(key: str, message: str) -> NoReturn:
        raise ScenarioError(file, name, key, message)

    rules = _apply_rules(base.rules, spec.rules, fail)
    candidates, posts, affinities = _apply_removals(base, spec.remove, fail)
    candidates, posts = _apply_additions(base, candidates, posts, spec.add, fail)
    posts = _apply_row_overrides(posts, spec.posts, "posts", "a post of this variant", fail)
    departments = _apply_row_overrides(
        base.departments, spec.departments, "departments", "a department of the base", fail
    )
    teams = _apply_row_overrides(base.teams, spec.teams, "teams", "a team of the base", fail)
    groups = _apply_row_overrides(base.groups, spec.groups, "groups", "a group of the base", fail)
    exceptions = _apply_exceptions(base.exceptions, candidates, spec, fail)
    candidates, affinities, rules = _apply_pins(
        candidates, posts, affinities, rules, spec.pins, fail
    )
    return base.model_copy(
        update={
            "name": name,
            "candidates": candidates,
            "posts": posts,
            "departments": departments,
            "teams": teams,
            "groups": groups,
            "exceptions": exceptions,
            "affinities": affinities,
            "rules": rules,
            "warnings": (),
        }
    )


_Fail = Callable[[str, str], NoReturn]


def _apply_rules(rules: Rules, spec: RulesOverride, fail: _Fail) -> Rules:
    update = {
        key: value for key, value in spec.given().items() if key not in ("age_caps", "weights")
    }
    caps = {Rank(rank): cap for rank, cap in spec.age_caps.given().items()}
    if caps:
        update["age_caps"] = {**rules.age_caps, **caps}
    weights = spec.weights.given()
    if weights:
        update["weights"] = rules.weights.model_copy(update=weights)
    return _checked(rules.model_copy(update=update), "rules", fail)


def _checked(model: Any, key: str, fail: _Fail) -> Any:
    """``model`` re-validated by its own class (model_copy does not validate)."""
    try:
        return type(model).model_validate(model.model_dump())
    except ValidationError as error:
        first = error.errors()[0]
        fail(key, first["msg"].removeprefix("Value error, "))


def _apply_removals(
    base: Instance, spec: Removals, fail: _Fail
) -> tuple[tuple[Candidate, ...], tuple[Post, ...], tuple[Affinity, ...]]:
    cand_ids = {c.id for c in base.candidates}
    post_ids = {p.id for p in base.posts}
    for key, ids, known, what in (
        ("remove.candidates", spec.candidates, cand_ids, "cadre"),
        ("remove.posts", spec.posts, post_ids, "post"),
    ):
        for item in ids:
            if item not in known:
                fail(key, f'"{item}" is not a {what} of the base instance')
    gone_cands, gone_posts = set(spec.candidates), set(spec.posts)
    return (
        tuple(c for c in base.candidates if c.id not in gone_cands),
        tuple(p for p in base.posts if p.id not in gone_posts),
        tuple(
            a
            for a in base.affinities
            if a.candidate_id not in gone_cands and a.post_id not in gone_posts
        ),
    )


def _apply_additions(
    base: Instance,
    candidates: tuple[Candidate, ...],
    posts: tuple[Post, ...],
    spec: Additions,
    fail: _Fail,
) -> tuple[tuple[Candidate, ...], tuple[Post, ...]]:
    added_cands = _read_added(spec.candidates, "candidates", fail)
    added_posts = _read_added(spec.posts, "posts", fail)
    department_ids = {d.id for d in base.departments}
    team_ids = {t.id for t in base.teams}
    for key, added, existing in (
        ("add.candidates", added_cands, candidates),
        ("add.posts", added_posts, posts),
    ):
        taken = {row.id for row in existing}
        for index, row in enumerate(added):
            if row.id in taken:
                fail(f"{key}[{index}].id", f'"{row.id}" is already an id of the instance')
    for index, cand in enumerate(added_cands):
        assert isinstance(cand, Candidate)
        if department_ids and cand.department not in department_ids:
            fail(
                f"add.candidates[{index}].department",
                f'"{cand.department}" is not a department of the base instance',
            )
    for index, post in enumerate(added_posts):
        assert isinstance(post, Post)
        if post.team and post.team not in team_ids:
            fail(f"add.posts[{index}].team", f'"{post.team}" is not a team of the base instance')
    return candidates + tuple(added_cands), posts + tuple(added_posts)


def _apply_exceptions(
    exceptions: tuple[RuleException, ...],
    candidates: tuple[Candidate, ...],
    spec: VariantSpec,
    fail: _Fail,
) -> tuple[RuleException, ...]:
    """The base's exceptions less those withdrawn (and those of removed cadres), plus added."""
    held = {(e.candidate_id, e.rule) for e in exceptions}
    for cand_id, rules in spec.remove.exceptions.items():
        for rule in rules:
            if (cand_id, rule) not in held:
                fail(f"remove.exceptions.{_key_path([cand_id])}",
                     f'"{cand_id}" has no {rule.value} exception in the base')  # fmt: skip
    withdrawn = {(c, rule) for c, rules in spec.remove.exceptions.items() for rule in rules}
    cand_ids = {c.id for c in candidates}
    kept = tuple(
        e
        for e in exceptions
        if (e.candidate_id, e.rule) not in withdrawn and e.candidate_id in cand_ids
    )
    added = _read_added(spec.add.exceptions, "exceptions", fail)
    taken = {(e.candidate_id, e.rule) for e in kept}
    for index, row in enumerate(added):
        assert isinstance(row, RuleException)
        key = f"add.exceptions[{index}]"
        if row.candidate_id not in cand_ids:
            fail(f"{key}.candidate_id", f'"{row.candidate_id}" is not a cadre of this variant')
        if (row.candidate_id, row.rule) in taken:
            fail(key, f'"{row.candidate_id}" already has a {row.rule.value} exception')
        taken.add((row.candidate_id, row.rule))
    return kept + tuple(added)


def _read_added(rows: tuple[dict[str, str], ...], table: str, fail: _Fail) -> list[Any]:
    """Added rows parsed by the reader's own cell parsers, so they obey the same rules."""
    if not rows:
        return []
    lookup = column_lookup(table)
    for index, row in enumerate(rows):
        for column in row:
            if header_key(column) not in lookup:
                known = ", ".join(dict.fromkeys(lookup.values()))
                fail(f"add.{table}[{index}].{column}", f"unknown column; use one of {known}")
    models, errors, _ = read_rows(table, list(rows), f"add.{table}")
    if errors:
        issue = errors[0]
        where = f"[{issue.row - 2}]" if issue.row is not None else ""
        column = f".{issue.column}" if issue.column else ""
        fail(f"add.{table}{where}{column}", issue.message)
    return [model for _, model in models]


def _apply_row_overrides(
    rows: tuple[Any, ...], overrides: Mapping[str, _Spec], table: str, what: str, fail: _Fail
) -> tuple[Any, ...]:
    by_id = {row.id: row for row in rows}
    for row_id in overrides:
        if row_id not in by_id:
            fail(f"{table}.{_key_path([row_id])}", f'unknown id "{row_id}": not {what}')
    return tuple(
        _checked(
            row.model_copy(update=overrides[row.id].given()), f"{table}.{_key_path([row.id])}", fail
        )
        if row.id in overrides
        else row
        for row in rows
    )


def _apply_pins(
    candidates: tuple[Candidate, ...],
    posts: tuple[Post, ...],
    affinities: tuple[Affinity, ...],
    rules: Rules,
    pins: Pins,
    fail: _Fail,
) -> tuple[tuple[Candidate, ...], tuple[Affinity, ...], Rules]:
    """Pins as format v1 rules: forbid rows, and must-place for a must pin (module doc)."""
    cand_ids = {c.id for c in candidates}
    post_ids = [p.id for p in posts]
    forbidden: dict[tuple[str, str], None] = {}
    for cand_id, post_id in pins.must.items():
        key = f"pins.must.{_key_path([cand_id])}"
        if cand_id not in cand_ids:
            fail(key, f'"{cand_id}" is not a cadre of this variant')
        if post_id not in post_ids:
            fail(key, f'"{post_id}" is not a post of this variant')
        forbidden.update({(cand_id, other): None for other in post_ids if other != post_id})
    for cand_id, never in pins.never.items():
        key = f"pins.never.{_key_path([cand_id])}"
        if cand_id not in cand_ids:
            fail(key, f'"{cand_id}" is not a cadre of this variant')
        for post_id in never:
            if post_id not in post_ids:
                fail(key, f'"{post_id}" is not a post of this variant')
            if pins.must.get(cand_id) == post_id:
                fail(key, f'"{post_id}" is also this cadre\'s pins.must post')
            forbidden[(cand_id, post_id)] = None
    if not forbidden:
        return candidates, affinities, rules

    kept = []
    for affinity in affinities:
        pair = (affinity.candidate_id, affinity.post_id)
        if pair in forbidden:
            affinity = affinity.model_copy(update={"forbid": True})
            del forbidden[pair]
        kept.append(affinity)
    kept += [Affinity(candidate_id=c, post_id=p, forbid=True) for c, p in forbidden]

    if pins.must:
        threshold = rules.must_place_years
        if not 1 <= threshold <= MAX_YEARS_IN_POST:  # off: only the pinned become must-place
            others = [c.years_in_post for c in candidates if c.id not in pins.must]
            threshold = max(others, default=0) + 1
            if threshold > MAX_YEARS_IN_POST:
                fail("pins.must", "cannot be expressed: other cadres have the maximum tenure")
            rules = rules.model_copy(update={"must_place_years": threshold})
        candidates = tuple(
            c.model_copy(update={"years_in_post": max(c.years_in_post, threshold)})
            if c.id in pins.must
            else c
            for c in candidates
        )
    return candidates, tuple(kept), rules


# ----------------------------------------------------------------------------------------
# Writing an instance in format v1 (and reading it back to validate it)


def _cell_text(value: object) -> object:
    """A cell as written: text, or a number kept a number (a bonus of -5 is not text)."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, Enum):
        return str(value.value)
    if isinstance(value, tuple):
        return ";".join(str(_cell_text(item)) for item in value)
    if isinstance(value, int):
        return value
    return str(value)  # Fraction: "1/3" or "2", read back exactly


def instance_tables(instance: Instance) -> dict[str, pd.DataFrame]:
    """The instance as format v1 tables of text cells (empty tables left out)."""
    tables: dict[str, pd.DataFrame] = {}
    for name, model, rows in (
        ("candidates", Candidate, instance.candidates),
        ("posts", Post, instance.posts),
        ("teams", Team, instance.teams),
        ("departments", Department, instance.departments),
        ("affinities", Affinity, instance.affinities),
        ("groups", Group, instance.groups),  # format v1.1: written only when present
        ("exceptions", RuleException, instance.exceptions),
    ):
        if rows or name in ("candidates", "posts"):
            columns = list(model.model_fields)
            tables[name] = pd.DataFrame(
                [[_cell_text(getattr(row, column)) for column in columns] for row in rows],
                columns=columns,
            )
    return tables


def _toml_value(value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, Fraction):
        return str(value.numerator) if value.denominator == 1 else f'"{value}"'
    if isinstance(value, Enum):
        return f'"{value.value}"'
    return str(value)


def rules_toml(rules: Rules) -> str:
    """``rules.toml`` holding every rule in force (read back exactly)."""
    lines = ["# Rules in force for this variant (written by matcher scenarios)"]
    lines += [
        f"{name} = {_toml_value(getattr(rules, name))}"
        for name in Rules.model_fields
        if name not in ("age_caps", "weights")
    ]
    lines += ["", "[age_caps]"]
    lines += [f"{rank.value} = {cap}" for rank, cap in rules.age_caps.items()]
    lines += ["", "[weights]"]
    lines += [f"{name} = {_toml_value(value)}" for name, value in rules.weights]
    return "\n".join(lines) + "\n"


def write_variant_instance(instance: Instance, folder: Path) -> None:
    """Write ``instance`` in format v1 into ``folder``: it can be re-solved or checked by hand."""
    write_instance(instance_tables(instance), folder, rules_toml(instance.rules))


def _revalidated(instance: Instance, file: str) -> Instance:
    """Write the variant and read it back: validated exactly like a planner's own files."""
    with tempfile.TemporaryDirectory(prefix="matcher-variant-") as folder:
        write_variant_instance(instance, Path(folder))
        try:
            read = read_instance(folder)
        except InputError as error:
            issue = error.issues[0]
            raise ScenarioError(
                file, instance.name, None, str(issue), len(error.issues) - 1
            ) from None
    return read.model_copy(update={"name": instance.name})
