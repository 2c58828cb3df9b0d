"""Solve one instance with ``matcher`` itself and hand back its plan and proven bound.

    python run_matcher.py INSTANCE TIME_LIMIT OUT_JSON

Runs ``solve`` exactly as the CLI does (its default workers; ``--pairs`` forces listed or
implicit pairs), in a process of its own so that its peak memory is its own. The time
of its first plan is when its first progress event that carries a plan arrives; its
runtime is the time to the proven optimum when it proves one. The time limit covers
``prepare`` too (at national scale the universe takes about 25 s): the targets count the
time to a plan from the input read, so the plan must come within the limit.
"""

from __future__ import annotations

from fractions import Fraction

from worker_io import Clock, arguments, write

from matcher.io.reader import read_instance
from matcher.solve.events import ProgressEvent
from matcher.solve.pipeline import Prepared, SolveParams, prepare, solve


def objective_scale(prepared: Prepared) -> dict[str, int]:
    """The weighting that turns (coverage, fit) into one integer, to compare bounds across solvers.

    ``Result`` reports coverage and fit but not the weight ``M`` between them; the
    prepared model (listed or implicit pairs: the same weights) has it.
    """
    return {
        "coverage_weight": int(prepared.objective.coverage_weight),
        "fit_floor": int(prepared.objective.fit_floor),
        "fit_scale": int(prepared.fit.scale),
    }


def weighted(coverage: int, fit: Fraction, scale: dict[str, int]) -> int:
    """``M·coverage + scaled fit``: the single integer objective all three solvers optimise."""
    scaled = fit * scale["fit_scale"]
    assert scaled.denominator == 1, "fit is exact in scaled units"
    return coverage * scale["coverage_weight"] + int(scaled)


def main() -> None:
    args = arguments(__doc__ or "")
    instance = read_instance(args.input)
    implicit_pairs = {"auto": None, "listed": False, "implicit": True}[args.pairs]
    first_plan: list[float] = []
    clock = Clock()

    def listen(event: ProgressEvent) -> None:
        if event.coverage is not None and not first_plan:
            first_plan.append(clock.now())

    prepared = prepare(instance, implicit_pairs)
    params = SolveParams(time_limit=max(args.time_limit - clock.now(), 0.1))
    result = solve(instance, params, prepared, progress=listen)
    runtime = clock.now()
    scale = objective_scale(prepared)
    has_plan = result.has_plan
    write(
        args.out,
        {
            "solver": "matcher" if args.pairs == "auto" else f"matcher-{args.pairs}",
            "status": result.status,
            "runtime": runtime,
            "solver_runtime": result.runtime,
            "time_to_first_plan": first_plan[0] if first_plan else None,
            "plan": [list(pair) for pair in result.assignments],
            "bound": weighted(result.coverage, result.fit_bound, scale) if has_plan else None,
            "scale": scale,
            "num_pairs": result.model_size.get("eligible_pairs"),
            "model": result.model_size,
            "phases": result.phase_times,
            "note": result.proof,
        },
    )


if __name__ == "__main__":
    main()
