"""Entry points for benchmarks/restricted_plan.py and mip_threshold.py.

The benchmarks time single steps of the pipeline on their own: the LP relaxation, the
restricted MIP and the CP-SAT search near the LP. Those steps are private to
``solve.pipeline``, which may change them freely; these public names give the scripts a
stable place to import from, so a rename in the pipeline breaks here, named, and not in a
script nobody runs in the test suite. The pipeline's tunables (``RESTRICTED_WORK_LIMIT``,
``MIP_PLAN_ABOVE_PAIRS``) stay module attributes of ``solve.pipeline``: a study sets them
there, where the steps read them.
"""

from __future__ import annotations

from matcher.solve import pipeline
from matcher.solve.pipeline import Prepared, prepare, solve
from matcher.solve.result import Result, SolveParams

__all__ = [
    "Prepared",
    "Result",
    "SolveParams",
    "best_plan",
    "mip_pairs",
    "mip_plan",
    "prepare",
    "relaxation",
    "search",
    "solve",
]

relaxation = pipeline._relaxation
"""The LP relaxation over the listed pairs, with its bound (``Relaxation``)."""
mip_pairs = pipeline._mip_pairs
"""The pairs of the restricted MIP: each cadre's and post's best by reduced cost."""
mip_plan = pipeline._mip_plan
"""HiGHS over those pairs: a plan, or None."""
search = pipeline._search
"""CP-SAT over the free pairs of a fixing, from a start plan: a plan, or None."""
best_plan = pipeline._best_plan
"""The best of some plans by the objective's weights (None when there is none)."""
