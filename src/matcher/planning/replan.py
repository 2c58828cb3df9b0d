"""``matcher replan``: a new plan after changes, keeping as much of the published plan as it can.

Mid-year a cadre drops out, a post closes or opens, a new cadre joins. The new
plan obeys every rule and is chosen strictly lexicographically:

1. coverage (Σ priority of filled seats), as high as possible;
2. then the fewest changed assignments: as many pairs of the published plan
   kept as possible;
3. then fit.

The middle tier is folded into the same integer weights as the other two
(``matcher.model.objective``: ``M·priority + K·keep + fit``), so the solver's
LP bound, reduced-cost fixing and CP-SAT run unchanged and still prove the
optimum. Who moves, and why, is derived from the new plan with exact what-if
checks (``matcher.analysis.planview``): the rule that would break if a cadre went back,
the seat a newcomer fills and who left it.
"""

from __future__ import annotations

import re
import time
import tomllib
from collections.abc import Sequence
from dataclasses import dataclass, replace
from functools import cached_property
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from pydantic import BaseModel, ConfigDict, StrictStr, ValidationError

from matcher.analysis.planview import PlanView, cadre_keys, post_keys
from matcher.instance import Candidate, Instance, Post
from matcher.io.atomic import write_atomically
from matcher.io.labels import CHANGES_HEADERS_ZH as HEADERS_ZH
from matcher.io.reader import InputIssue, read_rows
from matcher.model import groups as groups_model
from matcher.model import objective as objective_module
from matcher.model.space import Row, ones
from matcher.planning.scenarios import write_variant_instance
from matcher.prepare.eligibility import describe, exclusion_mask
from matcher.prepare.encoding import IntArray
from matcher.solve import implicit, pipeline
from matcher.solve.events import Listener, ProgressEvent
from matcher.solve.pipeline import (
    FEASIBLE,
    INFEASIBLE,
    OPTIMAL,
    UNKNOWN,
    Prepared,
    Result,
    SolveParams,
    prepare,
    restricted,
    solve,
)
from matcher.solve.relaxation import DUAL_SCALE
from matcher.solve.result import Status

# ----------------------------------------------------------------------------------------
# The changes file


