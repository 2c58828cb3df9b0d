"""Large-neighbourhood search: repair a plan that breaks rows, improve one that keeps them.

A neighbourhood is a set of posts and the cadres that could move among them:
every pair between the two is free, every other pair keeps its value in the
plan. CP-SAT solves the neighbourhood over all the problem's rows (the fixed
pairs enter as constants), so whatever it returns keeps every rule; it can
only be as good as the plan or better, never worse, as the plan itself lies in
the neighbourhood.

The neighbourhood grows from a seed post through the eligibility graph
(post → its best cadres and its holders → their current posts → ...) until it
holds ``size`` free pairs. Its size adapts (larger after a search that ended
without finding better, smaller after one that ran out of work): no size is
tuned to an instance family. Seeds are drawn from the rows the plan breaks
(repair) or from empty seats, binding teams and random posts (improvement),
from a generator seeded by the solve's seed.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
from ortools.sat.python import cp_model

from matcher.model.groups import Condition, conditions_hold
from matcher.model.space import PairSpace, Row
from matcher.prepare.encoding import IntArray
from matcher.solve import cpsat

START_SIZE = 2_000
"""Free pairs in the first neighbourhood; the size then adapts by ``GROWTH``."""
GROWTH = 1.5
WORK_PER_SEARCH = 2.0
"""CP-SAT deterministic time per neighbourhood: the stop is reproducible, not the clock's."""
CADRES_PER_POST = 8
"""Best cadres by weight a post brings into the neighbourhood (besides its holders)."""


@dataclass(frozen=True)
class Search:
    """What the search knows of the problem: pairs, rows, weights, rule 7's conditions."""

    space: PairSpace
    rows: list[Row]
    weights: IntArray
    conditions: tuple[Condition, ...] = ()

    def broken(self, plan: IntArray) -> list[IntArray]:
        """The pairs of every row, and the members of every condition, that ``plan`` breaks."""
        rows = [row.pairs for row in self.rows if not row.holds(plan)]
        return rows + [c.members for c in self.conditions if not conditions_hold([c], plan)]


def _cadres_of(search: Search, posts: IntArray, plan: IntArray) -> IntArray:
    """The posts' holders and each post's ``CADRES_PER_POST`` best cadres by weight."""
    space = search.space
    picked = []
    for post in posts.tolist():
        pairs = space.post2pairs[post]
        if pairs.size == 0:
            continue
        held = pairs[plan[pairs] == 1]
        best = pairs[np.argsort(-search.weights[pairs], kind="stable")[:CADRES_PER_POST]]
        picked.append(space.cand_idcs[np.concatenate((held, best))])
    if not picked:
        return np.zeros(0, dtype=np.int64)
    return np.unique(np.concatenate(picked))


def neighbourhood(
    search: Search, seeds: IntArray, plan: IntArray, size: int, rng: np.random.Generator
) -> np.ndarray:
    """``fixed`` for ``cpsat.build``: −1 free, else the plan's value, grown from ``seeds``."""
    space = search.space
    num_posts = space.enc.instance.num_posts
    in_posts = np.zeros(num_posts, dtype=bool)
    in_cands = np.zeros(space.enc.instance.num_candidates, dtype=bool)
    frontier = np.unique(seeds)
    free = np.zeros(space.num_pairs, dtype=bool)
    while frontier.size:
        in_posts[frontier] = True
        cands = _cadres_of(search, frontier, plan)
        cands = cands[~in_cands[cands]]
        in_cands[cands] = True
        free = in_cands[space.cand_idcs] & in_posts[space.post_idcs]
        if int(np.count_nonzero(free)) >= size or cands.size == 0:
            break
        # the new cadres' current and best posts join next
        pairs = np.concatenate([space.cand2pairs[c] for c in cands.tolist()])
        nxt = np.unique(space.post_idcs[pairs[plan[pairs] == 1]])
        best = space.post_idcs[pairs[np.argsort(-search.weights[pairs], kind="stable")]]
        nxt = np.concatenate((nxt, best[: max(1, cands.size)]))
        nxt = np.unique(nxt[~in_posts[nxt]])
        if nxt.size == 0:  # a closed component: jump to a random post
            outside = np.flatnonzero(~in_posts)
            nxt = outside[rng.integers(outside.size, size=1)] if outside.size else nxt
        frontier = nxt
    # the neighbourhood's cadres may also leave for nothing: their current pairs are free
    free |= in_cands[space.cand_idcs] & (plan == 1)
    fixed = plan.astype(np.int8)
    fixed[free] = -1
    return fixed


