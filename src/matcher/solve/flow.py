"""The network part of the problem solved exactly as a min-cost flow.

Rules 1, 5 and 6 (one post per cadre, seats, department quotas, must-place)
form a network: source → department → cadre → post → sink, with a bypass
from source to sink for the seats a plan leaves empty. A department's
``min_send`` and a must-place cadre are lower bounds on its arc. Only the
local-ratio rows (rule 4) lie outside it. Hence:

- the flow's optimum is an upper bound on every plan (the problem has the
  same rows and more);
- if its plan also keeps every other row, it is optimal: a classic or
  transportation problem (every OR-Library assignment instance) and any
  instance whose team rows happen to hold are solved exactly, with proof;
- no feasible flow means no plan at all.

OR-Tools' ``SimpleMinCostFlow`` is integral and exact in int64 arithmetic, and
deterministic. It works on the listed pairs only; weights are the pipeline's
folded lexicographic ones (``model.objective``), negated as costs.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

import numpy as np
from ortools.graph.python import min_cost_flow

from matcher.model.space import PairSpace
from matcher.prepare.encoding import IntArray

OPTIMAL, INFEASIBLE, UNSOLVED = "optimal", "infeasible", "unsolved"


@dataclass(frozen=True)
class FlowOutcome:
    """The flow's optimum over the listed pairs, or why there is none."""

    status: str
    """``OPTIMAL``, ``INFEASIBLE`` (no plan keeps rules 1, 5 and 6), or ``UNSOLVED``
    (the costs overflow the solver's int64 range; nothing is known)."""
    plan: IntArray | None
    """0/1 per listed pair."""
    value: int | None
    """Σ weights over the plan: an upper bound on every plan of the problem."""
    runtime: float


def network_optimum(space: PairSpace, weights: IntArray) -> FlowOutcome:
    """Max Σ ``weights``·x over 0/1 pairs x keeping rules 1, 5 and 6, as a min-cost flow."""
    start = time.perf_counter()
    enc = space.enc
    instance = enc.instance
    num_cands, num_posts = instance.num_candidates, instance.num_posts
    quota_depts = [dept for dept in instance.departments if dept.min_send > 0
                   or dept.max_send is not None]  # fmt: skip
    # nodes: 0 source, 1 sink, then departments with a quota, cadres, posts
    source, sink = 0, 1
    dept_base = 2
    cand_base = dept_base + len(quota_depts)
    post_base = cand_base + num_cands
    num_nodes = post_base + num_posts
    supplies = np.zeros(num_nodes, dtype=np.int64)

    # each cadre's feeding node: its department's if that has a quota, else the source
    cand_feed = np.full(num_cands, source, dtype=np.int64)
    dept_tails, dept_caps = [], []
    for offset, dept in enumerate(quota_depts):
        node = dept_base + offset
        members = enc.cand_department == enc.strings.code(dept.id)
        cand_feed[members] = node
        upper = int(np.count_nonzero(members)) if dept.max_send is None else dept.max_send
        lower = dept.min_send
        if lower > upper:
            return FlowOutcome(INFEASIBLE, None, None, time.perf_counter() - start)
        supplies[source] -= lower  # the arc's lower bound, carried by the supplies
        supplies[node] += lower
        dept_tails.append(node)
        dept_caps.append(upper - lower)
    must = enc.cand_must_place.astype(np.int64)
    np.subtract.at(supplies, cand_feed, must)
    supplies[cand_base : cand_base + num_cands] += must

    seats = np.array([post.seats for post in instance.posts], dtype=np.int64)
    tails = np.concatenate((
        np.full(len(quota_depts), source), cand_feed, cand_base + space.cand_idcs,
        post_base + np.arange(num_posts), [source],
    )).astype(np.int64)  # fmt: skip
    heads = np.concatenate((
        np.asarray(dept_tails, dtype=np.int64), cand_base + np.arange(num_cands),
        post_base + space.post_idcs, np.full(num_posts, sink), [sink],
    )).astype(np.int64)  # fmt: skip
    capacities = np.concatenate((
        np.asarray(dept_caps, dtype=np.int64), 1 - must, np.ones(space.num_pairs, np.int64),
        seats, [num_cands],
    )).astype(np.int64)  # fmt: skip
    costs = np.concatenate((
        np.zeros(len(quota_depts) + num_cands, np.int64), -weights.astype(np.int64),
        np.zeros(num_posts + 1, np.int64),
    ))  # fmt: skip
    supplies[source] += num_cands
    supplies[sink] -= num_cands

    solver = min_cost_flow.SimpleMinCostFlow()
    arcs = solver.add_arcs_with_capacity_and_unit_cost(tails, heads, capacities, costs)
    solver.set_nodes_supplies(np.arange(num_nodes), supplies)
    status = solver.solve()
    runtime = time.perf_counter() - start
    if status == solver.INFEASIBLE:
        return FlowOutcome(INFEASIBLE, None, None, runtime)
    if status != solver.OPTIMAL:
        return FlowOutcome(UNSOLVED, None, None, runtime)
    first_pair = len(quota_depts) + num_cands
    plan = solver.flows(arcs[first_pair : first_pair + space.num_pairs]).astype(np.int64)
    value = int(np.dot(weights.astype(np.int64), plan))
    return FlowOutcome(OPTIMAL, plan, value, time.perf_counter() - start)
