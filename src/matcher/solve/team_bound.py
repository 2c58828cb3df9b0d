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

import logging
import time
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
import scipy.sparse as sp
from ortools.sat.python import cp_model

from matcher.model.space import PairSpace, Row
from matcher.prepare.encoding import IntArray

_log = logging.getLogger(__name__)
SUBPROBLEM_SECONDS = 2.0
"""Per team; an unfinished subproblem still gives a valid bound (CP-SAT's own)."""
MAX_BLOCK_PAIRS = 50_000
"""Larger merged blocks are solved team by team (``_split_saving``): reducing one whole
took 20 s at 5,000 × 1,500 (province seed 3), more than the whole solve could spare."""
MAX_SUBGRADIENT_STEPS = 30
"""Steps on the split copies' prices; on province seeds 1 and 3 the bound moved by less
than 0.1 unit of fit after the tenth."""


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
    target: int | None = None,
) -> TeamBound:
    """The LP's scaled Lagrangian ``lp_total`` minus what solving each binding team exactly saves.

    ``multipliers``, ``reduced`` and ``sides`` are the relaxation's exact scaled
    multipliers, reduced costs and the row side each multiplier prices. ``target``
    (a plan's scaled value) is where tightening can stop: the bound has reached it.
    """
    deadline = time.perf_counter() + time_limit
    in_blocks = np.zeros(space.num_pairs, dtype=bool)
    total = lp_total
    for group in _merged(_blocks(space, rows, multipliers), rows, space.num_pairs):
        if time.perf_counter() > deadline:
            break
        kept = sorted({i for block in group for i in block})
        block = np.unique(np.concatenate([rows[i].pairs for i in kept]))
        _log.debug("team block %s teams %s rows %s pairs", len(group), len(kept), block.size)
        if block.size > MAX_BLOCK_PAIRS:
            goal = None if target is None else target - (total - lp_total)
            saving = _split_saving(space, rows, group, matrix, multipliers, reduced, sides,
                                   lp_total, deadline, goal)  # fmt: skip
        else:
            restored = reduced[block] + matrix[kept][:, block].T @ multipliers[kept]
            before = int(np.maximum(reduced[block], 0).sum()) + _priced(multipliers, sides, kept)
            solved = _solve_block(space, [rows[i] for i in kept], block, restored,
                                  deadline - time.perf_counter())  # fmt: skip
            saving = 0 if solved is None else before - solved[0]
        if saving > 0:
            in_blocks[block] = True
            total -= saving
    return TeamBound(total, in_blocks)


def _shares(
    reduced: npt.NDArray[np.int64],
    copies: IntArray,
    is_first: npt.NDArray[np.bool_],
    lam: npt.NDArray[np.int64],
) -> npt.NDArray[np.int64]:
    """One block's share of its pairs' reduced costs, given each pair's number of ``copies``,
    whether this block holds the first copy, and the price ``lam`` between two copies.

    A pair's shares over its copies sum to its reduced cost, whatever ``lam``: that is what
    keeps the split bound valid. One copy: all of it; two: half + λ in the first, the rest
    − λ in the second; more (never expected): all in the first.
    """
    share = np.where(is_first, reduced, 0)
    two = copies == 2
    half = reduced[two] // 2
    share[two] = np.where(is_first[two], half + lam[two], reduced[two] - half - lam[two])
    return share


def _priced(multipliers: IntArray, sides: IntArray, kept: list[int]) -> int:
    """``Σ multiplier·side`` over the rows ``kept``, in Python integers."""
    return sum(int(multipliers[i]) * int(sides[i]) for i in kept)


def _split_saving(
    space: PairSpace,
    rows: list[Row],
    blocks: list[list[int]],
    matrix: sp.csr_matrix,
    multipliers: IntArray,
    reduced: npt.NDArray[np.int64],
    sides: IntArray,
    lp_total: int,
    deadline: float,
    goal: int | None,
) -> int:
    """What solving each team of a group too big to solve whole saves, each team on its own.

    A pair in two teams' blocks (a cadre leaving one team for the other's post)
    gets a copy in each. Its reduced cost is shared between the copies, ``λ`` more
    in the first and ``λ`` less in the second. For any ``λ`` the bound stays
    valid: a plan's pair takes the same value in both copies, so its value splits
    into the blocks' objectives, each at most that block's optimum. ``λ`` then
    moves by subgradient steps towards agreement of the copies (aiming at
    ``goal``, the bound at which tightening can stop); the best bound is kept.
    """
    pairs_of = [np.unique(np.concatenate([rows[i].pairs for i in block])) for block in blocks]
    count = np.zeros(space.num_pairs, dtype=np.int64)
    first = np.full(space.num_pairs, -1, dtype=np.int64)
    second = np.full(space.num_pairs, -1, dtype=np.int64)
    for b, pairs in enumerate(pairs_of):
        count[pairs] += 1
        new = first[pairs] < 0
        first[pairs[new]] = b
        second[pairs[~new & (second[pairs] < 0)]] = b
    every = np.flatnonzero(count)
    shared = every[count[every] == 2]
    base = int(np.maximum(reduced[every], 0).sum()) + _priced(
        multipliers, sides, [i for block in blocks for i in block]
    )
    lam = np.zeros(space.num_pairs, dtype=np.int64)
    optimum = [0] * len(blocks)
    chosen = np.zeros((2, space.num_pairs), dtype=bool)
    """What each block's optimum does with its first (0) and second (1) copies."""
    row_part = [matrix[block][:, pairs].T @ multipliers[block]
                for block, pairs in zip(blocks, pairs_of, strict=True)]  # fmt: skip
    """Each pair's value from its block's own rows, which the block solves exactly."""
    dirty = set(range(len(blocks)))
    best = None
    step_scale, stalled = 1.0, 0
    for _ in range(MAX_SUBGRADIENT_STEPS):
        for b in sorted(dirty):
            pairs = pairs_of[b]
            share = _shares(reduced[pairs], count[pairs], first[pairs] == b, lam[pairs])
            solved = _solve_block(space, [rows[i] for i in blocks[b]], pairs, share + row_part[b],
                                  deadline - time.perf_counter())  # fmt: skip
            if solved is None:  # no optimum in time: the block's own LP bound holds
                optimum[b] = int(np.maximum(share, 0).sum()) + _priced(multipliers, sides,
                                                                       blocks[b])  # fmt: skip
                solution = np.zeros(pairs.size, dtype=bool)
            else:
                optimum[b], solution = solved
            chosen[0, pairs[first[pairs] == b]] = solution[first[pairs] == b]
            chosen[1, pairs[second[pairs] == b]] = solution[second[pairs] == b]
        bound = lp_total - base + sum(optimum)
        if best is None or bound < best:
            best, stalled = bound, 0
        else:
            stalled += 1
            if stalled == 2:
                step_scale, stalled = step_scale / 2, 0
        disagree = chosen[0, shared].astype(np.int64) - chosen[1, shared]
        if _log.isEnabledFor(logging.DEBUG):
            _log.debug(f"split teams: bound {bound / 2**20:.2f} best {best / 2**20:.2f}"
                       f" solved {len(dirty)} disagree {np.count_nonzero(disagree)}")  # fmt: skip
        if goal is None or best <= goal or not disagree.any():
            break
        if time.perf_counter() > deadline:
            break
        moved = shared[disagree != 0]
        step = step_scale * (bound - goal) / float(disagree @ disagree)
        lam[moved] -= np.round(step * disagree[disagree != 0]).astype(np.int64)
        dirty = set(first[moved].tolist()) | set(second[moved].tolist())
    return lp_total - (best if best is not None else lp_total)


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