def search_once(
    search: Search,
    fixed: np.ndarray,
    start: IntArray,
    seconds: float,
    seed: int,
) -> tuple[IntArray | None, bool]:
    """CP-SAT over the free pairs of ``fixed`` from ``start``: (its best plan, whether the
    neighbourhood was searched to the end)."""
    # no cap at the proven bound: as a row it slowed CP-SAT (city, a broken team row:
    # no plan in 2.9 units of work with it, the neighbourhood's optimum in 1.2 without)
    built = cpsat.build(search.space.num_pairs, search.rows, search.weights, fixed=fixed)
    cpsat.add_conditions(built, list(search.conditions))
    for var, value in zip(built.x, start[built.free].tolist(), strict=True):
        built.model.add_hint(var, value)
    solver = cp_model.CpSolver()
    parameters = solver.parameters
    parameters.max_time_in_seconds = max(seconds, 0.01)
    parameters.max_deterministic_time = WORK_PER_SEARCH
    parameters.random_seed = seed
    parameters.num_workers = 1
    # the LP over the neighbourhood finds plans fast here (city, a broken team row, 12,000
    # free pairs: optimal in 1.2 units of work, none found in 6.2 without it)
    parameters.linearization_level = 2
    status = solver.solve(built.model)
    if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        return None, status == cp_model.INFEASIBLE
    solution = np.fromiter(solver.response_proto.solution, dtype=np.int64)
    return built.plan_values(solution, search.space.num_pairs), status == cp_model.OPTIMAL


def _row_posts(search: Search, broken: list[IntArray], plan: IntArray) -> IntArray:
    """Where a repair starts: the posts of the plan's pairs in the broken rows (the pairs
    that break them), or failing those the posts the rows' pairs lead to."""
    space = search.space
    posts = [space.post_idcs[pairs[plan[pairs] == 1]] for pairs in broken]
    if not any(p.size for p in posts):
        posts = [space.post_idcs[pairs] for pairs in broken]
    if not posts:
        return np.zeros(0, dtype=np.int64)
    return np.unique(np.concatenate(posts))


def repair(search: Search, plan: IntArray, deadline: float, seed: int) -> IntArray | None:
    """A plan keeping every row, searched around the rows ``plan`` breaks; None if none
    was found before ``deadline`` (``time.perf_counter()``)."""
    rng = np.random.default_rng(seed)
    size = START_SIZE
    current = plan
    while time.perf_counter() < deadline:
        broken = search.broken(current)
        if not broken:
            return current
        posts = _row_posts(search, broken, current)
        if posts.size == 0:
            return None
        fixed = neighbourhood(search, posts, current, size * max(1, len(broken)), rng)
        found, complete = search_once(search, fixed, current, deadline - time.perf_counter(),
                                      seed)  # fmt: skip
        if found is not None:
            return found
        if size >= search.space.num_pairs:
            return None
        size = int(size * GROWTH * (2 if complete else 1))
    return None


def improve(
    search: Search,
    plan: IntArray,
    bound: int,
    deadline: float,
    seed: int,
    on_better: Callable[[IntArray], None] = lambda plan: None,
) -> IntArray:
    """A plan at least as good as ``plan`` (which keeps every row), better where a
    neighbourhood allows, until ``deadline`` or until it reaches ``bound``."""
    rng = np.random.default_rng(seed)
    space = search.space
    weights = search.weights
    value = int(np.dot(weights, plan))
    size = START_SIZE
    seats = np.array([post.seats for post in space.enc.instance.posts], dtype=np.int64)
    while value < bound and time.perf_counter() < deadline:
        filled = np.bincount(space.post_idcs[plan == 1], minlength=seats.size)
        empty = np.flatnonzero((filled < seats) & (space.post_degree > 0))
        if empty.size and rng.random() < 0.5:
            seeds = empty[rng.integers(empty.size, size=1)]
        else:
            seeds = rng.integers(seats.size, size=1)
        fixed = neighbourhood(search, seeds, plan, size, rng)
        found, complete = search_once(search, fixed, plan, deadline - time.perf_counter(),
                                      seed)  # fmt: skip
        if found is not None and int(np.dot(weights, found)) > value:
            plan, value = found, int(np.dot(weights, found))
            on_better(plan)
        elif complete and bool(np.all(fixed < 0)):
            break  # every pair was free and searched to the end: nothing better here
        elif complete:
            size = min(int(size * GROWTH), space.num_pairs)
        else:
            size = max(START_SIZE // 2, int(size / GROWTH))
    return plan