class ChangesFile(BaseModel):
    """The shape of a changes file; the entries' values are checked by the instance reader."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    drop_out: list[StrictStr] = []
    close_posts: list[StrictStr] = []
    add_posts: list[dict[str, Any]] = []
    add_candidates: list[dict[str, Any]] = []
    """Entries with the columns of ``posts.csv`` / ``candidates.csv``, checked by the reader."""


class ChangesError(ValueError):
    """The changes file is wrong; ``problems`` are one line each, naming the file and key."""

    def __init__(self, problems: list[str]) -> None:
        self.problems = problems
        super().__init__("\n".join(problems))


@dataclass(frozen=True)
class Changes:
    """What happened since the plan was published, validated."""

    drop_out: tuple[str, ...] = ()
    close_posts: tuple[str, ...] = ()
    add_posts: tuple[Post, ...] = ()
    add_candidates: tuple[Candidate, ...] = ()
    warnings: tuple[str, ...] = ()


SCALARS = (bool, int, float, str)


def _cell_text(value: object) -> str | None:
    """A TOML value as the text a CSV cell would hold (for the reader's parsers); None if nested."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, SCALARS):
        return str(value)
    if isinstance(value, list) and all(isinstance(item, SCALARS) for item in value):
        return ";".join(text for item in value if (text := _cell_text(item)))
    return None


def _key_path(location: Sequence[int | str]) -> str:
    """``("add_candidates", 0, "age")`` → ``add_candidates #1, key age`` (entries from 1)."""
    parts: list[str] = []
    for part in location:
        if isinstance(part, int):
            parts[-1] = f"{parts[-1]} #{part + 1}"
        else:
            parts.append(str(part))
    head, *rest = parts or ["(top level)"]
    return f"{head}, key {'.'.join(rest)}" if rest else f"key {head}"


def _entry_problems(
    label: str, table: str, entries: list[dict[str, Any]], issues: list[InputIssue]
) -> list[str]:
    """The reader's issues about ``table`` rows, located as entries and keys of the file."""
    problems = []
    for issue in issues:
        where = table
        if issue.row is not None:
            entry = issue.row - 1
            entry_id = entries[entry - 1].get("id") if 0 < entry <= len(entries) else None
            where += f" #{entry}" + (f" (id {entry_id})" if isinstance(entry_id, str) else "")
        if issue.column is not None:
            where += f", key {issue.column}"
        message = issue.message.replace("this required column is missing", "is missing")
        message = message.replace("is empty, but this column", "is missing or empty, but this key")
        message = re.sub(  # a repeated id: entries, not CSV rows
            r"rows (\d+) and (\d+)",
            lambda found: f"entries #{int(found[1]) - 1} and #{int(found[2]) - 1}",
            message,
        )
        message = message.replace("column", "key")
        problems.append(f"{label}, {where}: {message}")
    return problems


def read_changes(
    path: Path, instance: Instance, published: Sequence[tuple[str, str]] = ()
) -> Changes:
    """Read and validate a changes file against the instance; raise :class:`ChangesError`.

    A new cadre or post is validated by the instance reader's own rules
    (headers and aliases, cell parsers, the pydantic models), then against the
    instance: ids must be new, departments and teams known. An id to drop or
    close must be in the instance or the published plan (a plan may still name
    a cadre the instance no longer has).
    """
    label = path.name
    raw = _load_changes_file(path)
    problems = _id_problems(label, raw, instance, published)
    added, entry_problems = _added_entries(label, raw)
    problems += entry_problems
    new_posts: list[Post] = added["posts"]
    new_cands: list[Candidate] = added["candidates"]
    problems += _new_post_problems(label, instance, new_posts)
    new_problems, warnings = _new_candidate_problems(label, raw, instance, new_posts, new_cands)
    problems += new_problems
    if problems:
        raise ChangesError(problems)
    return Changes(
        drop_out=tuple(raw.drop_out),
        close_posts=tuple(raw.close_posts),
        add_posts=tuple(new_posts),
        add_candidates=tuple(new_cands),
        warnings=tuple(warnings),
    )


def _load_changes_file(path: Path) -> ChangesFile:
    """The changes file read as TOML and checked against its schema; ChangesError if not."""
    label = path.name
    try:
        data = tomllib.loads(path.read_bytes().decode("utf-8-sig"))
    except OSError as error:
        raise ChangesError([f"{path}: cannot be read ({error.strerror or error})"]) from error
    except UnicodeDecodeError as error:
        raise ChangesError([f"{label}: is not UTF-8 text"]) from error
    except tomllib.TOMLDecodeError as error:
        raise ChangesError([f"{label}: is not valid TOML ({error})"]) from error
    try:
        raw = ChangesFile.model_validate(data)
    except ValidationError as error:
        shape = []
        for item in error.errors():
            location = item["loc"]
            if item["type"] == "extra_forbidden":
                message = "is not a known key; use drop_out, close_posts, add_posts, add_candidates"
            else:
                message = f"{item['msg'].lower()} (got {item['input']!r})"
            shape.append(f"{label}, {_key_path(location)}: {message}")
        raise ChangesError(list(dict.fromkeys(shape))) from error
    return raw


def _id_problems(
    label: str, raw: ChangesFile, instance: Instance, published: Sequence[tuple[str, str]]
) -> list[str]:
    """Ids to drop or close that are in neither the instance nor the plan, or given twice."""
    problems: list[str] = []
    cand_ids = {c.id for c in instance.candidates}
    post_ids = {p.id for p in instance.posts}
    planned_cands = {c for c, _ in published}
    planned_posts = {p for _, p in published}
    for key, ids, known, planned, what in (
        ("drop_out", raw.drop_out, cand_ids, planned_cands, "cadre"),
        ("close_posts", raw.close_posts, post_ids, planned_posts, "post"),
    ):
        for position, value in enumerate(ids, start=1):
            if value not in known and value not in planned:
                problems.append(
                    f'{label}, key {key} #{position}: "{value}" is not a {what} of the instance'
                    " or the published plan"
                )
            elif value in ids[: position - 1]:
                problems.append(f'{label}, key {key} #{position}: "{value}" is given twice')
    return problems


def _added_entries(label: str, raw: ChangesFile) -> tuple[dict[str, list[Any]], list[str]]:
    """The new posts and cadres read by the instance reader's rules, and the problems found."""
    problems: list[str] = []
    added: dict[str, list[Any]] = {}
    for table, entries in (("posts", raw.add_posts), ("candidates", raw.add_candidates)):
        key = f"add_{table}"
        rows: list[dict[str, str]] = []
        for position, entry in enumerate(entries, start=1):
            row = {}
            for name, value in entry.items():
                text = _cell_text(value)
                if text is None:
                    problems.append(
                        f"{label}, {key} #{position}, key {name}: must be text, a number,"
                        " true/false or a list of them"
                    )
                else:
                    row[name] = text
            if not any(text.strip() for text in row.values()):
                problems.append(f"{label}, {key} #{position}: the entry is empty")
            rows.append(row)
        models, errors, notes = read_rows(table, rows, label) if rows else ([], [], [])
        problems += _entry_problems(label, key, entries, errors)
        # an unknown key in a changes file is a typo, not a column to ignore
        problems += _entry_problems(label, key, entries, notes)
        added[table] = [model for _, model in models]
    return added, problems


def _new_post_problems(label: str, instance: Instance, new_posts: list[Post]) -> list[str]:
    """A new post whose id is taken or whose team is not in the instance."""
    problems: list[str] = []
    post_ids = {p.id for p in instance.posts}
    for position, post in enumerate(new_posts, start=1):
        where = f"{label}, add_posts #{position} (id {post.id})"
        if post.id in post_ids:
            problems.append(f'{where}, key id: "{post.id}" is already a post of the instance')
        if post.team and instance.teams and post.team not in {t.id for t in instance.teams}:
            problems.append(f'{where}, key team: "{post.team}" is not a team of the instance')
    return problems


def _new_candidate_problems(
    label: str,
    raw: ChangesFile,
    instance: Instance,
    new_posts: list[Post],
    new_cands: list[Candidate],
) -> tuple[list[str], list[str]]:
    """(problems, warnings) of the new cadres: ids, departments, teams, preferences."""
    problems: list[str] = []
    warnings: list[str] = []
    cand_ids = {c.id for c in instance.candidates}
    post_ids = {p.id for p in instance.posts}
    all_post_ids = (post_ids - set(raw.close_posts)) | {p.id for p in new_posts}
    departments = {d.id for d in instance.departments}
    teams = {t.id: t for t in instance.teams}
    for position, cand in enumerate(new_cands, start=1):
        where = f"{label}, add_candidates #{position} (id {cand.id})"
        if cand.id in cand_ids:
            problems.append(f'{where}, key id: "{cand.id}" is already a cadre of the instance')
        if departments and cand.department not in departments:
            problems.append(
                f'{where}, key department: "{cand.department}" is not a department of the instance'
            )
        if cand.current_team and cand.current_team not in teams:
            warnings.append(
                f'{where}, key current_team: team "{cand.current_team}" is not in the instance;'
                " it is not tracked by the local-ratio rule"
            )
        unknown = [post_id for post_id in cand.preferences if post_id not in all_post_ids]
        if unknown:
            warnings.append(
                f"{where}, key preferences: {', '.join(unknown)} not among the posts;"
                " they keep their place in the list"
            )
    members: dict[str, int] = {}
    for cand in (*instance.candidates, *new_cands):
        if cand.current_team in teams and cand.id not in raw.drop_out:
            members[cand.current_team] = members.get(cand.current_team, 0) + 1
    for position, cand in enumerate(new_cands, start=1):
        team = teams.get(cand.current_team or "")
        if team is not None and members[team.id] > team.incumbents:
            problems.append(
                f"{label}, add_candidates #{position} (id {cand.id}), key current_team:"
                f' team "{team.id}" has {team.incumbents} members, but {members[team.id]} cadres'
                " would name it as their current team"
            )
    return problems, warnings


def apply_changes(instance: Instance, changes: Changes) -> Instance:
    """The instance after the changes: a copy, the original untouched.

    Other cadres' preferences for a closed post keep their place (domain.md),
    so their fit for every other post is unchanged.
    """
    dropped, closed = set(changes.drop_out), set(changes.close_posts)
    candidates = tuple(c for c in instance.candidates if c.id not in dropped)
    posts = tuple(p for p in instance.posts if p.id not in closed)
    candidates += changes.add_candidates
    posts += changes.add_posts
    cand_ids, post_ids = {c.id for c in candidates}, {p.id for p in posts}
    affinities = tuple(
        a for a in instance.affinities if a.candidate_id in cand_ids and a.post_id in post_ids
    )
    # a documented exception goes with its cadre (format v1.1); groups stay, even emptied
    exceptions = tuple(e for e in instance.exceptions if e.candidate_id in cand_ids)
    return instance.model_copy(
        update={
            "candidates": candidates,
            "posts": posts,
            "affinities": affinities,
            "exceptions": exceptions,
            "warnings": instance.warnings + changes.warnings,
        }
    )


def write_changed_instance(instance: Instance, folder: Path) -> None:
    """The changed instance in format v1, so ``check`` and ``explain`` can read the new plan.

    Written to a staging folder beside ``folder`` and swapped in whole: an
    interrupted run leaves the previous folder (or none), never half of one.
    """
    write_atomically(folder, lambda staging: write_variant_instance(instance, staging), folder=True)


# ----------------------------------------------------------------------------------------
# The re-plan


@dataclass(frozen=True)
class Replan:
    """A re-plan: the changed instance, its model (with the keep tier) and the solver's result."""

    original: Instance
    instance: Instance
    changes: Changes
    published: tuple[tuple[str, str], ...]
    prepared: Prepared
    result: Result

    @property
    def plan(self) -> list[tuple[str, str]]:
        """The new plan as (cadre id, post id) pairs."""
        return [
            (self.instance.candidates[c].id, self.instance.posts[p].id)
            for c, p in self.result.assignments
        ]


def keep_mask(prepared: Prepared, published: Sequence[tuple[str, str]]) -> IntArray:
    """1 for each eligible pair of the changed instance that the published plan holds.

    A published pair whose cadre or post is gone, or that is no longer eligible,
    simply cannot be kept.
    """
    instance = prepared.enc.instance
    space = prepared.space
    cand_index = {c.id: i for i, c in enumerate(instance.candidates)}
    post_index = {p.id: i for i, p in enumerate(instance.posts)}
    keep = np.zeros(space.num_pairs, dtype=np.int64)
    for cand_id, post_id in published:
        cand, post = cand_index.get(cand_id), post_index.get(post_id)
        if cand is None or post is None:
            continue
        pairs = space.cand2pairs[cand]
        keep[pairs[space.post_idcs[pairs] == post]] = 1
    return keep


def replan(
    original: Instance,
    published: Sequence[tuple[str, str]],
    changes: Changes,
    params: SolveParams | None = None,
    *,
    progress: Listener | None = None,
    warm_start: bool = True,
) -> Replan:
    """Re-plan ``original`` after ``changes``: coverage, then most kept, then fit.

    With ``warm_start`` the search starts from what is left of the published plan
    (and takes it as a first plan if it still breaks no rule): the same result,
    proven the same way, sooner when little changed.
    """
    instance = apply_changes(original, changes)
    if lists_too_many(instance):
        return _restricted_replan(original, instance, published, changes, params,
                                  progress=progress, warm_start=warm_start)  # fmt: skip
    # the keep tier's weights are built over listed pairs (no implicit pricing of keeps)
    prepared = prepare(instance, implicit_pairs=False)
    keep = keep_mask(prepared, published)
    objective = objective_module.build(prepared.space, prepared.fit, keep)
    prepared = replace(prepared, objective=objective)
    hint = keep if warm_start else None
    result = solve(instance, params, prepared, progress=progress, hint=hint)
    return Replan(original, instance, changes, tuple(published), prepared, result)


REPLAN_LP_SHARE = 0.4
"""Share of a national re-plan's time for the LP over all pairs: its columns join the
re-plan's pairs and its bound caps coverage over all pairs (the only bound claimed)."""


RESTRICTED_PAIRS = 90_000
"""At most this many pairs in a national re-plan's model (beyond the published pairs, the
LP's support and the changed cadres' and posts' own): below ``MIP_PLAN_ABOVE_PAIRS`` the
solve searches with CP-SAT, which stops at its limit. Over 190,000 pairs the HiGHS phases
overran theirs by 25-50 s (national seed 1, drop one: 167 s for a 120 s limit)."""


def _best_by_weight(universe: implicit.Universe, keys: IntArray, count: int) -> IntArray:
    """The ``count`` pairs of ``keys`` of highest weight (``M·priority + fit``), sorted."""
    if count <= 0 or keys.size == 0:
        return np.zeros(0, np.int64)
    if keys.size <= count:
        return keys
    weights = universe.pair_weights(*implicit.split_keys(universe, keys))
    return np.sort(keys[np.argsort(-weights, kind="stable")[:count]])


def lists_too_many(instance: Instance) -> bool:
    """Whether a re-plan of ``instance`` must not list every pair (as ``prepare`` decides:
    above ``IMPLICIT_ABOVE_CELLS`` cells; rule 7's groups are solved over listed pairs)."""
    cells = instance.num_candidates * instance.num_posts
    return cells > pipeline.IMPLICIT_ABOVE_CELLS and not instance.groups


def _published_keys(universe: implicit.Universe, published: Sequence[tuple[str, str]]) -> IntArray:
    """Keys of the published pairs still eligible in ``universe``'s instance."""
    instance = universe.enc.instance
    cand_index = {c.id: i for i, c in enumerate(instance.candidates)}
    post_index = {p.id: i for i, p in enumerate(instance.posts)}
    found = [(cand_index.get(c), post_index.get(p)) for c, p in published]
    pairs = [(c, p) for c, p in found if c is not None and p is not None]
    cands = np.array([c for c, _ in pairs], dtype=np.int64)
    posts = np.array([p for _, p in pairs], dtype=np.int64)
    eligible = exclusion_mask(universe.enc, cands, posts) == 0 if pairs else np.zeros(0, bool)
    return np.unique(implicit.pair_keys(universe, cands[eligible], posts[eligible]))


def _affected_keys(universe: implicit.Universe, published: Sequence[tuple[str, str]],
                   changes: Changes) -> IntArray:  # fmt: skip
    """Every eligible pair of the cadres whose published post closed, of the added cadres
    and of the added posts: the pairs their explanations and moves need in full."""
    instance = universe.enc.instance
    cand_index = {c.id: i for i, c in enumerate(instance.candidates)}
    post_index = {p.id: i for i, p in enumerate(instance.posts)}
    closed = set(changes.close_posts)
    cands = {cand_index[c] for c, p in published if p in closed and c in cand_index}
    cands |= {cand_index[c.id] for c in changes.add_candidates}
    parts = [cadre_keys(universe, cand) for cand in sorted(cands)]
    parts += [post_keys(universe, post_index[p.id]) for p in changes.add_posts]
    return np.unique(np.concatenate(parts)) if parts else np.zeros(0, np.int64)


def coverage_cap(universe: implicit.Universe, lp: implicit.ImplicitLP | None) -> int:
    """No plan over all pairs covers more: from the LP's bound (``M·coverage + fit`` summed
    over all pairs) if it has one, else every seat an eligible cadre could take filled."""
    seats = np.minimum(universe.enc.post_seats, universe.degrees.per_post)
    cap = int(np.dot(universe.enc.post_priority, seats))
    if lp is not None and lp.status == "optimal":
        fit_floor = int(np.minimum(universe.cand_fit_range[1], 0).sum())
        cap = min(cap, (lp.bound // DUAL_SCALE - fit_floor) // universe.coverage_weight)
    return cap


def _honest(result: Result, model: Prepared, cap: int) -> Result:
    """The restricted model's result with the bounds it can prove over ALL pairs.

    Its own bound holds for plans of the listed pairs only. Over all pairs no plan
    covers more than ``cap``, keeps more than every published pair still eligible, or
    fits better than each cadre's best post: ``M·cap + K·max_kept + Σ best``.
    """
    if result.status == INFEASIBLE:  # only these pairs were shown infeasible, not the problem
        return replace(result, status=UNKNOWN, conflicts=())
    if not result.has_plan:
        return result
    objective = model.objective
    assert model.universe is not None
    fit_best = int(np.maximum(model.universe.cand_fit_range[0], 0).sum())
    bound = (cap * objective.coverage_weight + objective.max_kept * objective.keep_weight
             + fit_best)  # fmt: skip
    scaled_fit = int(round(result.fit * model.fit.scale))
    value = objective.value(result.coverage, result.kept, scaled_fit)
    bound = max(bound, value)
    coverage_bound, kept_bound, fit_bound = objective.tier_bounds(bound, result.coverage,
                                                                  result.kept)  # fmt: skip
    optimal = bound == value
    return replace(result, status=OPTIMAL if optimal else FEASIBLE,
                   coverage_bound=coverage_bound, kept_bound=kept_bound,
                   fit_bound=model.fit.value(fit_bound),
                   proof=result.proof if optimal else "")  # fmt: skip


def _restricted_replan(
    original: Instance,
    instance: Instance,
    published: Sequence[tuple[str, str]],
    changes: Changes,
    params: SolveParams | None,
    *,
    progress: Listener | None,
    warm_start: bool,
) -> Replan:
    """A re-plan that never lists every pair (above ``IMPLICIT_ABOVE_CELLS`` cells).

    The model holds the published pairs still eligible, every pair of the cadres and
    posts the changes touch, the support of the LP over all pairs, and its other columns
    (which start from each post's and cadre's best pairs by weight) of highest weight, up
    to ``RESTRICTED_PAIRS``; with the keep tier it is solved as a listed model. A plan of
    a restricted model is a plan of the full problem; its bound is not, so the result
    carries only what holds over all pairs (``_honest``), and "infeasible" over these
    pairs becomes "unknown".
    """
    params = params or SolveParams()
    start = time.perf_counter()
    universe = prepare(instance, implicit_pairs=True).universe
    assert universe is not None
    kept_keys = _published_keys(universe, published)
    lp_budget = REPLAN_LP_SHARE * (params.time_limit - (time.perf_counter() - start))
    lp = implicit.solve_lp(universe, lp_budget, kept_keys) if lp_budget > 0 else None
    columns = implicit.start_pairs(universe) if lp is None else lp.keys
    must = np.union1d(kept_keys, _affected_keys(universe, published, changes))
    if lp is not None and lp.values.size == lp.keys.size:  # the LP's support first
        must = np.union1d(must, lp.keys[lp.values > 1e-9])
    keys = np.union1d(must, _best_by_weight(universe, np.setdiff1d(columns, must),
                                            RESTRICTED_PAIRS - must.size))  # fmt: skip
    model = restricted(universe, keys)
    keep = np.isin(keys, kept_keys).astype(np.int64)
    objective = objective_module.build(model.space, model.fit, keep, universe.cand_fit_range)
    model = replace(model, objective=objective)
    left = max(params.time_limit - (time.perf_counter() - start), 0.1)
    listed = replace(model, universe=None)  # solved as the listed model of these pairs
    hint = keep if warm_start else None
    result = solve(instance, replace(params, time_limit=left), listed,
                   progress=_without_bounds(progress), hint=hint)  # fmt: skip
    result = _honest(result, model, coverage_cap(universe, lp))
    result = replace(result, runtime=time.perf_counter() - start)
    return Replan(original, instance, changes, tuple(published), model, result)


def _without_bounds(progress: Listener | None) -> Listener | None:
    """The restricted model's bounds are not the problem's: the progress line shows plans."""
    if progress is None:
        return None

    def forward(event: ProgressEvent) -> None:
        progress(replace(event, coverage_bound=None, kept_bound=None, fit_bound=None))

    return forward


# ----------------------------------------------------------------------------------------
# Who moves and why


DROPPED_OUT, POST_CLOSED, MOVED, SENT_HOME, NEWLY_PLACED = (
    "dropped_out",
    "post_closed",
    "moved",
    "sent_home",
    "newly_placed",
)
CHANGE_ZH = {
    DROPPED_OUT: "退出",
    POST_CLOSED: "岗位撤销",
    MOVED: "调整岗位",
    SENT_HOME: "不再选派",
    NEWLY_PLACED: "新安排",
}
CHANGE_ORDER = (DROPPED_OUT, POST_CLOSED, MOVED, SENT_HOME, NEWLY_PLACED)


@dataclass(frozen=True)
class Move:
    """One cadre whose assignment changed: before, after, and why."""

    candidate_id: str
    candidate_name: str
    before: str
    """Post id in the published plan ("" if not placed there)."""
    after: str
    """Post id in the new plan ("" if not placed)."""
    change: str
    """``dropped_out``, ``post_closed``, ``moved``, ``sent_home`` or ``newly_placed``."""
    reason: str


@dataclass(frozen=True)
class Counts:
    """The re-plan in figures, for the summary."""

    published: int
    kept: int
    moved: int
    sent_home: int
    newly_placed: int
    dropped_out: int
    closed: int
    """Cadres whose post closed and who could not be placed elsewhere."""
    seats: int
    filled: int

    @property
    def changed(self) -> int:
        """Published assignments not kept: what the middle tier minimises."""
        return self.published - self.kept


class _Describer:
    """Reasons for each change, from the new plan and exact what-if checks on it."""

    def __init__(self, plan: Replan, lang: str) -> None:
        self.zh = lang == "zh"
        self.lang = lang
        self.plan = plan
        instance = plan.instance
        self.view = PlanView.from_assignments(plan.prepared, list(plan.result.assignments))
        self.cand_index = {c.id: i for i, c in enumerate(instance.candidates)}
        self.post_index = {p.id: i for i, p in enumerate(instance.posts)}
        known = (*plan.original.candidates, *instance.candidates)
        self.cand_names = {c.id: c.name for c in known}
        self.post_names = {p.id: p.name for p in (*plan.original.posts, *instance.posts)}
        self.added_posts = {p.id for p in plan.changes.add_posts}
        self.added_cands = {c.id for c in plan.changes.add_candidates}
        self.before: dict[str, str] = {}
        for cand_id, post_id in plan.published:
            self.before.setdefault(cand_id, post_id)
        self.after = dict(plan.plan)
        self._conditions_by_model: dict[int, list[groups_model.Condition]] = {}
        published_holders: dict[str, list[str]] = {}
        new_holders: dict[str, list[str]] = {}
        for cand_id, post_id in self.before.items():
            published_holders.setdefault(post_id, []).append(cand_id)
        for cand_id, post_id in self.after.items():
            new_holders.setdefault(post_id, []).append(cand_id)
        # on each post, the i-th cadre who left is succeeded by the i-th who arrived
        self.successor: dict[str, str] = {}
        self.predecessor: dict[str, str] = {}
        self.arrived: dict[str, list[str]] = {}
        for post_id in set(published_holders) | set(new_holders):
            left = sorted(
                c for c in published_holders.get(post_id, []) if self.after.get(c) != post_id
            )
            came = sorted(c for c in new_holders.get(post_id, []) if self.before.get(c) != post_id)
            self.arrived[post_id] = came
            for gone, new in zip(left, came, strict=False):
                self.successor[gone] = new
                self.predecessor[new] = gone

    # -- names

    def who(self, cand_id: str) -> str:
        name = self.cand_names.get(cand_id, "")
        return f"{cand_id} {name}".strip()

    def where(self, post_id: str) -> str:
        name = self.post_names.get(post_id, "")
        return f"{post_id} {name}".strip()

    def _join(self, parts: list[str]) -> str:
        """Clauses in order, each once (a rule can explain both leaving and arriving)."""
        return ("；" if self.zh else "; ").join(dict.fromkeys(parts))

    # -- rules

    def broken(
        self, leaving: list[int], joining: list[int], view: PlanView | None = None
    ) -> list[tuple[Row, str]]:
        """Rows a what-if on the new plan (or ``view``) would break, each with the side broken.

        Rule 7's party and county minimums are no rows (they bind only a group with a
        member, ``model.groups.conditions``): each one the what-if breaks is returned as
        the row it is then, ``Σ x[its party or county pairs] ≥ at_least``."""
        view = view or self.view
        values = view.values.copy()
        values[leaving] = 0
        values[joining] = 1
        found = []
        for row in view.broken_rows(leaving, joining):
            below = row.lower is not None and row.activity(values) < row.lower
            found.append((row, "min" if below else "max"))
        return found + [(row, "min") for row in self.broken_conditions(leaving, joining, view)]

    def broken_conditions(
        self, leaving: list[int], joining: list[int], view: PlanView | None = None
    ) -> list[Row]:
        """Rule 7's conditional minimums the what-if would break, each as the row it then is."""
        view = view or self.view
        found = []
        changed = np.array([*leaving, *joining], dtype=np.int64)
        for condition in self._conditions(view):
            if not np.isin(changed, condition.members).any():
                continue
            values = view.values[condition.members].copy()
            values[np.isin(condition.members, leaving)] = 0
            values[np.isin(condition.members, joining)] = 1
            chosen = np.isin(condition.members, condition.pairs)
            if values.sum() and values[chosen].sum() < condition.at_least:
                found.append(Row(condition.pairs, ones(condition.pairs), condition.at_least,
                                 None, condition.rule))  # fmt: skip
        return found

    def _conditions(self, view: PlanView) -> list[groups_model.Condition]:
        """Rule 7's conditional minimums over ``view``'s pairs (none without groups)."""
        key = id(view.prepared)
        if key not in self._conditions_by_model:
            instance = view.prepared.enc.instance
            self._conditions_by_model[key] = (
                groups_model.conditions(view.prepared.space) if instance.groups else []
            )
        return self._conditions_by_model[key]

    def rule_name(self, row: Row, side: str) -> str:
        """The rule a what-if breaks, e.g. "team T1 (青山县)'s local ratio (at least 1/3 local)"."""
        rule = row.rule
        if self.zh:
            if rule.family == "group" and rule.text_zh:
                return rule.text_zh.split("；")[0]  # without the count of eligible cadres
            return rule.text_zh or rule.describe("zh")
        if rule.family == "local ratio":
            return f"{rule.subject}'s local ratio ({rule.detail.split(';')[0]})"
        if rule.family == "department quota":
            limit = f"at least {row.lower}" if side == "min" else f"at most {row.upper}"
            return f"{rule.subject}'s quota ({limit} sent)"
        if rule.family == "must place":
            return f"the must-place rule for {rule.subject} ({rule.detail})"
        if rule.family == "group":  # e.g. "needs 3 party members once it has any member"
            return f"{rule.subject}'s rule 7 limit ({rule.detail.split(';')[0]})"
        return rule.describe("en")

    def to_keep(self, row: Row, side: str) -> str:
        """ "to keep <rule>": the purpose a change serves."""
        return (
            f"以满足{self.rule_name(row, side)}"
            if self.zh
            else f"to keep {self.rule_name(row, side)}"
        )

    def cause_of_leaving(self, cand_id: str) -> str:
        """Short: what became of a cadre who left a seat."""
        if cand_id not in self.cand_index:
            return "退出" if self.zh else "dropped out"
        after = self.after.get(cand_id)
        if after is None:
            return "不再选派" if self.zh else "sent home"
        return f"调往{self.where(after)}" if self.zh else f"moved to {self.where(after)}"

    # -- clauses

    def fills(self, cand_id: str, post_id: str) -> list[str]:
        """Which seat on ``post_id`` the cadre fills, and whom it was left by."""
        post = self.where(post_id)
        previous = self.predecessor.get(cand_id)
        if post_id in self.added_posts:
            text = f"填补新增岗位{post}" if self.zh else f"to fill added post {post}"
        elif previous is not None:
            cause = self.cause_of_leaving(previous)
            text = (
                f"填补{self.who(previous)}（{cause}）空出的{post}职位"
                if self.zh
                else f"to fill the seat on {post} vacated by {self.who(previous)} ({cause})"
            )
        else:
            text = (
                f"填补{post}原方案中的空缺"
                if self.zh
                else f"to fill a seat on {post} left empty in the published plan"
            )
            return [text, *self.no_room_before(cand_id, post_id), *self.needed(cand_id)]
        return [text, *self.needed(cand_id)]

    def needed(self, cand_id: str) -> list[str]:
        """Rules that need the cadre where the new plan puts them."""
        pair = int(self.view.placed_at[self.cand_index[cand_id]])
        return [
            self.to_keep(row, side)
            for row, side in self.broken([pair], [])
            if row.rule.family in ("local ratio", "department quota", "group")
        ]

    @cached_property
    def published_view(self) -> PlanView:
        """The published plan on the original instance, for "why not before?" what-ifs."""
        original = self.plan.original
        if self.plan.prepared.universe is None:
            prepared = prepare(original, implicit_pairs=False)
        else:  # never every pair: the published ones and the new plan's, where eligible
            universe = prepare(original, implicit_pairs=True).universe
            assert universe is not None
            keys = _published_keys(universe, [*self.plan.published, *self.plan.plan])
            prepared = restricted(universe, keys)
        return PlanView(prepared, np.flatnonzero(keep_mask(prepared, self.plan.published)))

    @cached_property
    def original_cand_index(self) -> dict[str, int]:
        return {c.id: i for i, c in enumerate(self.plan.original.candidates)}

    @cached_property
    def original_post_index(self) -> dict[str, int]:
        return {p.id: i for i, p in enumerate(self.plan.original.posts)}

    def no_room_before(self, cand_id: str, post_id: str) -> list[str]:
        """The rules that kept the cadre off the post in the published plan, and who lifted them."""
        view = self.published_view
        instance = view.prepared.enc.instance
        cand = self.original_cand_index.get(cand_id)
        post = self.original_post_index.get(post_id)
        pair = None if cand is None or post is None else view.pair(cand, post)
        if pair is None or cand is None:
            return []  # a new cadre or post: nothing to explain about the published plan
        now = int(view.placed_at[cand])
        space = view.prepared.space
        clauses = []
        for row, side in self.broken([now] if now >= 0 else [], [pair], view):
            if row.rule.family == "seats":
                continue
            changed = [
                cadre
                for k in np.intersect1d(row.pairs, view.plan_pairs).tolist()
                if (cadre := instance.candidates[int(space.cand_idcs[k])].id) != cand_id
                and self.after.get(cadre) != self.before.get(cadre)
            ]
            lifted = ("、" if self.zh else ", ").join(
                f"{self.who(c)}（{self.cause_of_leaving(c)}）"
                if self.zh
                else f"{self.who(c)} ({self.cause_of_leaving(c)})"
                for c in changed
            )
            clauses.append(
                f"原方案中受{self.rule_name(row, side)}所限"
                + (f"，现因{lifted}而解除" if lifted else "")
                if self.zh
                else f"{self.rule_name(row, side)} kept them out of the published plan"
                + (f"; lifted by {lifted}" if lifted else "")
            )
        return clauses

    def why_not_back(self, cand_id: str, post_id: str) -> list[str]:
        """Why the cadre does not hold ``post_id`` (their published post) any more."""
        cand = self.cand_index[cand_id]
        post = self.post_index[post_id]
        back = self.view.pair(cand, post)
        if back is None:
            enc = self.plan.prepared.enc
            mask = int(exclusion_mask(enc, np.array([cand]), np.array([post]))[0])
            reasons = "、".join(describe(mask, "zh")) if self.zh else ", ".join(describe(mask))
            return [
                f"已不符合{self.where(post_id)}的条件：{reasons}"
                if self.zh
                else f"no longer eligible for {self.where(post_id)}: {reasons}"
            ]
        now = int(self.view.placed_at[cand])
        leaving = [now] if now >= 0 else []
        parts = []
        for row, side in self.broken(leaving, [back]):
            if row.rule.family != "seats":
                parts.append(self.to_keep(row, side))
                continue
            takers = self.arrived.get(post_id, [])
            first = self.successor.get(cand_id)
            takers = [first, *(t for t in takers if t != first)] if first else takers
            names = ("、" if self.zh else ", ").join(map(self.who, takers))
            if not takers:
                parts.append(
                    f"{self.where(post_id)}已满" if self.zh else f"{self.where(post_id)} is full"
                )
                continue
            freed = (
                f"为{names}腾出{self.where(post_id)}的职位"
                if self.zh
                else f"to free a seat on {self.where(post_id)} for {names}"
            )
            if now < 0 and first is not None:  # sent home: why not swap back with the taker?
                taker_pair = int(self.view.placed_at[self.cand_index[first]])
                rules = [
                    self.rule_name(r, s)
                    for r, s in self.broken([taker_pair], [back])
                    if r.rule.family != "seats"
                ]
                if rules:
                    freed += (
                        f"（若仍由本人担任，将违反：{'；'.join(rules)}）"
                        if self.zh
                        else f" (keeping {self.who(cand_id)} instead would break"
                        f" {'; '.join(rules)})"
                    )
            parts.append(freed)
        if parts:
            return parts
        objective = self.plan.prepared.objective
        if now >= 0:
            here, there = int(objective.priority[back]), int(objective.priority[now])
            if there > here:
                new_post = self.where(self.after[cand_id])
                return [
                    f"调往优先级更高的岗位（{new_post}优先级{there}，原岗位{here}）"
                    if self.zh
                    else f"to fill a higher-priority seat ({new_post} priority {there},"
                    f" {self.where(post_id)} priority {here})"
                ]
        return [
            "回到原岗位不违反任何规则（方案未证明最优）"
            if self.zh
            else "going back breaks no rule (the plan is not proven optimal)"
        ]

    def not_placed_elsewhere(self, cand_id: str) -> str:
        cand = self.cand_index[cand_id]
        pairs = self.plan.prepared.space.cand2pairs[cand]
        free = [
            k
            for k in pairs.tolist()
            if not self.view.broken_rows([], [k]) and not self.broken_conditions([], [k])
        ]
        if not free:
            return (
                f"其余{pairs.size}个符合条件的岗位均无空位或安排会违反规则"
                if self.zh
                else f"none of their {pairs.size} other eligible posts has a seat they could"
                " take without breaking a rule"
            )
        return (
            f"另有{len(free)}个岗位可安排（方案未证明最优）"
            if self.zh
            else f"{len(free)} posts could still take them (the plan is not proven optimal)"
        )

    # -- one cadre

    def move(self, cand_id: str) -> Move | None:
        before, after = self.before.get(cand_id, ""), self.after.get(cand_id, "")
        if before == after:
            return None
        zh = self.zh
        if cand_id not in self.cand_index:
            dropped = cand_id in self.plan.changes.drop_out
            reason = (
                ("本人退出" if dropped else "已不在名单中")
                if zh
                else ("dropped out" if dropped else "no longer in the instance")
            )
            change = DROPPED_OUT
        elif before and before not in self.post_index:
            closed = before in self.plan.changes.close_posts
            head = (
                (f"{self.where(before)}已撤销" if closed else f"{self.where(before)}已不在岗位表中")
                if zh
                else f"post {self.where(before)} {'closed' if closed else 'no longer exists'}"
            )
            if after:
                moved = f"调往{self.where(after)}" if zh else f"moved to {self.where(after)}"
                tail = [moved, *self.fills(cand_id, after)]
            else:
                not_placed = "未另行安排：" if zh else "not placed elsewhere: "
                tail = [not_placed + self.not_placed_elsewhere(cand_id)]
            reason, change = self._join([head, *tail]), POST_CLOSED
        elif before and after:
            parts = [*self.fills(cand_id, after), *self.why_not_back(cand_id, before)]
            reason, change = self._join(parts), MOVED
        elif before:
            reason, change = self._join(self.why_not_back(cand_id, before)), SENT_HOME
        else:
            added = ["新增干部" if zh else "added cadre"] if cand_id in self.added_cands else []
            reason, change = self._join([*added, *self.fills(cand_id, after)]), NEWLY_PLACED
        name = self.cand_names.get(cand_id, "")
        return Move(cand_id, name, before, after, change, reason)


def describe_moves(plan: Replan, lang: str = "en") -> list[Move]:
    """Every cadre whose assignment changed, grouped by kind of change, with the reason."""
    describer = _Describer(plan, lang)
    cadres = list(dict.fromkeys([*describer.before, *describer.after]))
    moves = [move for cand_id in cadres if (move := describer.move(cand_id)) is not None]
    return sorted(moves, key=lambda move: (CHANGE_ORDER.index(move.change), move.candidate_id))


def count(plan: Replan, moves: Sequence[Move]) -> Counts:
    """Kept, moved, newly placed ... from the published and new plans by id (not the model)."""
    published = set(plan.published)
    kinds = [move.change for move in moves]
    return Counts(
        published=len(published),
        kept=len(published & set(plan.plan)),
        moved=kinds.count(MOVED) + sum(1 for m in moves if m.change == POST_CLOSED and m.after),
        sent_home=kinds.count(SENT_HOME),
        newly_placed=kinds.count(NEWLY_PLACED),
        dropped_out=kinds.count(DROPPED_OUT),
        closed=sum(1 for m in moves if m.change == POST_CLOSED and not m.after),
        seats=plan.instance.num_seats,
        filled=len(plan.result.assignments),
    )


def moves_table(plan: Replan, moves: Sequence[Move], lang: str = "en") -> pd.DataFrame:
    """``changes.csv``: one row per cadre whose assignment changed."""
    names = {p.id: p.name for p in (*plan.original.posts, *plan.instance.posts)}
    rows = [
        {
            "candidate_id": move.candidate_id,
            "candidate_name": move.candidate_name,
            "before_post_id": move.before,
            "before_post_name": names.get(move.before, ""),
            "after_post_id": move.after,
            "after_post_name": names.get(move.after, ""),
            "change": CHANGE_ZH[move.change] if lang == "zh" else move.change,
            "reason": move.reason,
        }
        for move in moves
    ]
    frame = pd.DataFrame(rows, columns=list(HEADERS_ZH))
    return frame.rename(columns=HEADERS_ZH) if lang == "zh" else frame


def summary_lines(plan: Replan, counts: Counts, lang: str = "en") -> list[str]:
    """The short report printed after a re-plan."""
    result = plan.result
    proven = result.status == Status.OPTIMAL
    unfilled = counts.seats - counts.filled
    fewest_changes = counts.published - result.kept_bound
    # proven fewest only once coverage is proven too: the keep tier ranks plans of equal coverage
    fewest_proven = (result.coverage, result.kept) == (result.coverage_bound, result.kept_bound)
    # as in solve's summary: fit's bound means something only once coverage is proven
    coverage_proven = result.coverage == result.coverage_bound
    fit_bound_en = (
        f"bound {result.fit_bound}" if coverage_proven else "bound once coverage is proven"
    )
    fit_bound_zh = f"上界 {result.fit_bound}" if coverage_proven else "覆盖度得证后才给出上界"
    if lang == "zh":
        fewest = "已是最少" if fewest_proven else f"至少需 {fewest_changes} 项"
        return [
            f"重新安排 {plan.instance.name}：{'已证明最优' if proven else '未证明最优'}"
            f"（覆盖度 {result.coverage}，上界 {result.coverage_bound}）",
            f"保留原安排 {counts.kept}/{counts.published} 人，调整岗位 {counts.moved} 人，"
            f"新安排 {counts.newly_placed} 人，不再选派 {counts.sent_home} 人，"
            f"退出 {counts.dropped_out} 人"
            + (f"，岗位撤销未另行安排 {counts.closed} 人" if counts.closed else "")
            + f"；空缺职数 {unfilled}/{counts.seats}",
            f"变动原安排 {counts.changed} 项（{fewest}），匹配度 {result.fit}（{fit_bound_zh}）",
        ]
    fewest = "the fewest possible" if fewest_proven else f"at least {fewest_changes} needed"
    return [
        f"replan {plan.instance.name}: {result.status}"
        f" (coverage {result.coverage}, bound {result.coverage_bound})",
        f"kept {counts.kept} of {counts.published}, moved {counts.moved}, newly placed"
        f" {counts.newly_placed}, sent home {counts.sent_home}, dropped out {counts.dropped_out}"
        + (f", post closed {counts.closed}" if counts.closed else "")
        + f"; unfilled seats {unfilled} of {counts.seats}",
        f"changed assignments {counts.changed} ({fewest}), fit {result.fit} ({fit_bound_en})",
    ]
