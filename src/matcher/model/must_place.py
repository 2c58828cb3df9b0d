"""Rule 6: a cadre with ``years_in_post >= must_place_years`` must be placed (seed 002)."""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np

from matcher.model.space import PairSpace, Row, RuleInstance, labelled, named_zh, ones


def rows(space: PairSpace) -> Iterator[Row]:
    """Each must-place cadre takes one of their eligible posts (none eligible: infeasible)."""
    instance = space.enc.instance
    years = instance.rules.must_place_years
    for cand_idx in np.flatnonzero(space.enc.cand_must_place).tolist():
        cand = instance.candidates[cand_idx]
        pairs = space.cand2pairs[cand_idx]
        degree = int(space.cand_degree[cand_idx])
        rule = RuleInstance(
            6,
            "must place",
            labelled("cadre", cand.id, cand.name),
            f"{cand.years_in_post} years in post (≥ {years}); {degree} eligible posts",
            f"干部{named_zh(cand.id, cand.name)}任职{cand.years_in_post}年"
            f"（满{years}年须交流），符合条件的岗位{degree}个",
        )
        yield Row(pairs, ones(pairs), 1, None, rule, owner=cand_idx)
