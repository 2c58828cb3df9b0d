"""``matcher scenarios``: solve the base and every variant, in parallel, and compare them.

Where the variants run
----------------------
Each variant is one independent solve, so a sweep is embarrassingly parallel:

* by default on a local process pool (``concurrent.futures.ProcessPoolExecutor``,
  ``--workers-pool N``, default 2; 1 solves in this process);
* with ``--address tcp://host:port`` on an existing Dask distributed scheduler,
  whose workers must have this version of matcher installed.

Dask distributed rather than Ray: it is pure pip (no native runtime or object
store to install), light to import, speaks plain TCP to a scheduler started
with ``dask scheduler`` / ``dask worker``, and its ``LocalCluster`` lets the
tests run the very same code path in-process in a second.

Whatever runs a variant, the parent process receives only values (the solver's
``Result``, the plan by ids, eligibility counts, alternates) and does
everything else itself: it re-checks every plan with the independent checker,
builds the tables and writes the files. Remote workers never touch the output
folder, and since ``solve`` is deterministic (same instance, seed and workers,
same plan), every engine writes the same ``comparison.csv``.

The output folder (read by ``matcher report``: ``comparison.csv`` marks it)::

    DIR/comparison.csv          one row per variant, the base first
    DIR/changes.csv             per variant and cadre: moved, newly placed, no longer placed
    DIR/<variant>/instance/     the variant in instance format v1
    DIR/<variant>/plan/         plan output v1, as ``matcher solve`` writes it
    DIR/<variant>/why_no_plan.txt   instead of plan/, when there is no plan

It is staged in a temporary folder next to DIR and renamed into place at the
end: an interrupted sweep leaves no partial folder (and a previous one intact).
"""

from __future__ import annotations

import multiprocessing
import time
import uuid
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import pandas as pd

from matcher.analysis.alternates import Alternate, alternates_of
from matcher.check.checker import CheckReport, check_plan, team_after_plan
from matcher.instance import Instance, PostKind
from matcher.io.atomic import write_atomically
from matcher.io.cells import write_csv
from matcher.io.labels import SCENARIO_HEADERS_ZH, SCENARIO_PREFIXES_ZH, VALUES_ZH
from matcher.model.space import CONFLICT_HEAD_EN, CONFLICT_HEAD_ZH, conflict_message
from matcher.planning.scenarios import (
    BASE,
    ScenarioSet,
    Variant,
    load_scenarios,
    write_variant_instance,
)
from matcher.publish.plan_files import eligible_counts, exact_number, plan_tables, write_plan
from matcher.publish.summary import plan_summary  # the very summary.json of `matcher solve`
from matcher.solve import footprint
from matcher.solve.pipeline import Result as SolveResult
from matcher.solve.pipeline import SolveParams, prepare, solve
from matcher.solve.result import Status

__all__ = [
    "COMPARISON_CSV",
    "CHANGES_CSV",
    "DEFAULT_POOL",
    "Job",
    "Outcome",
    "SweepError",
    "run_jobs",
    "run_scenarios",
    "solve_job",
]

COMPARISON_CSV = "comparison.csv"
CHANGES_CSV = "changes.csv"
DEFAULT_POOL = 2
"""Local solver processes: the machines this runs on have two cores."""
DASK_CONNECT_SECONDS = 10.0
BASE_DESCRIPTION_ZH = "基准方案，未作改动"


class SweepError(Exception):
    """The sweep cannot go on; ``code`` is the exit status (2 input, 1 internal)."""

    def __init__(self, message: str, code: int) -> None:
        super().__init__(message)
        self.code = code


# ----------------------------------------------------------------------------------------
# One variant: a job in, values out (picklable both ways)


@dataclass(frozen=True)
class Job:
    name: str
    instance: Instance
    params: SolveParams


@dataclass(frozen=True)
class Outcome:
    """What a worker hands back: the solve's result and what the plan tables need."""

    name: str
    result: SolveResult
    plan: tuple[tuple[str, str], ...]
    """(candidate id, post id) pairs."""
    eligible_posts: dict[str, int]
    eligible_cadres: dict[str, int]
    alternates: tuple[Alternate, ...]


def solve_job(job: Job) -> Outcome:
    """Solve one variant (runs in a pool process, on a Dask worker, or here)."""
    instance = job.instance
    began = time.perf_counter()
    prepared = prepare(instance)  # inside the limit, as in solve
    left = max(job.params.time_limit - (time.perf_counter() - began), 0.1)
    result = solve(instance, replace(job.params, time_limit=left), prepared)
    if not result.has_plan:
        return Outcome(job.name, result, (), {}, {}, ())
    plan = tuple((instance.candidates[c].id, instance.posts[p].id) for c, p in result.assignments)
    eligible_posts, eligible_cadres = eligible_counts(prepared)
    alternates = tuple(alternates_of(prepared, result.assignments))
    return Outcome(job.name, result, plan, eligible_posts, eligible_cadres, alternates)


