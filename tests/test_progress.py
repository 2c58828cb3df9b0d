"""Progress of a solve: the event stream, that listening never changes the plan, the TTY switch."""

from __future__ import annotations

import io
from fractions import Fraction
from pathlib import Path

import pytest
from click.testing import CliRunner
from rich.console import Console

from factories import random_instance
from matcher.cli.commands import main
from matcher.cli.terminal import ProgressLine, live_progress, stderr_console
from matcher.instance import Instance
from matcher.io.reader import read_instance
from matcher.solve import pipeline as solver_module
from matcher.solve.events import (
    CPSAT,
    DIAGNOSIS,
    DONE,
    FIRST_PLAN,
    LP,
    PREPARE,
    RESTRICTED,
    TEAM_BOUND,
    ProgressEvent,
)
from matcher.solve.pipeline import INFEASIBLE, Result, SolveParams, prepare, solve
from matcher.synthetic.generate import DEFAULT_RULES_TOML, generate_tables, write_instance

INSTANCES = Path(__file__).parent.parent / "instances"
PHASE_ORDER = [PREPARE, FIRST_PLAN, LP, TEAM_BOUND, RESTRICTED, CPSAT, DIAGNOSIS, DONE]


@pytest.fixture(scope="module")
def generated_city(tmp_path_factory: pytest.TempPathFactory) -> Instance:
    """Generated city, seed 2: its LP is fractional, so every phase runs, CP-SAT included."""
    folder = tmp_path_factory.mktemp("city2")
    write_instance(generate_tables(520, 110, 2), folder, DEFAULT_RULES_TOML)
    return read_instance(folder)


def solve_listening(instance: Instance, params: SolveParams) -> tuple[Result, list[ProgressEvent]]:
    events: list[ProgressEvent] = []
    return solve(instance, params, progress=events.append), events


def assert_stream_is_sound(result: Result, events: list[ProgressEvent]) -> None:
    """Phases in order, time forward, best never worse, bound never below best, ends as Result."""
    phases = [event.phase for event in events]
    assert phases[0] == PREPARE and phases[-1] == DONE and phases.count(DONE) == 1
    positions = [PHASE_ORDER.index(phase) for phase in phases]
    assert positions == sorted(positions), phases
    assert all(a.elapsed <= b.elapsed for a, b in zip(events, events[1:], strict=False))
    bests = [(e.coverage, e.kept, e.fit) for e in events if e.coverage is not None]
    assert bests == sorted(bests)  # type: ignore[type-var]
    coverage_bounds = [e.coverage_bound for e in events if e.coverage_bound is not None]
    assert coverage_bounds == sorted(coverage_bounds, reverse=True)
    for event in events:
        if event.coverage is not None and event.coverage_bound is not None:
            assert event.coverage_bound >= event.coverage, event
            assert event.kept_bound is not None and event.kept is not None
            assert event.kept_bound >= event.kept, event
            assert event.fit_bound is not None and event.fit is not None
            assert event.fit_bound >= event.fit, event
            assert event.gap is not None and event.gap >= 0
    final = events[-1]
    if result.has_plan:
        assert (final.coverage, final.kept, final.fit) == (result.coverage, result.kept, result.fit)
        assert (final.coverage_bound, final.kept_bound, final.fit_bound) == (
            result.coverage_bound,
            result.kept_bound,
            result.fit_bound,
        )
        assert final.gap == result.gap
    else:
        assert final.coverage is None and final.gap is None


def test_every_phase_reports_and_cp_sat_reports_plans_and_bounds(generated_city: Instance) -> None:
    result, events = solve_listening(generated_city, SolveParams(time_limit=60))
    assert result.status == "optimal" and result.proof == "CP-SAT"
    assert_stream_is_sound(result, events)
    phases = [event.phase for event in events]
    assert {PREPARE, LP, TEAM_BOUND, RESTRICTED, CPSAT, DONE} <= set(phases)
    # CP-SAT reports where it starts (here the search near the LP already holds the
    # optimum, 1 below the team bound, and CP-SAT proves it)
    during = [(e.coverage, e.fit, e.fit_bound) for e in events if e.phase == CPSAT]
    assert during and during[0][2] > result.fit_bound
    # the first event that knows a bound comes from the flow, with its repaired plan
    first_bound = next(e for e in events if e.coverage_bound is not None)
    assert first_bound.phase == FIRST_PLAN and first_bound.coverage is not None


def test_lp_proven_plan_reports_prepare_lp_done() -> None:
    instance = read_instance(INSTANCES / "city")  # the rounded LP reaches the LP bound
    result, events = solve_listening(instance, SolveParams(time_limit=60))
    assert result.proof == "LP bound"
    assert [e.phase for e in events] == [PREPARE, FIRST_PLAN, LP, DONE]
    assert events[2].coverage == result.coverage and events[2].gap == 0
    assert_stream_is_sound(result, events)


@pytest.mark.parametrize("seed", range(40))
def test_event_stream_is_sound_on_random_instances(seed: int) -> None:
    instance = random_instance(seed, num_candidates=40 if seed % 2 else 9, num_posts=15)
    result, events = solve_listening(instance, SolveParams(time_limit=20))
    assert_stream_is_sound(result, events)
    if result.status == INFEASIBLE:
        assert DIAGNOSIS in [e.phase for e in events]


