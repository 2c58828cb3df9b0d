"""Rule 5: each sending department sends between ``min_send`` and ``max_send`` cadres (seed 001)."""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np

from matcher.model.space import PairSpace, Row, RuleInstance, group_by, labelled, named_zh, ones


def rows(space: PairSpace) -> Iterator[Row]:
    """One row per department in the departments table whose quota can bind."""
    enc = space.enc
    num_codes = len(enc.strings.code2string)
    dept_of_pair = enc.cand_department[space.cand_idcs]
    code2pairs = group_by(dept_of_pair, num_codes) if num_codes else []
    # eligible pairs per department over all pairs (a restricted space holds fewer)
    code2degree = np.bincount(
        enc.cand_department[enc.cand_department >= 0],
        weights=space.cand_degree[enc.cand_department >= 0],
        minlength=num_codes,
    ).astype(np.int64)
    for idx, dept in enumerate(enc.instance.departments):
        code = enc.strings.code(dept.id)
        pairs = code2pairs[code] if 0 <= code < len(code2pairs) else dept_of_pair[:0]
        degree = int(code2degree[code]) if 0 <= code < code2degree.size else 0
        lower = dept.min_send if dept.min_send > 0 else None
        upper = dept.max_send if dept.max_send is not None and degree > dept.max_send else None
        if lower is None and upper is None:
            continue
        detail = f"sends {dept.min_send}..{'∞' if dept.max_send is None else dept.max_send}"
        rule = RuleInstance(
            5,
            "department quota",
            labelled("department", dept.id, dept.name),
            detail,
            f"单位{named_zh(dept.id, dept.name)}选派{dept.min_send}至"
            f"{'不限' if dept.max_send is None else dept.max_send}人",
        )
        yield Row(pairs, ones(pairs), lower, upper, rule, owner=idx)
