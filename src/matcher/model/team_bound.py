"""A tighter proven bound: the LP's Lagrangian with each binding team solved exactly.

The LP bound is weak where a team's local-ratio row binds: the LP sends two
thirds of a non-local and one third of a local into one seat, which no plan
can do. Lagrangian decomposition repairs exactly that. Keep the LP's
multipliers for every row except one team's ratio row and the seat rows of
that team's posts; solve that small 0/1 problem (those rows plus one post per
cadre) exactly; every other pair stays priced by its reduced cost. For any
multipliers this is an upper bound on every plan, and it is never weaker than
the LP bound, because the LP bound is the same problem with those rows priced
as well. On the city seeds it closes most of the LP's gap (seed 1: all of it).

Everything is in the relaxation's exact integers (units of 2⁻²⁰), so the bound
is a proof, not a floating-point estimate. A team's subproblem is shrunk first
by dominance (a pair that only costs and helps no row is never needed; of
interchangeable pairs only as many as could ever be used are kept), so each is
a few hundred Booleans whatever the instance size.
"""

from __future__ import annotations

import os
import time
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
import scipy.sparse as sp
from ortools.sat.python import cp_model

from matcher.encoding import IntArray
from matcher.model.space import PairSpace, Row

SUBPROBLEM_SECONDS = 2.0
"""Per team; an unfinished subproblem still gives a valid bound (CP-SAT's own)."""
MAX_BLOCK_PAIRS = 50_000
"""Larger merged blocks keep their LP prices: reducing one took 20 s at 5,000 × 1,500
(province seed 3), more than the whole solve could spare."""


@dataclass(frozen=True)
class TeamBound:
    """The tightened bound and which pairs it no longer prices one by one."""

    total: int
    """Upper bound on the weighted objective of every plan, scaled like the LP's."""
    in_blocks: npt.NDArray[np.bool_]
    """Pairs of the rows solved exactly: their reduced cost no longer measures their effect."""


def tighten(
    space: PairSpace,
    rows: list[Row],
    matrix: sp.csr_matrix,
    multipliers: IntArray,
    reduced: npt.NDArray[np.int64],
    lp_total: int,
    sides: IntArray,
    time_limit: float,
) -> TeamBound:
    """The LP's scaled Lagrangian ``lp_total`` minus what solving each binding team exactly saves.

    ``multipliers``, ``reduced`` and ``sides`` are the relaxation's exact scaled
    multipliers, reduced costs and the row side each multiplier prices.
    """
    start = time.perf_counter()
    in_blocks = np.zeros(space.num_pairs, dtype=bool)
    total = lp_total
    for kept in _merged(_blocks(space, rows, multipliers), rows, space.num_pairs):
        if time.perf_counter() - start > time_limit:
            break
        block = np.unique(np.concatenate([rows[i].pairs for i in kept]))
        if os.environ.get("MATCHER_DEBUG"):
            print("team block", len(kept), "rows", block.size, "pairs")
        if block.size > MAX_BLOCK_PAIRS:
            continue  # left at its LP price: the bound stays valid, only less tight
        restored = reduced[block] + matrix[kept][:, block].T @ multipliers[kept]
        before = int(np.maximum(reduced[block], 0).sum()) + int(
            sum(int(multipliers[i]) * int(sides[i]) for i in kept)
        )
        left = time_limit - (time.perf_counter() - start)
        after = _solve_block(space, [rows[i] for i in kept], block, restored, left)
        if after is None or after >= before:
            continue
        in_blocks[block] = True
        total -= before - after
    return TeamBound(total, in_blocks)


def _blocks(space: PairSpace, rows: list[Row], multipliers: IntArray) -> list[list[int]]:
    """Row indices of each team whose ratio row the LP prices: that row and its posts' seats."""
    enc = space.enc
    team_rows = [i for i, row in enumerate(rows) if row.rule.family == "local ratio"]
    teams = enc.instance.teams
    if len(team_rows) != len(teams):
        return []  # rows not as local_ratio.rows makes them: no decomposition
    seats_row_of_post = {
        int(space.post_idcs[row.pairs[0]]): i
        for i, row in enumerate(rows)
        if row.rule.family == "seats" and row.pairs.size
    }
    blocks = []
    for row_index, team in zip(team_rows, teams, strict=True):
        if multipliers[row_index] == 0:
            continue
        code = enc.strings.code(team.id)
        posts = np.flatnonzero(enc.post_team == code).tolist()
        seats = [seats_row_of_post[q] for q in posts if q in seats_row_of_post]
        blocks.append([row_index, *seats])
    return blocks