@pytest.mark.parametrize("workers", [1, 2])
def test_listening_never_changes_the_plan(generated_city: Instance, workers: int) -> None:
    """Same seed and workers give the same plan with or without a listener."""
    instances = [generated_city] if workers == 1 else []  # two interleaved workers: slow here
    instances += [random_instance(seed, num_candidates=40, num_posts=15) for seed in (1, 7, 16)]
    for instance in instances:
        params = SolveParams(time_limit=60, seed=3, workers=workers)
        listened, events = solve_listening(instance, params)
        silent = solve(instance, params)
        assert CPSAT in [e.phase for e in events]  # the search itself was listened to
        assert listened.assignments == silent.assignments
        assert (listened.status, listened.fit_bound) == (silent.status, silent.fit_bound)


# ---------------------------------------------------------------------- the line


def event(**fields: object) -> ProgressEvent:
    values: dict[str, object] = {"phase": CPSAT, "elapsed": 2.5, **fields}
    return ProgressEvent(**values)  # type: ignore[arg-type]


def test_line_shows_phase_time_best_bound_and_gap() -> None:
    line = ProgressLine("en")
    line.update(event(coverage=182, kept=0, fit=Fraction(19336), coverage_bound=182,
                      kept_bound=0, fit_bound=Fraction(19338)))  # fmt: skip
    assert line.text(2.8) == (
        "CP-SAT search · 2.8 s · coverage 182 (bound 182) · fit 19336 (bound 19338) · gap 0.01%"
    )
    zh = ProgressLine("zh")
    zh.update(line.event)  # type: ignore[arg-type]
    assert zh.text(2.8) == (
        "CP-SAT 搜索 · 用时 2.8 秒 · 覆盖度 182（上界 182） · "
        "匹配度 19336（上界 19338） · 差距 0.01%"
    )


def test_line_promises_no_fit_bound_while_coverage_is_open() -> None:
    # the fit bound given a lower coverage is meaningless to a planner: leave it out
    line = ProgressLine("en")
    line.update(event(phase=RESTRICTED, coverage=180, kept=0, fit=Fraction(19184),
                      coverage_bound=182, kept_bound=0, fit_bound=Fraction(129864)))  # fmt: skip
    assert line.text(0.7) == (
        "search near the LP · 0.7 s · coverage 180 (bound 182) · fit 19184 · gap 1.10%"
    )
    line.update(event(phase=LP, coverage_bound=182, kept_bound=0, fit_bound=Fraction(19345)))
    assert line.text(0.3) == "LP relaxation · 0.3 s · coverage bound 182 · fit bound 19345"


def test_line_shows_the_keep_tier_of_a_replan() -> None:
    line = ProgressLine("en")
    line.update(event(coverage=148, kept=140, fit=Fraction(7, 2), coverage_bound=148,
                      kept_bound=145, fit_bound=Fraction(9)))  # fmt: skip
    assert "coverage 148 (bound 148) · kept 140 (bound 145) · fit 3.50 ·" in line.text(1.0)
    zh = ProgressLine("zh")
    zh.update(line.event)  # type: ignore[arg-type]
    assert "保留原安排 140（上界 145）" in zh.text(1.0)


# ---------------------------------------------------------------------- terminal or not


def test_a_terminal_gets_the_live_line() -> None:
    buffer = io.StringIO()
    console = Console(file=buffer, force_terminal=True, width=120)
    with live_progress(console, "en") as listener:
        assert listener is not None
        listener(event(phase=LP, coverage_bound=3, kept_bound=0, fit_bound=Fraction(210)))
    assert "LP relaxation" in buffer.getvalue() and "coverage bound 3" in buffer.getvalue()


@pytest.mark.parametrize("terminal, enabled", [(False, True), (True, False)])
def test_no_terminal_or_disabled_means_silence(terminal: bool, enabled: bool) -> None:
    buffer = io.StringIO()
    console = Console(file=buffer, force_terminal=terminal)
    with live_progress(console, "en", enabled=enabled) as listener:
        assert listener is None
    assert buffer.getvalue() == ""


def test_force_color_does_not_make_a_pipe_a_terminal(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FORCE_COLOR", "1")  # set by many CI systems
    monkeypatch.setattr("sys.stderr", io.StringIO())
    assert Console(stderr=True).is_terminal  # rich alone would draw the line into the log
    assert not stderr_console().is_terminal


def test_solve_and_replan_commands_print_no_progress_off_a_terminal(tmp_path: Path) -> None:
    runner = CliRunner()
    solved = runner.invoke(main, ["solve", str(INSTANCES / "tiny"), "--out", str(tmp_path / "p")])
    assert solved.exit_code == 0, solved.output
    changes = tmp_path / "changes.toml"
    changes.write_text('drop_out = ["C1"]\n', encoding="utf-8")
    replan_args = ["replan", str(INSTANCES / "tiny"), str(tmp_path / "p"),
                   "--changes", str(changes), "--out", str(tmp_path / "q")]  # fmt: skip
    replanned = runner.invoke(main, replan_args)
    assert replanned.exit_code == 0, replanned.output
    for output in (solved.output, replanned.output):
        assert "LP relaxation" not in output and "\x1b[" not in output


@pytest.mark.parametrize("seed", range(20))
def test_event_stream_is_sound_on_the_implicit_path(
    seed: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    # the national path: its LP bound, then its greedy and filled plan, then the result
    monkeypatch.setattr(solver_module, "GREEDY_ABOVE_PAIRS", 0)
    instance = random_instance(seed, num_candidates=40 if seed % 2 else 9, num_posts=15)
    events: list[ProgressEvent] = []
    prepared = prepare(instance, implicit_pairs=True)
    result = solve(instance, SolveParams(time_limit=20), prepared, progress=events.append)
    assert_stream_is_sound(result, events)
    if result.has_plan:
        assert LP in [e.phase for e in events]
