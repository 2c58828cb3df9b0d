"""The optimisation model: one module per constraint family, shared by the LP and CP-SAT.

Rules 2 and 3 (eligibility, birthplace avoidance) are applied before any model
exists, by keeping only eligible pairs (``matcher.prepare.eligibility``). Each module
here yields the rows of one remaining family.
"""

from __future__ import annotations

from matcher.model import groups, local_ratio, must_place, quotas, seats
from matcher.model.space import PairSpace, Row, RuleInstance

FAMILIES = (seats, must_place, quotas, local_ratio, groups)
"""``groups`` (rule 7) yields no row for an instance without groups: v1 models are unchanged."""


def collect_rows(space: PairSpace) -> list[Row]:
    """Every row of every family, in a fixed order: the same model, so the same plan."""
    return [row for family in FAMILIES for row in family.rows(space)]


__all__ = ["FAMILIES", "PairSpace", "Row", "RuleInstance", "collect_rows"]
