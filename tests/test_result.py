"""A solve's status and proof are enums that still read, print and serialise as their text."""

from __future__ import annotations

import json
from fractions import Fraction

import pytest

from matcher.solve import pipeline
from matcher.solve.result import Proof, Result, Status


def _result(status: str, proof: str = "") -> Result:
    return Result(status, (), 0, 0, Fraction(0), Fraction(0), 0.0, {}, proof=proof)


def test_text_given_is_held_as_the_enum_and_written_as_the_text() -> None:
    result = _result("optimal", "LP bound with teams solved exactly")
    assert result.status is Status.OPTIMAL and result.proof is Proof.TEAM
    assert json.loads(json.dumps({"status": result.status, "proof": result.proof})) == {
        "status": "optimal",
        "proof": "LP bound with teams solved exactly",
    }
    assert f"{result.status}: {result.proof}" == "optimal: LP bound with teams solved exactly"


def test_an_unknown_status_or_proof_is_refused() -> None:
    with pytest.raises(ValueError):
        _result("proven")
    with pytest.raises(ValueError):
        _result("optimal", "a proof nobody wrote down")


def test_the_old_constant_names_are_the_members() -> None:
    assert (pipeline.OPTIMAL, pipeline.FEASIBLE, pipeline.INFEASIBLE, pipeline.UNKNOWN) == (
        Status.OPTIMAL, Status.FEASIBLE, Status.INFEASIBLE, Status.UNKNOWN,
    )  # fmt: skip
    assert all(isinstance(member, Status) for member in (pipeline.OPTIMAL, pipeline.UNKNOWN))
    assert {pipeline.LP_PROOF, pipeline.TEAM_PROOF, pipeline.MIP_PROOF, pipeline.FLOW_PROOF,
            pipeline.FLOW_NEAR_PROOF} <= set(Proof)  # fmt: skip
    assert not _result("unknown").has_plan and _result("feasible").has_plan
