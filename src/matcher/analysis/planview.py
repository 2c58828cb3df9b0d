"""A plan seen through the model's rows: what a change of one or two assignments would break.

Alternates and explanations both ask "what if this cadre took that seat
instead?". Re-solving is not needed: the rows touched by the pairs that change
are re-evaluated exactly, and the rows that would fail are returned by name.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

from matcher.model.space import Row
from matcher.prepare.encoding import IntArray
from matcher.solve import implicit
from matcher.solve.pipeline import Prepared, restricted
from matcher.solve.relaxation import constraint_matrix


class PlanView:
    """A plan (pair indices) with each row's activity, for exact what-if checks."""

    def __init__(self, prepared: Prepared, plan_pairs: IntArray) -> None:
        self.prepared = prepared
        space = prepared.space
        self.plan_pairs = plan_pairs
        self.values = np.zeros(space.num_pairs, dtype=np.int64)
        self.values[plan_pairs] = 1
        matrix = constraint_matrix(prepared.rows, space.num_pairs)
        self.activity = matrix @ self.values
        self.columns = matrix.tocsc()
        unbounded = np.iinfo(np.int64)
        self.lower = np.array([unbounded.min if r.lower is None else r.lower
                               for r in prepared.rows], dtype=np.int64)  # fmt: skip
        self.upper = np.array([unbounded.max if r.upper is None else r.upper
                               for r in prepared.rows], dtype=np.int64)  # fmt: skip
        self.placed_at = np.full(prepared.enc.instance.num_candidates, -1, dtype=np.int64)
        self.placed_at[space.cand_idcs[plan_pairs]] = plan_pairs
        self.holders: dict[int, list[int]] = {p: [] for p in range(prepared.enc.instance.num_posts)}
        for k in plan_pairs.tolist():
            self.holders[int(space.post_idcs[k])].append(k)

    @classmethod
    def from_assignments(cls, prepared: Prepared, assignments: list[tuple[int, int]]) -> PlanView:
        """From (candidate index, post index) pairs; every one must be an eligible pair."""
        return cls(prepared, cls.pair_indices(prepared, assignments))

    @staticmethod
    def pair_indices(prepared: Prepared, assignments: list[tuple[int, int]]) -> IntArray:
        """The pair index of each (candidate index, post index); KeyError if one is not eligible."""
        space = prepared.space
        width = prepared.enc.instance.num_candidates
        keys = space.post_idcs * width + space.cand_idcs
        order = np.argsort(keys, kind="stable")  # already sorted by post, then cadre
        wanted = np.array([p * width + c for c, p in assignments], dtype=np.int64)
        if wanted.size and not keys.size:  # nothing listed (a universe's empty model)
            raise KeyError("an assignment is not an eligible pair of the model")
        found = np.searchsorted(keys, wanted, sorter=order)
        found = order[np.minimum(found, max(keys.size - 1, 0))] if keys.size else found
        if wanted.size and (found.size != wanted.size or np.any(keys[found] != wanted)):
            raise KeyError("an assignment is not an eligible pair")
        return found.astype(np.int64)

    def _column(self, k: int) -> tuple[IntArray, IntArray]:
        start, end = self.columns.indptr[k], self.columns.indptr[k + 1]
        return self.columns.indices[start:end], self.columns.data[start:end]

    def broken_rows(self, leaving: list[int], joining: list[int]) -> list[Row]:
        """Rows that would fail if the pairs ``leaving`` left the plan and ``joining`` joined."""
        delta: dict[int, int] = {}
        for pairs, sign in ((leaving, -1), (joining, 1)):
            for k in pairs:
                rows, coeffs = self._column(k)
                for row, coeff in zip(rows.tolist(), coeffs.tolist(), strict=True):
                    delta[row] = delta.get(row, 0) + sign * coeff
        broken = []
        for index, change in delta.items():
            row = self.prepared.rows[index]
            total = int(self.activity[index]) + change
            if (row.lower is not None and total < row.lower) or (
                row.upper is not None and total > row.upper
            ):
                broken.append(row)
        return broken

    def feasible_swaps(self, leaving: int, joining: IntArray) -> npt.NDArray[np.bool_]:
        """For each pair of ``joining``: would every row hold if it replaced ``leaving``?

        The same exact test as ``broken_rows(leaving, [j])`` for each ``j``, at once: the
        rows either column touches, with the plan's activity, minus ``leaving``'s
        coefficients, plus each joining pair's.
        """
        rows_k, coeffs_k = self._column(leaving)
        block = self.columns[:, joining]
        # rows of the leaving column: its coefficients out, each joining column's in
        shared = block.tocsr()[rows_k].toarray()
        total = (self.activity[rows_k] - coeffs_k)[:, None] + shared
        lower, upper = self.lower[rows_k][:, None], self.upper[rows_k][:, None]
        broken = np.any((total < lower) | (total > upper), axis=0)
        # every other row a joining column touches: only that column's coefficient in
        entries = block.tocoo()
        own = ~np.isin(entries.row, rows_k)
        rows, cols = entries.row[own], entries.col[own]
        after = self.activity[rows] + entries.data[own]
        fails = (after < self.lower[rows]) | (after > self.upper[rows])
        broken |= np.bincount(cols[fails], minlength=joining.size) > 0
        return ~broken

    def pair(self, cand: int, post: int) -> int | None:
        """The eligible pair index of (cadre, post), or None if the pair is excluded."""
        pairs = self.prepared.space.cand2pairs[cand]
        hits = pairs[self.prepared.space.post_idcs[pairs] == post]
        return int(hits[0]) if hits.size else None


def cadre_keys(universe: implicit.Universe, cand: int) -> IntArray:
    """Keys (``implicit.pair_keys``) of every eligible pair of one cadre, from the bits."""
    column = universe.eligible_bits[:, cand >> 3]
    posts = np.flatnonzero((column >> (7 - (cand & 7))) & 1).astype(np.int64)
    return implicit.pair_keys(universe, np.full(posts.size, cand, dtype=np.int64), posts)


def post_keys(universe: implicit.Universe, post: int) -> IntArray:
    """Keys of every eligible pair of one post, from the bits."""
    cands = np.flatnonzero(universe.eligible(post, post + 1)[0]).astype(np.int64)
    return implicit.pair_keys(universe, cands, np.full(cands.size, post, dtype=np.int64))


def focused(
    prepared: Prepared,
    assignments: list[tuple[int, int]],
    cands: list[int] | tuple[int, ...] = (),
    posts: list[int] | tuple[int, ...] = (),
) -> Prepared:
    """A model that lists what a what-if about ``cands`` and ``posts`` needs.

    With every pair listed, ``prepared`` itself. Otherwise (``model.implicit``: at
    national scale 338M pairs are never listed) the full problem's rows over the
    plan's pairs and every eligible pair of the given cadres and posts: the rows'
    activities depend on the plan's pairs only, so each what-if on those pairs is
    exact, and nothing else is listed (a few seconds and megabytes, not gigabytes).
    """
    universe = prepared.universe
    if universe is None or prepared.all_listed:
        return prepared
    plan_cands = np.array([c for c, _ in assignments], dtype=np.int64)
    plan_posts = np.array([p for _, p in assignments], dtype=np.int64)
    parts = [implicit.pair_keys(universe, plan_cands, plan_posts)]
    parts += [cadre_keys(universe, cand) for cand in cands]
    parts += [post_keys(universe, post) for post in posts]
    return restricted(universe, np.unique(np.concatenate(parts)))