OnDone = Callable[[Outcome], None]
"""Told of each variant as it finishes, with its result (for the progress line)."""


def finished_text(outcome: Outcome) -> str:
    """The last variant finished, as the progress line shows it: its status, best and gap."""
    result = outcome.result
    if not result.has_plan:
        return f"{outcome.name}: {result.status}"
    return (
        f"{outcome.name}: {result.status}, coverage {result.coverage}, "
        f"fit {float(result.fit):.0f}, gap {result.gap:.2%}, {result.runtime:.1f} s"
    )


def run_jobs(
    jobs: Sequence[Job],
    *,
    pool_size: int = DEFAULT_POOL,
    address: str | None = None,
    on_done: OnDone | None = None,
    connect_seconds: float = DASK_CONNECT_SECONDS,
) -> list[Outcome]:
    """Solve every job; outcomes in the order of ``jobs``, whichever engine ran them."""
    done = on_done or (lambda outcome: None)
    if address is not None:
        return _run_dask(jobs, address, done, connect_seconds)
    if pool_size <= 1 or len(jobs) <= 1:
        outcomes = []
        for job in jobs:
            outcomes.append(solve_job(job))
            done(outcomes[-1])
        return outcomes
    return _run_pool(jobs, pool_size, done)


def _run_pool(jobs: Sequence[Job], pool_size: int, done: OnDone) -> list[Outcome]:
    # spawn, not fork: the parent may run threads (the progress display) when the pool starts.
    context = multiprocessing.get_context("spawn")
    outcomes: list[Outcome | None] = [None] * len(jobs)
    with ProcessPoolExecutor(min(pool_size, len(jobs)), mp_context=context) as pool:
        futures = {pool.submit(solve_job, job): index for index, job in enumerate(jobs)}
        for future in as_completed(futures):
            index = futures[future]
            try:
                outcomes[index] = future.result()
            except Exception as error:
                raise SweepError(f'variant "{jobs[index].name}" failed: {error!r}', 1) from error
            done(outcomes[index])  # type: ignore[arg-type]
    return [outcome for outcome in outcomes if outcome is not None]


def _run_dask(jobs: Sequence[Job], address: str, done: OnDone, connect: float) -> list[Outcome]:
    from distributed import Client
    from distributed import as_completed as dask_completed

    try:
        client = Client(address, timeout=connect, set_as_default=False)
    except Exception as error:  # OSError, TimeoutError, ValueError for a bad address ...
        raise SweepError(f"Cannot reach the Dask scheduler at {address}: {error}", 2) from None
    sweep_id = uuid.uuid4().hex[:8]
    outcomes: list[Outcome | None] = [None] * len(jobs)
    with client:
        futures = [
            client.submit(solve_job, job, key=f"matcher-{sweep_id}-{index}", pure=False)
            for index, job in enumerate(jobs)
        ]
        index_of = {future.key: index for index, future in enumerate(futures)}
        for future in dask_completed(futures, loop=client.loop):
            index = index_of[future.key]
            try:
                outcomes[index] = future.result()
            except Exception as error:
                name = jobs[index].name
                raise SweepError(f'variant "{name}" failed on {address}: {error!r}', 1) from error
            done(outcomes[index])  # type: ignore[arg-type]
    return [outcome for outcome in outcomes if outcome is not None]


# ----------------------------------------------------------------------------------------
# Comparing variants


def checked_report(variant: Variant, outcome: Outcome) -> CheckReport:
    """The independent checker's verdict on a plan, which must agree with the solver's."""
    result = outcome.result
    report = check_plan(variant.instance, list(outcome.plan))
    disagreement = report.disagreement(result.coverage, result.fit)
    if not disagreement:
        return report
    lines = [f'Internal error: the plan of variant "{variant.name}" failed the independent check;']
    lines += [*disagreement, "nothing was written."]
    raise SweepError("\n".join(lines), 1)


def _changes(
    base: Variant, base_plan: dict[str, str], variant: Variant, plan: dict[str, str]
) -> Iterator[dict[str, Any]]:
    """Rows of what changed for each cadre against the base, in the base's cadre order."""
    base_cands = {c.id: c for c in base.instance.candidates}
    cands = {c.id: c for c in variant.instance.candidates}
    base_posts = {p.id: p for p in base.instance.posts}
    posts = {p.id: p for p in variant.instance.posts}
    for cand_id in dict.fromkeys([*base_cands, *cands]):
        before, after = base_plan.get(cand_id), plan.get(cand_id)
        if before == after:
            continue
        change = "moved" if before and after else "newly_placed" if after else "no_longer_placed"
        note = ""
        if cand_id not in base_cands:
            note = "added by the variant"
        elif cand_id not in cands:
            note = "removed by the variant"
        elif before and before not in posts:
            note = "post removed by the variant"
        cand = cands.get(cand_id) or base_cands[cand_id]
        yield {
            "variant": variant.name,
            "candidate_id": cand_id,
            "candidate_name": cand.name,
            "change": change,
            "base_post": before or "",
            "base_post_name": base_posts[before].name if before else "",
            "variant_post": after or "",
            "variant_post_name": posts[after].name if after else "",
            "note": note,
        }


