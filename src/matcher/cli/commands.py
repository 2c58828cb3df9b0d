"""``matcher solve`` and ``matcher check``: the planner's entry points.

Exit status (domain.md): 0 a plan was found (or a checked plan is valid);
2 the input or the command is wrong; 3 the hard rules cannot all hold;
4 no plan within the time limit; 1 a plan failed the independent check
(a bug in matcher: nothing is written).
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any, TypeVar

import click
from rich.console import Console
from rich.table import Table

from matcher import __version__
from matcher.analysis.alternates import alternates_of
from matcher.analysis.planview import PlanView, focused
from matcher.analysis.supply import shortfalls
from matcher.check.checker import CheckReport, check_plan
from matcher.cli.terminal import live_progress, stderr_console
from matcher.instance import Instance
from matcher.io.limits import objective_excess
from matcher.io.plan_reader import read_plan
from matcher.io.reader import InputError, read_instance
from matcher.model.space import CONFLICT_HEAD_ZH, conflict_message
from matcher.publish.plan_files import eligible_counts, exact_number, plan_tables, write_plan
from matcher.publish.summary import input_hash, plan_summary
from matcher.solve import footprint
from matcher.solve.pipeline import INFEASIBLE, OPTIMAL, Result, SolveParams, prepare, solve

F = TypeVar("F", bound=Callable[..., Any])

EXIT_OK, EXIT_CHECK_FAILED, EXIT_INPUT, EXIT_INFEASIBLE, EXIT_NO_PLAN = 0, 1, 2, 3, 4

console = Console(highlight=False)


def _fail(message: str, code: int) -> None:
    click.echo(message, err=True)  # plain text: never re-wrapped, safe to grep and paste
    sys.exit(code)


def _load(path: Path) -> Instance:
    try:
        return read_instance(path)
    except InputError as error:
        _fail(str(error), EXIT_INPUT)
        raise AssertionError from error  # unreachable: _fail exits


def _refuse_if_too_big(data: Instance, command: str, listed: bool | None = None) -> None:
    """Exit 2 before anything is built when the command cannot fit in memory here."""
    message = footprint.too_big(data, command, listed)
    if message is not None:
        _fail(message, EXIT_INPUT)


def _fail_without_plan(result: Result, time_limit: float, lang: str, head_zh: str,
                       head_en: str) -> None:  # fmt: skip
    """Exit 3 naming the rules in conflict, or 4 when time ran out before any plan."""
    if result.status == INFEASIBLE:
        head = head_zh if lang == "zh" else head_en
        _fail(conflict_message(head, result.conflicts, lang), EXIT_INFEASIBLE)
    if not result.has_plan:
        _fail(f"No plan found within {time_limit:g} s; try a longer --time-limit.", EXIT_NO_PLAN)


def _independently_checked(
    data: Instance, plan: list[tuple[str, str]], result: Result, more: Sequence[str] = ()
) -> CheckReport:
    """The checker's report on a solver's plan; exit 1 (nothing written) if they disagree."""
    report = check_plan(data, plan)
    lines = [*report.disagreement(result.coverage, result.fit), *more]
    if lines:
        head = "Internal error: the plan failed the independent check; nothing was written."
        _fail("\n".join([head, *lines]), EXIT_CHECK_FAILED)
    return report


_SUMMARY_LABELS = {
    "en": {"status": "status", "proven by": "proven by", "seats filled": "seats filled",
           "of": "of", "cadres placed": "cadres placed", "coverage": "coverage",
           "bound": "bound", "fit": "fit", "gap": "gap", "on coverage": "on coverage",
           "on fit": "on fit", "runtime": "runtime", "written to": "written to",
           "fit later": "fit's bound counts once coverage is proven"},
    "zh": {"status": "状态", "proven by": "证明依据", "seats filled": "已填岗位", "of": "/",
           "cadres placed": "已选派干部", "coverage": "覆盖度", "bound": "上界", "fit": "匹配度",
           "gap": "差距", "on coverage": "按覆盖度计", "on fit": "按匹配度计", "runtime": "用时",
           "written to": "输出目录", "fit later": "覆盖度得证后才给出匹配度上界"},
}  # fmt: skip


def _print_summary(summary: dict[str, Any], out: Path | None, lang: str = "en") -> None:
    """The run at a glance. The gap is on the first tier not proven: while coverage may
    still rise, fit's bound only says what a plan of this coverage could reach, so it is
    not shown as if it were comparable."""
    label = _SUMMARY_LABELS[lang]
    table = Table(title=f"matcher · {summary['instance']}", show_header=False)
    table.add_column(style="bold")
    table.add_column()
    proof = f" ({label['proven by']} {summary['proof']})" if summary["proof"] else ""
    table.add_row(label["status"], f"{summary['status']}{proof}")
    of = label["of"]
    table.add_row(label["seats filled"], f"{summary['seats_filled']} {of} {summary['seats']}")
    table.add_row(label["cadres placed"],
                  f"{summary['cadres_placed']} {of} {summary['cadres']}")  # fmt: skip
    bound = label["bound"]
    table.add_row(label["coverage"], f"{summary['coverage']} ({bound} {summary['coverage_bound']})")
    coverage_open = summary["coverage"] < summary["coverage_bound"]
    fit_bound = label["fit later"] if coverage_open else f"{bound} {summary['fit_bound']}"
    table.add_row(label["fit"], f"{summary['fit']} ({fit_bound})")
    tier = label["on coverage"] if coverage_open else label["on fit"]
    table.add_row(label["gap"], f"{summary['gap']:.4%} ({tier})")
    table.add_row(label["runtime"], f"{summary['runtime_seconds']:.2f} s")
    if out is not None:
        table.add_row(label["written to"], str(out))
    console.print(table)


def lang_option(help: str | None = None) -> Callable[[F], F]:
    """``--lang en|zh``: the same choice, default and spelling on every command."""
    return click.option("--lang", type=click.Choice(["en", "zh"]), default="en",
                        show_default=True, help=help)  # fmt: skip


def time_limit_option(help: str | None) -> Callable[[F], F]:
    return click.option("--time-limit", type=click.FloatRange(min=0.1), default=60.0,
                        show_default=True, help=help)  # fmt: skip


seed_option = click.option("--seed", type=click.IntRange(min=0), default=0, show_default=True)


@click.group()
@click.version_option(__version__, prog_name="matcher")
def main() -> None:
    """Match cadres to temporary training posts (挂职锻炼), by the rules, provably well."""


@main.command(name="solve")
@click.argument("instance", type=click.Path(path_type=Path))
@click.option(
    "--out",
    "out",
    type=click.Path(path_type=Path),
    default=Path("plan"),
    show_default=True,
    help="Folder for the plan files.",
)
@time_limit_option(
    "Seconds from reading the input to the plan (the check, the alternates and the files"
    " follow); the best plan found by then is returned with its gap."
)
@seed_option
@click.option(
    "--workers",
    type=click.IntRange(min=1),
    default=1,
    show_default=True,
    help="CP-SAT workers; more run a deterministic portfolio",
)
@click.option("--xlsx", is_flag=True, help="Also write plan.xlsx with the same tables.")
@click.option("--log", is_flag=True, help="Show the CP-SAT search log.")
@lang_option("Language of warnings, rule violations and the progress line.")
@click.option(
    "--report",
    "report_file",
    type=click.Path(path_type=Path),
    help="Also write an HTML report with charts of the plan (in the --lang language).",
)
def solve_command(
    instance: Path,
    out: Path,
    time_limit: float,
    seed: int,
    workers: int,
    xlsx: bool,
    log: bool,
    lang: str,
    report_file: Path | None,
) -> None:
    """Solve INSTANCE (a folder of CSV files or an .xlsx workbook) and write the plan to --out."""
    began = time.perf_counter()
    data = _load(instance)
    for warning in data.warnings:
        click.echo(f"warning: {warning}", err=True)
    _refuse_if_too_big(data, "matcher solve")
    prepared = prepare(data)
    # at national scale reading and listing the pairs take about 30 s of the limit
    left = max(time_limit - (time.perf_counter() - began), 0.1)
    params = SolveParams(time_limit=left, seed=seed, workers=workers, log=log)
    for shortfall in shortfalls(prepared):
        click.echo(("提示：" if lang == "zh" else "warning: ") + shortfall.message(lang), err=True)
    with live_progress(stderr_console(), lang, enabled=not log) as progress:
        result = solve(data, params, prepared, progress=progress)
    _fail_without_plan(
        result,
        time_limit,
        lang,
        CONFLICT_HEAD_ZH,
        "The hard rules cannot all hold for this instance. Rules in conflict"
        " (drop any one and the rest can hold):",
    )
    plan = [(data.candidates[c].id, data.posts[p].id) for c, p in result.assignments]
    report = _independently_checked(data, plan, result)
    tables = plan_tables(data, plan, report, *eligible_counts(prepared),
                         alternates_of(prepared, result.assignments), lang)  # fmt: skip
    # the limit as given, for reproducing the run
    summary = plan_summary(data, result, report, instance, replace(params, time_limit=time_limit))
    try:
        write_plan(out, tables, summary, xlsx=xlsx)
    except OSError as error:
        _fail(f"Cannot write the plan to {out}: {error.strerror or error}", EXIT_INPUT)
    if report_file is not None:
        from matcher.report.html import write_plan_report

        try:
            write_plan_report(data, plan, summary, report_file, lang, checked=report)
        except OSError as error:
            reason = error.strerror or error
            _fail(f"Cannot write the report to {report_file}: {reason}", EXIT_INPUT)
    _print_summary(summary, out, lang)
    if result.status != OPTIMAL:
        click.echo(
            f"未证明最优：本方案与最优方案的差距至多为 {result.gap:.2%}"
            "（已证明的上界见 summary.json）。"
            if lang == "zh"
            else f"Not proven optimal: the plan may be up to {result.gap:.2%} from optimal "
            "(the proven bounds are in summary.json).",
            err=True,
        )


@main.command()
@click.argument("instance", type=click.Path(path_type=Path))
@click.argument("plan_dir", type=click.Path(path_type=Path))
@click.option("--cadre", "cadres", multiple=True, help="A cadre's id (repeatable).")
@click.option("--post", "posts", multiple=True, help="A post's id (repeatable).")
@click.option("--team", "teams", multiple=True, help="A team's id (repeatable).")
@click.option("--group", "groups", multiple=True, help="A group's id (repeatable; v1.1).")
@lang_option()
def explain(
    instance: Path,
    plan_dir: Path,
    cadres: tuple[str, ...],
    posts: tuple[str, ...],
    teams: tuple[str, ...],
    groups: tuple[str, ...],
    lang: str,
) -> None:
    """Explain the plan in PLAN_DIR for the named cadres, posts, teams and groups."""
    from matcher.analysis.explain import explain_cadre, explain_group, explain_post, explain_team

    data = _load(instance)
    if not (cadres or posts or teams or groups):
        _fail("Name at least one --cadre, --post, --team or --group to explain.", EXIT_INPUT)
    try:
        plan = read_plan(plan_dir)
    except InputError as error:
        _fail(str(error), EXIT_INPUT)
    cand_index = {c.id: i for i, c in enumerate(data.candidates)}
    post_index = {p.id: i for i, p in enumerate(data.posts)}
    team_ids = {t.id for t in data.teams}
    unknown = [f"cadre {c}" for c in cadres if c not in cand_index]
    unknown += [f"post {p}" for p in posts if p not in post_index]
    unknown += [f"team {t}" for t in teams if t not in team_ids]
    unknown += [f"group {g}" for g in groups if g not in {g.id for g in data.groups}]
    if unknown:
        _fail(f"Not in {instance}: {', '.join(unknown)}", EXIT_INPUT)
    if not check_plan(data, plan).ok:
        _fail(f"The plan in {plan_dir} breaks rules; run `matcher check` first.", EXIT_CHECK_FAILED)
    _refuse_if_too_big(data, "matcher explain")
    assignments = [(cand_index[c], post_index[p]) for c, p in plan]
    # above 20M cells the pairs are never all listed: only the plan's and the asked ones'
    prepared = focused(prepare(data), assignments, [cand_index[c] for c in cadres],
                       [post_index[p] for p in posts])  # fmt: skip
    view = PlanView.from_assignments(prepared, assignments)
    blocks = [explain_cadre(prepared, view, cand_index[c], lang) for c in cadres]
    blocks += [explain_post(prepared, view, post_index[p], lang) for p in posts]
    blocks += [explain_team(prepared, view, t, lang) for t in teams]
    blocks += [explain_group(data, view, g, lang) for g in groups]
    click.echo("\n\n".join("\n".join(block) for block in blocks))


@main.command()
@click.argument(
    "tier", type=click.Choice(["tiny-random", "city", "province", "national", "custom"])
)
@click.argument("folder", type=click.Path(path_type=Path))
@click.option("--seed", type=click.IntRange(min=0), default=2026, show_default=True)
@click.option("--candidates", type=click.IntRange(min=1), help="Pool size (custom tier).")
@click.option("--posts", type=click.IntRange(min=1), help="Number of posts (custom tier).")
@click.option(
    "--v11",
    is_flag=True,
    help="Format v1.1: rank grades, groups (party branches, petition batches), exceptions.",
)
def generate(
    tier: str, folder: Path, seed: int, candidates: int | None, posts: int | None, v11: bool
) -> None:
    """Write a synthetic instance (format v1, or v1.1 with --v11) of a size TIER, or a
    custom size, into FOLDER."""
    from matcher.synthetic.generate import (
        DEFAULT_RULES_TOML,
        TIERS,
        add_v11,
        generate_tables,
        write_instance,
    )

    if tier == "custom":
        if candidates is None or posts is None:
            _fail("The custom tier needs --candidates and --posts.", EXIT_INPUT)
        size = (candidates, posts)
    else:
        default = TIERS[tier]
        size = (candidates or default[0], posts or default[1])
    if folder.exists() and any(folder.iterdir()):
        _fail(f"{folder} is not empty; choose a new folder.", EXIT_INPUT)
    tables = generate_tables(*size, seed)  # type: ignore[arg-type]
    if v11:
        tables = add_v11(tables, seed)
    write_instance(tables, folder, DEFAULT_RULES_TOML)
    extra = (
        f", {len(tables['groups'])} groups, {len(tables['exceptions'])} exceptions (format v1.1)"
        if v11
        else ""
    )
    click.echo(f"{folder}: {size[0]} candidates, {size[1]} posts, seed {seed}{extra}")


@main.command()
@click.argument("instance", type=click.Path(path_type=Path))
@click.argument("plan_dir", type=click.Path(path_type=Path))
@lang_option()
def check(instance: Path, plan_dir: Path, lang: str) -> None:
    """Re-verify every hard rule of the plan in PLAN_DIR against INSTANCE, independently."""
    data = _load(instance)
    try:
        plan = read_plan(plan_dir)
    except InputError as error:
        _fail(str(error), EXIT_INPUT)
    report = check_plan(data, plan)
    for violation in report.violations:
        text = violation.message_zh if lang == "zh" else violation.message_en
        click.echo(f"rule {violation.family} ({violation.rule}) {violation.subject}: {text}")
    click.echo(
        f"{len(plan)} assignments, coverage {report.coverage}, fit {exact_number(report.fit)}:"
        f" {'no violation' if report.ok else f'{len(report.violations)} violation(s)'}"
    )
    sys.exit(EXIT_OK if report.ok else EXIT_CHECK_FAILED)


@main.command(name="report")
@click.argument("instance", type=click.Path(path_type=Path))
@click.argument("plan_dir", type=click.Path(path_type=Path), required=False)
@click.option(
    "--out",
    type=click.Path(path_type=Path),
    default=Path("report.html"),
    show_default=True,
    help="The HTML file to write (self-contained: opens offline).",
)
@lang_option()
def report_command(instance: Path, plan_dir: Path | None, out: Path, lang: str) -> None:
    """Write one HTML page with charts of the plan in PLAN_DIR for INSTANCE.

    Given only a folder written by `matcher scenarios` (it holds comparison.csv),
    compare its variants side by side instead.
    """
    from matcher.report.html import is_scenarios_dir, write_report, write_scenarios_report

    try:
        if plan_dir is not None:
            write_report(instance, plan_dir, out, lang)
        elif is_scenarios_dir(instance):
            write_scenarios_report(instance, out, lang)
        else:
            _fail(
                f"{instance}: give the PLAN_DIR to report on, or a scenarios folder"
                " (one with comparison.csv).",
                EXIT_INPUT,
            )
    except InputError as error:
        _fail(str(error), EXIT_INPUT)
    except OSError as error:
        _fail(f"Cannot write the report to {out}: {error.strerror or error}", EXIT_INPUT)
    click.echo(f"report written to {out}")


@main.command(name="replan")
@click.argument("instance", type=click.Path(path_type=Path))
@click.argument("published_plan_dir", type=click.Path(path_type=Path))
@click.option(
    "--changes",
    "changes_file",
    type=click.Path(path_type=Path),
    required=True,
    help="TOML file: drop_out, close_posts, [[add_posts]], [[add_candidates]].",
)
@click.option("--out", type=click.Path(path_type=Path), required=True, help="Folder for the plan.")
@time_limit_option(None)
@seed_option
@lang_option()
def replan_command(
    instance: Path,
    published_plan_dir: Path,
    changes_file: Path,
    out: Path,
    time_limit: float,
    seed: int,
    lang: str,
) -> None:
    """Re-plan after changes: coverage first, then fewest changed assignments, then fit."""
    from matcher.planning import replan as replanning

    began = time.perf_counter()  # the limit runs from reading the input, as in solve
    data = _load(instance)
    try:
        published = read_plan(published_plan_dir)
    except InputError as error:
        _fail(str(error), EXIT_INPUT)
    try:
        changes = replanning.read_changes(changes_file, data, published)
    except replanning.ChangesError as error:
        _fail(str(error), EXIT_INPUT)
    _refuse_if_too_big(data, "matcher replan", not replanning.lists_too_many(data))
    excess = objective_excess(data, kept=len(published))  # the keep tier scales M up
    if excess is not None:
        _fail(f"{published_plan_dir}: a re-plan keeping up to {len(published)} assignments "
              f"cannot be solved exactly: {excess.describe()}", EXIT_INPUT)  # fmt: skip
    for warning in (*data.warnings, *changes.warnings):
        click.echo(f"warning: {warning}", err=True)
    for violation in check_plan(data, published).violations:  # kept only where rules allow
        click.echo(f"warning: published plan: {violation.subject}: {violation.message_en}",
                   err=True)  # fmt: skip
    left = max(time_limit - (time.perf_counter() - began), 0.1)
    params = SolveParams(time_limit=left, seed=seed)
    with live_progress(stderr_console(), lang) as progress:
        replanned = replanning.replan(data, published, changes, params, progress=progress)
    new_data, prepared, result = replanned.instance, replanned.prepared, replanned.result
    _fail_without_plan(
        result,
        time_limit,
        lang,
        "变动后硬性规则无法同时满足，相互冲突的规则如下：",
        "After the changes the hard rules cannot all hold. Rules in conflict:",
    )
    plan = replanned.plan
    moves = replanning.describe_moves(replanned, lang)
    counts = replanning.count(replanned, moves)
    kept_mismatch = []
    if counts.kept != result.kept:
        kept_mismatch = [f"  kept mismatch: solver {result.kept}, recounted {counts.kept}"]
    report = _independently_checked(new_data, plan, result, kept_mismatch)
    tables = plan_tables(new_data, plan, report, *eligible_counts(prepared),
                         alternates_of(prepared, result.assignments), lang)  # fmt: skip
    tables["changes"] = replanning.moves_table(replanned, moves, lang)
    summary = plan_summary(new_data, result, report, instance,
                           replace(params, time_limit=time_limit))  # fmt: skip
    summary["replan"] = {
        "published_plan": str(published_plan_dir),
        "changes_file": str(changes_file),
        "changes_hash": input_hash(changes_file),
        "published_assignments": counts.published,
        "kept": counts.kept,
        "kept_bound": result.kept_bound,
        "changed": counts.changed,
        "moved": counts.moved,
        "newly_placed": counts.newly_placed,
        "sent_home": counts.sent_home,
        "dropped_out": counts.dropped_out,
        "unfilled_seats": counts.seats - counts.filled,
    }
    summary["replan"]["instance"] = "instance"  # the changed instance, beside the plan
    try:
        replanning.write_changed_instance(new_data, out / "instance")
        write_plan(out, tables, summary)
    except OSError as error:
        _fail(f"Cannot write the plan to {out}: {error.strerror or error}", EXIT_INPUT)
    click.echo("\n".join(replanning.summary_lines(replanned, counts, lang)))
    check_command = f"matcher check {out / 'instance'} {out}"
    if lang == "zh":
        click.echo(f"已写入 {out}（变动见 changes.csv）；核对新安排：{check_command}")
    else:
        click.echo(f"written to {out} (changes.csv); to check it: {check_command}")


@main.command(name="scenarios")
@click.argument("file", type=click.Path(path_type=Path))
@click.option(
    "--out",
    type=click.Path(path_type=Path),
    required=True,
    help="Folder for the sweep: comparison.csv, changes.csv, <variant>/instance and /plan.",
)
@time_limit_option("Seconds per variant.")
@seed_option
@click.option(
    "--workers-pool",
    type=click.IntRange(min=1),
    default=2,
    show_default=True,
    help="Variants solved at once in local processes (1: one after another, here).",
)
@click.option(
    "--address",
    help="Run the variants on this Dask distributed scheduler instead, e.g. tcp://host:8786.",
)
@lang_option()
def scenarios_command(
    file: Path,
    out: Path,
    time_limit: float,
    seed: int,
    workers_pool: int,
    address: str | None,
    lang: str,
) -> None:
    """Solve the base instance and every what-if variant of the scenario FILE (TOML), compare."""
    from matcher.cli.scenarios_view import run_and_show
    from matcher.planning.scenarios import ScenarioError
    from matcher.planning.sweep import SweepError

    params = SolveParams(time_limit=time_limit, seed=seed)
    try:
        run_and_show(
            file,
            out,
            params,
            console,
            pool_size=workers_pool,
            address=address,
            lang=lang,
            warn=lambda text: click.echo(text, err=True),
        )
    except (ScenarioError, InputError) as error:
        _fail(str(error), EXIT_INPUT)
    except SweepError as error:
        _fail(str(error), error.code)
