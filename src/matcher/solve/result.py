"""What a solve is asked and what it produced: ``SolveParams``, ``Result``, its status and proof.

The status and the proof are ``StrEnum`` members: they compare equal to their text, and
print and serialise as it (``summary.json`` holds ``"optimal"``, never ``Status.OPTIMAL``).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from fractions import Fraction

from matcher.model import RuleInstance
from matcher.model import objective as objective_module


class Status(StrEnum):
    """How a solve ended."""

    OPTIMAL = "optimal"
    """A plan and a proof that none is better."""
    FEASIBLE = "feasible"
    """A plan that keeps every rule, not proven best (a gap remains)."""
    INFEASIBLE = "infeasible"
    """The hard rules cannot all hold; ``Result.conflicts`` names some that clash."""
    UNKNOWN = "unknown"
    """No plan within the time limit, and no proof that there is none."""


class Proof(StrEnum):
    """What proved a plan's bound; ``NONE`` when the plan is not proven optimal."""

    NONE = ""
    LP = "LP bound"
    TEAM = "LP bound with teams solved exactly"
    MIP = "MIP over every pair reduced costs leave to a plan as good"
    FLOW = "min-cost flow: its optimum keeps every team row"
    FLOW_NEAR = "min-cost flow over the LP's pairs and every pair that could improve"
    CP_SAT = "CP-SAT"
    CP_SAT_NEAR = "CP-SAT over the LP's pairs and every pair that could improve"


OPTIMAL, FEASIBLE, INFEASIBLE, UNKNOWN = (
    Status.OPTIMAL, Status.FEASIBLE, Status.INFEASIBLE, Status.UNKNOWN,
)  # fmt: skip
"""The statuses under their names before the enum, which many modules import."""
LP_PROOF = Proof.LP
TEAM_PROOF = Proof.TEAM
MIP_PROOF = Proof.MIP
FLOW_PROOF = Proof.FLOW
FLOW_NEAR_PROOF = Proof.FLOW_NEAR


@dataclass(frozen=True)
class SolveParams:
    """How to run the solvers; the same params and input give the same plan.

    Parameters
    ----------
    time_limit
        Seconds for the whole solve; it stops at a proof or at this limit.
    seed
        CP-SAT's random seed, for a reproducible search.
    workers
        CP-SAT workers (see below).
    log
        Show CP-SAT's search log.
    use_lp
        The LP-based steps (see below); off for the reference solve the tests compare with.
    """

    time_limit: float = 60.0
    seed: int = 0
    workers: int = 1
    """CP-SAT workers. One LP-heavy search is fastest here; more run a deterministic
    interleaved portfolio, never a racing one, so the plan stays reproducible."""
    log: bool = False
    use_lp: bool = True
    """The flow, the LP relaxation and the neighbourhoods around CP-SAT (bounds, first
    plans, fixing, improvement); off = plain CP-SAT, the reference the tests compare with."""


@dataclass(frozen=True)
class Result:
    """What a solve produced: a plan with its proven bounds, or why there is none.

    ``status`` and ``proof`` may be given as their text; they are held as ``Status``
    and ``Proof`` members, so callers compare with the enums, never with literals.

    Parameters
    ----------
    status
        How the solve ended (``Status``).
    assignments
        The plan, as (candidate index, post index) pairs; empty without a plan.
    coverage, coverage_bound
        The plan's coverage (weighted placements) and the proven bound on it.
    fit, fit_bound
        The plan's total fit and the proven bound on it at that coverage.
    runtime
        Seconds the solve took.
    model_size
        Counts of the model (cadres, posts, pairs, rows ...) for the summary.
    proof
        What proved the bound (``Proof``), ``Proof.NONE`` when not proven.
    """

    status: Status | str
    assignments: tuple[tuple[int, int], ...]
    """(candidate index, post index) pairs of the plan."""
    coverage: int
    coverage_bound: int
    fit: Fraction
    fit_bound: Fraction
    """No plan covering at least ``coverage`` and keeping at least ``kept`` has a fit above this."""
    runtime: float
    model_size: dict[str, int]
    proof: Proof | str = Proof.NONE
    """What proved the bound: ``LP_PROOF``, ``TEAM_PROOF``, ``MIP_PROOF``, "CP-SAT" (or its
    restricted form), or "" when not proven."""
    conflicts: tuple[RuleInstance, ...] = ()
    phase_times: dict[str, float] = field(default_factory=dict)
    kept: int = 0
    """Pairs of the published plan kept (a re-plan's middle tier; 0 for a plain solve)."""
    kept_bound: int = 0
    """No plan covering at least ``coverage`` keeps more than this."""
    first_plan_seconds: float | None = None
    """When the solve first held a plan that keeps every rule (anytime behaviour)."""
    first_plan_coverage: int | None = None
    """That first plan's coverage, to set against ``coverage_bound``."""

    def __post_init__(self) -> None:
        # a text that is no member raises here, at the solver, not later in a report
        object.__setattr__(self, "status", Status(self.status))
        object.__setattr__(self, "proof", Proof(self.proof))

    @property
    def gap(self) -> float:
        """Relative distance to the proven bound, of the first objective level not closed."""
        return objective_module.relative_gap(self.coverage, self.coverage_bound, self.kept,
                                             self.kept_bound, self.fit, self.fit_bound)  # fmt: skip

    @property
    def has_plan(self) -> bool:
        """Whether the result holds a plan that keeps every rule (proven best or not)."""
        return self.status in (Status.OPTIMAL, Status.FEASIBLE)