def _merged(blocks: list[list[int]], rows: list[Row], num_pairs: int) -> list[list[list[int]]]:
    """Blocks that share a pair (a cadre leaving one team for another's post), grouped.

    The bound sums the groups' optima, so no pair may be in two of them; a group
    small enough is solved as one block.
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
    groups: dict[int, list[list[int]]] = {}
    for b, kept in enumerate(blocks):
        groups.setdefault(root(b), []).append(kept)
    return list(groups.values())


def _solve_block(
    space: PairSpace,
    kept: list[Row],
    block: IntArray,
    value: npt.NDArray[np.int64],
    time_limit: float = 1e9,
) -> tuple[int, npt.NDArray[np.bool_]] | None:
    """Exact optimum (or CP-SAT's bound) of max value·x: kept rows, one post per cadre.

    With it, which pairs of ``block`` the best solution found chooses.
    """
    coeffs = np.zeros((len(kept), block.size), dtype=np.int64)
    for r, row in enumerate(kept):
        coeffs[r, np.searchsorted(block, row.pairs)] = row.coeffs
    keep = np.flatnonzero(_undominated(space, kept, block, coeffs, value))
    full_size = block.size
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
    if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        return None  # infeasible cannot happen for rows the LP satisfies; unknown: no gain
    chosen = np.zeros(full_size, dtype=bool)
    chosen[keep] = np.fromiter(solver.response_proto.solution, dtype=np.int64) > 0
    if status == cp_model.OPTIMAL:
        return int(round(solver.objective_value)), chosen
    return int(np.floor(solver.best_objective_bound + 1e-6)), chosen


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
    signature = _column_ids(coeffs)
    cands = space.cand_idcs[block]
    candidates = np.flatnonzero((value > 0) | helps)
    survivors = np.sort(_best_of_each(candidates, value, cands, signature, 1))
    in_seat_rows = [r for r, row in enumerate(kept) if row.upper is not None and row.lower is None]
    seats = sum(kept[r].upper or 0 for r in in_seat_rows)
    outside = ~np.any(coeffs[in_seat_rows][:, survivors] != 0, axis=0)
    capacity = seats + np.unique(cands[survivors[outside]]).size + 1
    result = np.zeros(block.size, dtype=bool)
    result[_best_of_each(survivors, value, signature, signature, capacity)] = True
    return result


def _best_of_each(
    pairs: IntArray, value: npt.NDArray[np.int64], key: IntArray, kind: IntArray, count: int
) -> IntArray:
    """The ``count`` best of ``pairs`` by value for each (key, kind); ties: lower index first."""
    order = pairs[np.lexsort((pairs, -value[pairs], kind[pairs], key[pairs]))]
    new_group = np.ones(order.size, dtype=bool)
    new_group[1:] = (key[order[1:]] != key[order[:-1]]) | (kind[order[1:]] != kind[order[:-1]])
    starts = np.flatnonzero(new_group)
    rank = np.arange(order.size) - np.repeat(starts, np.diff(np.append(starts, order.size)))
    return order[rank < count]


def _column_ids(coeffs: npt.NDArray[np.int64]) -> IntArray:
    """One id per distinct column of ``coeffs``, built row by row (``np.unique`` over whole
    columns sorts them as byte strings: 8.7 of 12 s at province)."""
    ids = np.zeros(coeffs.shape[1], dtype=np.int64)
    for row in coeffs:
        span = int(row.max(initial=0)) - int(row.min(initial=0)) + 1
        ids = np.unique(ids * span + (row - row.min(initial=0)), return_inverse=True)[1]
    return ids.ravel()