def _merged(blocks: list[list[int]], rows: list[Row], num_pairs: int) -> list[list[int]]:
    """Blocks that share a pair (a cadre leaving one team for another's post) joined as one.

    The bound sums the blocks' optima, so no pair may be in two of them.
    """
    owner = np.full(num_pairs, -1, dtype=np.int64)
    parent = list(range(len(blocks)))

    def root(b: int) -> int:
        while parent[b] != b:
            parent[b] = parent[parent[b]]
            b = parent[b]
        return b

    for b, kept in enumerate(blocks):
        for i in kept:
            pairs = rows[i].pairs
            for other in np.unique(owner[pairs]).tolist():
                if other >= 0:
                    parent[root(other)] = root(b)
            owner[pairs] = b
    groups: dict[int, list[int]] = {}
    for b, kept in enumerate(blocks):
        groups.setdefault(root(b), []).extend(kept)
    return [sorted(set(kept)) for kept in groups.values()]


def _solve_block(
    space: PairSpace,
    kept: list[Row],
    block: IntArray,
    value: npt.NDArray[np.int64],
    time_limit: float = 1e9,
) -> int | None:
    """Exact optimum (or CP-SAT's bound) of max value·x: kept rows, one post per cadre."""
    coeffs = np.zeros((len(kept), block.size), dtype=np.int64)
    for r, row in enumerate(kept):
        coeffs[r, np.searchsorted(block, row.pairs)] = row.coeffs
    keep = _undominated(space, kept, block, coeffs, value)
    block, coeffs, value = block[keep], coeffs[:, keep], value[keep]
    model = cp_model.CpModel()
    x = [model.new_bool_var("") for _ in range(block.size)]
    for r, row in enumerate(kept):
        nonzero = np.flatnonzero(coeffs[r])
        expr = cp_model.LinearExpr.weighted_sum(
            [x[j] for j in nonzero.tolist()], coeffs[r, nonzero].tolist()
        )
        if row.lower is not None:
            model.add(expr >= row.lower)
        if row.upper is not None:
            model.add(expr <= row.upper)
    cands = space.cand_idcs[block]
    for cand in np.unique(cands).tolist():
        same = np.flatnonzero(cands == cand)
        if same.size > 1:
            model.add_at_most_one([x[j] for j in same.tolist()])
    model.maximize(cp_model.LinearExpr.weighted_sum(x, value.tolist()))
    solver = cp_model.CpSolver()
    solver.parameters.num_workers = 1
    solver.parameters.max_time_in_seconds = max(min(SUBPROBLEM_SECONDS, time_limit), 0.01)
    status = solver.solve(model)
    if status == cp_model.OPTIMAL:
        return int(round(solver.objective_value))
    if status == cp_model.FEASIBLE:
        return int(np.floor(solver.best_objective_bound + 1e-6))
    return None  # infeasible cannot happen for rows the LP satisfies; unknown: no gain


def _undominated(
    space: PairSpace,
    kept: list[Row],
    block: IntArray,
    coeffs: npt.NDArray[np.int64],
    value: npt.NDArray[np.int64],
) -> npt.NDArray[np.bool_]:
    """Pairs some optimum of the block may use; the others can be left out without loss.

    1. A pair of value ≤ 0 that helps no row (no positive coefficient in a row
       with a lower side, no negative one in a row with an upper side) can be
       dropped from any plan without breaking a row or losing value.
    2. Pairs of one cadre with the same coefficients in every kept row are
       interchangeable, and only one of them can be chosen: keep the best.
    3. Pairs with the same coefficients in every kept row (the same post, and
       the same effect on the team) are interchangeable between cadres: a
       plan chooses at most ``capacity`` pairs in all, so if it uses one
       outside the best ``capacity + 1`` of its kind, one of those best is
       free and swapping to it loses nothing.
    """
    helps = np.zeros(block.size, dtype=bool)
    for r, row in enumerate(kept):
        if row.lower is not None:
            helps |= coeffs[r] > 0
        if row.upper is not None:
            helps |= coeffs[r] < 0
    keep = (value > 0) | helps
    signature = [tuple(column) for column in coeffs.T.tolist()]
    cands = space.cand_idcs[block].tolist()
    by_cadre: dict[tuple[int, tuple[int, ...]], int] = {}
    for j in np.flatnonzero(keep).tolist():
        key = (cands[j], signature[j])
        best = by_cadre.get(key)
        if best is None or value[j] > value[best]:
            by_cadre[key] = j
    survivors = sorted(by_cadre.values())
    in_seat_rows = [r for r, row in enumerate(kept) if row.upper is not None and row.lower is None]
    seats = sum(kept[r].upper or 0 for r in in_seat_rows)
    outside_seats = {cands[j] for j in survivors if not any(coeffs[r, j] for r in in_seat_rows)}
    capacity = seats + len(outside_seats) + 1
    by_kind: dict[tuple[int, ...], list[int]] = {}
    for j in survivors:
        by_kind.setdefault(signature[j], []).append(j)
    result = np.zeros(block.size, dtype=bool)
    for members in by_kind.values():
        members.sort(key=lambda j: -int(value[j]))
        result[members[:capacity]] = True
    return result