CHANGE_COLUMNS = ["variant", "candidate_id", "candidate_name", "change", "base_post",
                  "base_post_name", "variant_post", "variant_post_name", "note"]  # fmt: skip


def _comparison_row(
    variant: Variant,
    outcome: Outcome,
    report: CheckReport | None,
    change_counts: Counter[str] | None,
    lang: str,
) -> dict[str, Any]:
    instance, result = variant.instance, outcome.result
    row: dict[str, Any] = {
        "variant": variant.name,
        "description": BASE_DESCRIPTION_ZH
        if lang == "zh" and variant.name == BASE
        else variant.description,
        "status": result.status,
        "seats": instance.num_seats,
        "cadres": instance.num_candidates,
    }
    if report is None:
        row["note"] = " | ".join(line.strip() for line in _no_plan_text(result, lang).splitlines())
        return row
    cands = {c.id: c for c in instance.candidates}
    posts = {p.id: p for p in instance.posts}
    pairs = [(cands[c], posts[p]) for c, p in outcome.plan]
    row.update(
        coverage=report.coverage,
        coverage_bound=result.coverage_bound,
        fit=exact_number(report.fit),
        fit_bound=exact_number(result.fit_bound),
        gap=round(result.gap, 9),
        proof=result.proof,
        seats_filled=len(pairs),
        cadres_placed=len({c.id for c, _ in pairs}),
    )
    if change_counts is not None:
        row.update(
            {name: change_counts[name] for name in ("moved", "newly_placed", "no_longer_placed")}
        )
    row["note"] = "" if result.status == Status.OPTIMAL else f"time limit: gap {result.gap:.2%}"
    kinds = Counter(post.kind for _, post in pairs)
    row.update({f"kind:{kind.value}": kinds[kind] for kind in PostKind})
    regions = Counter(post.region for _, post in pairs)
    row.update(
        {
            f"region:{region}": regions[region]
            for region in dict.fromkeys(p.region for p in instance.posts)
        }
    )
    sends = Counter(cand.department for cand, _ in pairs)
    if instance.departments:
        for department in instance.departments:
            row[f"send:{department.id}"] = sends[department.id]
            low, high = department.min_send, department.max_send
            row[f"quota:{department.id}"] = f"≥{low}" if high is None else f"{low}–{high}"
    else:
        row.update(
            {
                f"send:{d}": sends[d]
                for d in dict.fromkeys(c.department for c in instance.candidates)
            }
        )
    for team in instance.teams:
        members, locals_ = team_after_plan(team, pairs)
        row[f"team:{team.id}"] = f"{locals_} of {members} (min {instance.team_ratio(team)})"
    return row


def _no_plan_text(result: SolveResult, lang: str) -> str:
    if result.status == Status.INFEASIBLE:
        head = CONFLICT_HEAD_ZH if lang == "zh" else CONFLICT_HEAD_EN
        return conflict_message(head, result.conflicts, lang)
    return "未在时限内找到方案。" if lang == "zh" else "No plan found within the time limit."


def _header_zh(column: str) -> str:
    prefix, _, rest = column.partition(":")
    if rest and prefix in SCENARIO_PREFIXES_ZH:
        return f"{SCENARIO_PREFIXES_ZH[prefix]}:{VALUES_ZH.get(rest, rest)}"
    return SCENARIO_HEADERS_ZH.get(column, column)


def _frame(rows: list[dict[str, Any]], columns: list[str] | None = None) -> pd.DataFrame:
    """Rows as text-safe cells: every column's values as given, missing ones empty."""
    if columns is None:
        columns = list(dict.fromkeys(key for row in rows for key in row))
    return pd.DataFrame(rows, columns=columns, dtype=object).fillna("")


# ----------------------------------------------------------------------------------------
# The whole sweep


def _check_out(out: Path) -> None:
    """Refuse to replace a folder that is not an earlier scenarios folder (or empty)."""
    if out.exists() and (
        not out.is_dir() or (any(out.iterdir()) and not (out / COMPARISON_CSV).is_file())
    ):
        raise SweepError(
            f"{out} exists and is not a scenarios folder (no {COMPARISON_CSV});"
            " choose a new --out folder.",
            2,
        )


