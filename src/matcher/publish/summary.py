"""``summary.json``: a plan's status, objective and bounds, and what makes the run reproducible."""

from __future__ import annotations

import hashlib
import platform
from pathlib import Path
from typing import Any

from matcher import __version__
from matcher.check.checker import CheckReport
from matcher.instance import Instance
from matcher.publish.plan_files import exact_number
from matcher.solve.pipeline import Result, SolveParams


def input_hash(path: Path) -> str:
    """SHA-256 of the instance's files (names and bytes), to tie a plan to its input."""
    digest = hashlib.sha256()
    files = sorted(p for p in path.iterdir() if p.is_file()) if path.is_dir() else [path]
    for file in files:
        if file.suffix.lower() in (".csv", ".toml", ".xlsx", ".xlsm"):
            digest.update(file.name.encode())
            digest.update(file.read_bytes())
    return "sha256:" + digest.hexdigest()


def rules_json(instance: Instance) -> dict[str, Any]:
    rules = instance.rules
    return {
        "min_education": rules.min_education.value,
        "age_caps": {rank.value: cap for rank, cap in rules.age_caps.items()},
        "local_ratio": str(rules.local_ratio),
        "veto_disciplinary": rules.veto_disciplinary,
        "require_willing": rules.require_willing,
        "must_place_years": rules.must_place_years,
        "weights": {name: str(value) for name, value in rules.weights.model_dump().items()},
    }


def versions() -> dict[str, str]:
    from importlib.metadata import version

    return {
        "matcher": __version__,
        "ortools": version("ortools"),
        "python": platform.python_version(),
    }


def plan_summary(
    instance: Instance, result: Result, report: CheckReport, path: Path, params: SolveParams
) -> dict[str, Any]:
    """The content of ``summary.json``: how the solve ended, and what it can be reproduced from.

    Parameters
    ----------
    instance
        The instance solved.
    result
        The solve's result: status, bounds, proof, times (statuses and proofs are
        ``StrEnum`` members and serialise as their text).
    report
        The checker's report: coverage and fit as recomputed from the data.
    path
        The instance's file or folder, hashed so a plan names the input it came from.
    params
        The solve's parameters, recorded for a rerun.

    Returns
    -------
    dict
        JSON-ready (``json.dumps``) summary.
    """
    placed = {cand for cand, _ in report.fit_by_assignment}
    return {
        "format": "matcher plan v1",
        "instance": instance.name,
        "status": result.status,
        "coverage": report.coverage,
        "coverage_bound": result.coverage_bound,
        "fit": exact_number(report.fit),
        "fit_bound": exact_number(result.fit_bound),
        "gap": round(result.gap, 9),
        "proof": result.proof,
        "seats": instance.num_seats,
        "seats_filled": len(report.fit_by_assignment),
        "cadres": instance.num_candidates,
        "cadres_placed": len(placed),
        "exceptions_used": report.exceptions_used,
        "runtime_seconds": round(result.runtime, 3),
        "first_plan_seconds": None
        if result.first_plan_seconds is None
        else round(result.first_plan_seconds, 3),
        "first_plan_coverage": result.first_plan_coverage,
        "phase_seconds": {name: round(t, 3) for name, t in result.phase_times.items()},
        "model_size": result.model_size,
        "input_hash": input_hash(path),
        "rules": rules_json(instance),
        "seed": params.seed,
        "workers": params.workers,
        "time_limit": params.time_limit,
        "versions": versions(),
        "warnings": list(instance.warnings),
    }