def write_sweep(
    out: Path,
    scenarios: ScenarioSet,
    outcomes: Sequence[Outcome],
    params: SolveParams,
    lang: str = "en",
) -> pd.DataFrame:
    """Check every plan, then write the whole folder at once; returns the comparison."""

    variants = scenarios.variants
    reports = {
        v.name: checked_report(v, o) if o.result.has_plan else None
        for v, o in zip(variants, outcomes, strict=True)
    }  # every plan is checked before anything is written
    base, base_outcome = variants[0], outcomes[0]
    base_plan = dict(base_outcome.plan) if base_outcome.result.has_plan else None
    change_rows: list[dict[str, Any]] = []
    rows = []
    for variant, outcome in zip(variants, outcomes, strict=True):
        counts = None
        if base_plan is not None and outcome.result.has_plan:
            changes = list(_changes(base, base_plan, variant, dict(outcome.plan)))
            change_rows += changes
            counts = Counter(change["change"] for change in changes)
        rows.append(_comparison_row(variant, outcome, reports[variant.name], counts, lang))
    comparison = _frame(rows)
    changes_frame = _frame(change_rows, CHANGE_COLUMNS)

    def write_folder(staging: Path) -> None:
        for variant, outcome in zip(variants, outcomes, strict=True):
            folder = staging / variant.name
            write_variant_instance(variant.instance, folder / "instance")
            report = reports[variant.name]
            if report is None:
                text = _no_plan_text(outcome.result, lang)
                (folder / "why_no_plan.txt").write_text(text + "\n", encoding="utf-8")
                continue
            tables = plan_tables(variant.instance, list(outcome.plan), report,
                                 outcome.eligible_posts, outcome.eligible_cadres,
                                 list(outcome.alternates), lang)  # fmt: skip
            summary = plan_summary(
                variant.instance, outcome.result, report, folder / "instance", params
            )
            summary["description"] = variant.description
            write_plan(folder / "plan", tables, summary)
        written = {COMPARISON_CSV: comparison, CHANGES_CSV: changes_frame}
        for name, frame in written.items():
            if lang == "zh":
                frame = frame.rename(columns=_header_zh)
            write_csv(frame, staging / name)

    # the whole folder is swapped in at once; an earlier sweep there is removed
    write_atomically(out, write_folder, folder=True)
    return comparison


def run_scenarios(
    file: Path,
    out: Path,
    params: SolveParams,
    *,
    pool_size: int = DEFAULT_POOL,
    address: str | None = None,
    lang: str = "en",
    on_start: Callable[[int], None] = lambda num_jobs: None,
    on_done: Callable[[Outcome], None] = lambda outcome: None,
    warn: Callable[[str], None] = lambda text: None,
) -> pd.DataFrame:
    """Load, solve (in parallel), check and write a scenario sweep; returns the comparison.

    ``on_start`` hears how many variants will be solved and ``on_done`` each one as it
    ends (the terminal's bar listens). Raises ``ScenarioError`` / ``InputError`` for a
    wrong scenario file or base instance (before anything is solved) and
    :class:`SweepError` otherwise.
    """
    _check_out(out)
    began = time.perf_counter()
    scenarios = load_scenarios(file)
    # each variant's limit runs from reading its input, as in solve: the base is read
    # once and the variants built from it, so every variant is charged that time
    read = time.perf_counter() - began
    at_once = 1 if address is not None else min(pool_size, len(scenarios.variants))
    largest = max((v.instance for v in scenarios.variants),
                  key=lambda i: i.num_candidates * i.num_posts)  # fmt: skip
    too_big = footprint.too_big(largest, "matcher scenarios", copies=at_once)
    if too_big is not None:
        raise SweepError(too_big, 2)
    per_variant = replace(params, time_limit=max(params.time_limit - read, 0.1))
    for warning in scenarios.base_warnings:
        warn(f"warning: {warning}")
    base_warnings = set(scenarios.variants[0].instance.warnings)
    for variant in scenarios.variants[1:]:
        for warning in variant.instance.warnings:
            if warning not in base_warnings:
                warn(f'warning: variant "{variant.name}": {warning}')
    jobs = [Job(v.name, v.instance, per_variant) for v in scenarios.variants]
    on_start(len(jobs))
    outcomes = run_jobs(jobs, pool_size=pool_size, address=address, on_done=on_done)
    comparison = write_sweep(out, scenarios, outcomes, params, lang)
    for variant, outcome in zip(scenarios.variants, outcomes, strict=True):
        if not outcome.result.has_plan:
            text = _no_plan_text(outcome.result, lang).replace("\n", "\n  ")
            warn(f'variant "{variant.name}": {outcome.result.status}: {text}')
    return comparison
