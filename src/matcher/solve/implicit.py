"""Pairs never all held in memory: price, bound and pick them block by block.

At national scale (50,000 cadres × 10,000 posts) about 330 million pairs are
eligible; with their fit terms, weights and row entries that is ~80 GiB. But a
pair's column is implicit in its two ends: coefficient 1 in its cadre's
one-post and must-place rows, its post's seats row and its cadre's department
row, and ``b·local − a`` in the ratio row of the team it joins (minus that of the
team it leaves; ``local_ratio``). Its weight is ``M·priority + fit``, and fit is
a cadre term, a (cadre, post kind) term, a (department category, post) term and
sparse preference and affinity bonuses. So given row multipliers, the reduced
cost of every pair of a block of posts × all cadres is a few numpy operations.

``Universe`` holds what that needs; eligibility is kept as one bit per pair
(62 MB at national scale). With it the solver (``matcher.solve.pipeline``):

1. starts the LP from a restricted set of pairs (``start_pairs``): each post's and
   cadre's best, and enough columns for every row with a lower side;
2. grows it by column generation (``solve_lp``): after each GLOP solve one pass
   over all blocks finds the pairs of positive reduced cost, the best few per post
   join, until none is left;
3. proves the bound over ALL pairs: the Lagrangian bound of ``relaxation`` with the
   same integer multipliers, its ``Σ max(0, reduced)`` summed block by block,
   exactly (the same pass);
4. names the pairs outside the restricted set whose reduced cost is ≥ −slack
   (``near_pairs``): only those can be in a better plan, so they join the final
   search, and the best reduced cost of any pair still left out bounds every plan
   that uses one.

The restricted ``PairSpace`` carries the full problem's ``Degrees``, so it has the
same rows, in the same order, as the full one: the multipliers of one are the
multipliers of the other.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from matcher.instance import PREFERENCE_BONUS, PostKind
from matcher.model import collect_rows
from matcher.model import objective as objective_module
from matcher.model.space import Degrees, PairSpace, Row, row_sides
from matcher.prepare.eligibility import Exclusion, exclusion_mask
from matcher.prepare.encoding import Encoded, IntArray
from matcher.prepare.fit import pair_fit, weight_scale
from matcher.solve.glop import ColumnGLOP
from matcher.solve.relaxation import DUAL_SCALE, multipliers, priced_sides, sides_of
from matcher.solve.result import Status

BoolArray = npt.NDArray[np.bool_]
FloatArray = npt.NDArray[np.float64]
BLOCK_CELLS = 2_000_000
"""Cadre × post cells per block: a handful of int64 arrays of this size at a time."""
START_PER_CADRE = 2
START_PER_POST = 4
"""The first LP's columns: each cadre's and each post's (times its seats) best pairs by weight.
Smaller than ``relaxation``'s (4, 40): at national scale the pricing pass finds the rest
faster than GLOP digests a large first LP."""
FORCING_COLUMNS = 20
"""Columns per unit of a row's lower side (best by weight), as in ``relaxation``."""
ADD_PER_POST = 10
ADD_PER_CADRE = 2
"""At most this many improving pairs per post, and per cadre, join the LP each round: at
national scale 30 per post (``relaxation``'s) grew the LP by 300,000 columns a round, most
of them for the same popular cadres, and GLOP took 70 s a solve by round 4."""
NEAR_PAIRS = 1_000_000
"""About this many pairs at most join the final search from outside the LP, spread evenly
over the posts (``near_per_post``); any pair left out still bounds the plans using it."""
NEAR_PER_POST_AT_LEAST = 40


def near_per_post(num_posts: int) -> int:
    """Pairs per post that may join the final search: all that could improve on small
    instances, the best ``NEAR_PER_POST_AT_LEAST`` at national scale."""
    return max(NEAR_PER_POST_AT_LEAST, NEAR_PAIRS // max(num_posts, 1))


MAX_ROUNDS = 60
IMPROVING = 1 << 10
"""A pair joins the LP when its reduced cost exceeds 2⁻¹⁰ (scaled by 2²⁰): the duals are
rounded to 2⁻²⁰, so pairs of reduced cost 0 priced a few units above it, and at a
threshold of one unit province ended in 40 rounds adding 4 such pairs each."""
BLOCKS_PER_ROUND = 64
"""Partial pricing: a round prices about this many blocks (all of them below ~128)."""
MULTIPLIER_ROUNDS = 1
"""Seat-then-cadre steps after column generation (``best_multipliers``), two passes each,
kept aside from the LP's budget. More gave the same bound at national scale (seed 1
after one LP round: 17,546 coverage after 1, 2, 3 and 4 steps; seed 2 after 13 rounds:
15,754 after 1 and 2), and each costs two passes the LP could use."""
PRICING_THREADS = 2
"""Blocks priced at once (the machine has 2 cores; GLOP is idle while pricing runs)."""
PENALTY_RAISES = 2
"""Artificial columns start at 4× the largest weight and are raised 16× at most this often
(duals of lower sides are about one weight: forcing a cadre in displaces one other);
beyond that the implicit LP gives up (and ``solve`` lists the pairs, if it can)."""
SAFE = 1 << 62
_NONE = np.iinfo(np.int64).min + 1
"""Stands for "no pair" in a block of values; its negation is still an int64."""


_log = logging.getLogger(__name__)


def _debug(*values: object) -> None:
    """Progress of the implicit path, at DEBUG level (``MATCHER_DEBUG=1`` on the CLI)."""
    if _log.isEnabledFor(logging.DEBUG):
        _log.debug("implicit: %s", " ".join(map(str, values)))


@dataclass(frozen=True)
class RowMap:
    """Which row of the full problem each cadre, post, department and team owns (−1: none)."""

    rows: list[Row]
    lower: FloatArray
    upper: FloatArray
    cand_one: IntArray
    cand_must: IntArray
    cand_dept: IntArray
    """The quota row of each cadre's department."""
    post_seats: IntArray
    cand_team: IntArray
    """Index in ``instance.teams`` of each cadre's current team, −1 if none or not listed."""
    post_team: IntArray
    team_row: IntArray
    team_a: IntArray
    team_b: IntArray
    team_region: IntArray

    @property
    def num_rows(self) -> int:
        return len(self.rows)


def _row_map(enc: Encoded, degrees: Degrees) -> RowMap:
    """The full problem's rows (over no pairs: the ``Degrees`` decide which exist), mapped."""
    instance = enc.instance
    empty = np.zeros(0, dtype=np.int64)
    rows = collect_rows(PairSpace(enc, empty, empty, degrees))
    num_cands, num_posts = instance.num_candidates, instance.num_posts
    cand_one = np.full(num_cands, -1, np.int64)
    cand_must = np.full(num_cands, -1, np.int64)
    post_seats = np.full(num_posts, -1, np.int64)
    dept_row = np.full(len(instance.departments), -1, np.int64)
    team_row = np.full(len(instance.teams), -1, np.int64)
    slot = {
        "one post": cand_one,
        "must place": cand_must,
        "seats": post_seats,
        "department quota": dept_row,
        "local ratio": team_row,
    }
    for index, row in enumerate(rows):
        slot[row.rule.family][row.owner] = index
    num_codes = len(enc.strings.code2string)
    code2dept_row = np.full(num_codes + 1, -1, np.int64)
    code2team = np.full(num_codes + 1, -1, np.int64)
    for idx, dept in enumerate(instance.departments):
        code = enc.strings.code(dept.id)
        if 0 <= code < num_codes:
            code2dept_row[code] = dept_row[idx]
    for idx, team in enumerate(instance.teams):
        code = enc.strings.code(team.id)
        if 0 <= code < num_codes:
            code2team[code] = idx
    ratios = [instance.team_ratio(team) for team in instance.teams]
    lower, upper = row_sides(rows)
    return RowMap(
        rows=rows,
        lower=lower,
        upper=upper,
        cand_one=cand_one,
        cand_must=cand_must,
        cand_dept=code2dept_row[enc.cand_department],  # code −1 reads the last entry: −1
        post_seats=post_seats,
        cand_team=code2team[enc.cand_current_team],
        post_team=code2team[enc.post_team],
        team_row=team_row,
        team_a=np.array([r.numerator for r in ratios], dtype=np.int64),
        team_b=np.array([r.denominator for r in ratios], dtype=np.int64),
        team_region=np.array([enc.strings.code(t.region) for t in instance.teams], np.int64),
    )


@dataclass(frozen=True)
class Universe:
    """Everything needed to price any (cadre, post) pair without listing the pairs."""

    enc: Encoded
    eligible_bits: npt.NDArray[np.uint8]
    """Row ``j``: ``np.packbits`` of post ``j``'s eligibility over all cadres."""
    degrees: Degrees
    reason_counts: dict[Exclusion, int]
    cand_fit_range: tuple[IntArray, IntArray]
    """Best and worst fit of each cadre over all its eligible pairs (``objective.build``)."""
    coverage_weight: int
    rowmap: RowMap
    # fit = cand_fit[i] + kind_fit[i, kind[j]] + category_fit[j, category[i]] + sparse (i, j)
    cand_fit: IntArray
    kind_fit: IntArray
    kind_base: IntArray
    """``cand_fit + kind_fit`` by post kind (kinds × cadres): one row per post kind."""
    category_fit: IntArray
    cand_category: IntArray
    sparse_post: IntArray
    sparse_cand: IntArray
    sparse_fit: IntArray
    """Preference and affinity bonuses, sorted by post (a pair may appear twice)."""

    @property
    def num_cands(self) -> int:
        return self.enc.instance.num_candidates

    @property
    def num_posts(self) -> int:
        return self.enc.instance.num_posts

    @property
    def num_pairs(self) -> int:
        return int(self.degrees.per_post.sum())

    def blocks(self) -> Iterator[tuple[int, int]]:
        """Post ranges ``[start, end)`` of about ``BLOCK_CELLS`` cells against all cadres."""
        size = max(1, BLOCK_CELLS // max(self.num_cands, 1))
        for start in range(0, self.num_posts, size):
            yield start, min(start + size, self.num_posts)

    def eligible(self, start: int, end: int) -> BoolArray:
        """Eligibility of posts ``start..end`` (rows) × all cadres (columns)."""
        bits = np.unpackbits(self.eligible_bits[start:end], axis=1, count=self.num_cands)
        return bits.view(bool)

    def eligible_cadres(self, posts: BoolArray, cands: BoolArray) -> int:
        """How many of the cadres ``cands`` (a mask) are eligible for some post of ``posts``."""
        some = np.bitwise_or.reduce(self.eligible_bits[posts], axis=0)
        if not posts.any():
            return 0
        return int(np.count_nonzero(np.unpackbits(some, count=self.num_cands).view(bool) & cands))

    def fit(self, start: int, end: int) -> IntArray:
        """Scaled fit of posts ``start..end`` × all cadres, equal to ``fit.pair_fit``'s."""
        posts = np.arange(start, end)
        fit = self.kind_base[self.enc.post_kind[posts]]  # a copy: rows gathered whole
        wanting = np.flatnonzero(self.category_fit[posts].any(axis=1))
        if wanting.size:  # only posts with preferred categories have the term
            fit[wanting] += self.category_fit[posts[wanting]][:, self.cand_category]
        lo, hi = np.searchsorted(self.sparse_post, (start, end))
        np.add.at(fit, (self.sparse_post[lo:hi] - start, self.sparse_cand[lo:hi]),
                  self.sparse_fit[lo:hi])  # fmt: skip
        return fit

    def weights(self, start: int, end: int) -> IntArray:
        """``M·priority + fit`` of posts ``start..end`` × all cadres (``objective.build``)."""
        priority = self.enc.post_priority[start:end] * self.coverage_weight
        return self.fit(start, end) + priority[:, None]

    def seat_bound(self) -> int:
        """Every seat filled at its post's priority by the best fit of any cadre: a bound
        that needs no pass over the pairs, for a plan the LP had no time to bound."""
        best_fit = int(self.cand_fit_range[0].max(initial=0))
        per_seat = self.enc.post_priority * self.coverage_weight + best_fit
        return int(np.dot(self.enc.post_seats, np.maximum(per_seat, 0)))

    def pair_weights(self, cands: IntArray, posts: IntArray) -> IntArray:
        """``M·priority + fit`` of the given pairs, by ``fit.pair_fit`` itself."""
        fit = pair_fit(self.enc, cands, posts).total
        return self.enc.post_priority[posts] * self.coverage_weight + fit

    def prices(self, y: IntArray) -> tuple[IntArray, IntArray]:
        """Per cadre: the multipliers of its own rows, and of the row of the team it would
        leave times that row's coefficient (computed once per pass, not per block)."""
        rm, enc = self.rowmap, self.enc
        own = _at(y, rm.cand_one) + _at(y, rm.cand_must) + _at(y, rm.cand_dept)
        team = rm.cand_team
        local = enc.cand_home_region == _at(rm.team_region, team, fill=-2)
        coeff = _at(rm.team_a, team) - _at(rm.team_b, team) * local
        return own, _at(y, _at(rm.team_row, team)) * coeff

    def reduced(
        self, start: int, end: int, y: IntArray, prices: tuple[IntArray, IntArray] | None = None
    ) -> IntArray:
        """Reduced costs ``2²⁰·weight − Aᵀy`` of posts ``start..end`` × all cadres, exactly."""
        rm, enc = self.rowmap, self.enc
        own, leave = prices if prices is not None else self.prices(y)
        reduced = self.weights(start, end)
        reduced *= DUAL_SCALE
        reduced -= _at(y, rm.post_seats[start:end])[:, None]
        reduced -= own[None, :]
        post_team = rm.post_team[start:end]
        if rm.team_row.size == 0:
            return reduced
        # team terms: the joining team's row (by whether the cadre is local to it), the
        # leaving team's row; neither when the cadre is posted within their own team
        reduced -= leave[None, :]
        joins = np.flatnonzero(post_team >= 0)
        if joins.size:
            team = post_team[joins]
            y_join = y[rm.team_row[team]]
            a, b = rm.team_a[team], rm.team_b[team]
            local = enc.cand_home_region[None, :] == rm.team_region[team][:, None]
            reduced[joins] -= np.where(local, (y_join * (b - a))[:, None], (-y_join * a)[:, None])
        if joins.size and (rm.cand_team >= 0).any():
            # posted within their own team: neither joins nor leaves, undo both terms
            same_rows, same_cols = np.nonzero(rm.cand_team[None, :] == post_team[joins, None])
            same_rows = joins[same_rows]
            team = post_team[same_rows]
            local = enc.cand_home_region[same_cols] == rm.team_region[team]
            y_join = y[rm.team_row[team]]
            join = y_join * (rm.team_b[team] * local - rm.team_a[team])
            reduced[same_rows, same_cols] += join + leave[same_cols]
        return reduced

    def check_magnitude(self, y: IntArray) -> None:
        """Refuse multipliers whose reduced costs could overflow int64 (never seen in practice)."""
        rm = self.rowmap
        biggest_weight = (int(self.enc.post_priority.max(initial=0)) * self.coverage_weight
                          + int(np.abs(self.cand_fit_range).max(initial=0)))  # fmt: skip
        coeff = int(max(rm.team_b.max(initial=1), rm.team_a.max(initial=1)))
        total = biggest_weight * DUAL_SCALE + 6 * int(np.abs(y).max(initial=0)) * coeff
        if total >= SAFE:
            raise OverflowError("implicit pricing: reduced costs too large for int64 sums")

    def columns(self, cands: IntArray, posts: IntArray) -> tuple[IntArray, IntArray, IntArray]:
        """Nonzero entries ``(pair position, row, coefficient)`` of the pairs' columns."""
        rm, enc = self.rowmap, self.enc
        positions = np.arange(cands.size)
        parts = []
        for row_of in (rm.cand_one[cands], rm.cand_must[cands], rm.cand_dept[cands],
                       rm.post_seats[posts]):  # fmt: skip
            has = row_of >= 0
            parts.append((positions[has], row_of[has], np.ones(int(has.sum()), np.int64)))
        moves = enc.cand_current_team[cands] != enc.post_team[posts]
        for team, sign in ((rm.post_team[posts], 1), (rm.cand_team[cands], -1)):
            has = moves & (team >= 0)
            t = team[has]
            local = enc.cand_home_region[cands[has]] == rm.team_region[t]
            coeff = sign * (rm.team_b[t] * local - rm.team_a[t])
            nonzero = coeff != 0
            parts.append((positions[has][nonzero], rm.team_row[t][nonzero], coeff[nonzero]))
        return tuple(np.concatenate(column) for column in zip(*parts, strict=True))  # type: ignore[return-value]


def _at(values: IntArray, index: IntArray, fill: int = 0) -> IntArray:
    """``values[index]`` with ``fill`` where ``index`` is −1."""
    if values.size == 0:
        return np.full(index.shape, fill, dtype=np.int64)
    return np.where(index >= 0, values[np.maximum(index, 0)], fill)


def build_universe(enc: Encoded) -> Universe:
    """One pass over all blocks: eligibility bits, degrees, reasons, best and worst fit."""
    instance = enc.instance
    num_cands, num_posts = instance.num_candidates, instance.num_posts
    weights = instance.rules.weights
    scale = weight_scale(weights)

    def scaled(term: str) -> int:
        return int(getattr(weights, term) * scale)

    cands = np.arange(num_cands, dtype=np.int64)
    kinds = np.arange(len(PostKind), dtype=np.int64)
    lacks_kind = ((enc.cand_experience_bits[:, None] >> kinds[None, :]) & 1) == 0
    cand_fit = (
        scaled("score") * enc.cand_score
        + scaled("reserve") * enc.cand_reserve
        + scaled("party") * enc.cand_party
        + scaled("dept_priority") * enc.cand_dept_priority
    ).astype(np.int64)
    wanted = sorted(set().union(*enc.post_category_sets)) if enc.post_category_sets else []
    column = {code: col for col, code in enumerate(wanted)}
    category_fit = np.zeros((num_posts, len(wanted) + 1), dtype=np.int64)
    for post, codes in enumerate(enc.post_category_sets):
        category_fit[post, [column[code] for code in codes]] = scaled("category_match")
    bonus_table = np.array((0, *PREFERENCE_BONUS, 0), dtype=np.int64) * scaled("preference")
    preference = bonus_table[enc.preference_rank.clip(0, len(PREFERENCE_BONUS) + 1)]
    keys = np.concatenate((enc.preference_keys, enc.affinity_keys))
    bonus = np.concatenate((preference, enc.affinity_bonus * scaled("affinity")))
    keep = bonus != 0
    keys, bonus = keys[keep], bonus[keep]
    post_of, cand_of = keys % max(num_posts, 1), keys // max(num_posts, 1)
    order = np.argsort(post_of, kind="stable")
    universe = Universe(
        enc=enc,
        eligible_bits=np.zeros((num_posts, (num_cands + 7) // 8), dtype=np.uint8),
        degrees=Degrees(np.zeros(num_cands, np.int64), np.zeros(num_posts, np.int64)),
        reason_counts=dict.fromkeys(Exclusion, 0),
        cand_fit_range=(np.zeros(num_cands, np.int64), np.zeros(num_cands, np.int64)),
        coverage_weight=0,
        rowmap=None,  # type: ignore[arg-type]  # set below, once the degrees are known
        cand_fit=cand_fit,
        kind_fit=(kind_fit := (lacks_kind * scaled("development")).astype(np.int64)),
        kind_base=np.ascontiguousarray((kind_fit + cand_fit[:, None]).T),
        category_fit=category_fit,
        cand_category=np.array(
            [column.get(int(c), len(wanted)) for c in enc.cand_category], dtype=np.int64
        ),  # fmt: skip
        sparse_post=post_of[order],
        sparse_cand=cand_of[order],
        sparse_fit=bonus[order],
    )
    best, worst = universe.cand_fit_range
    for start, end in universe.blocks():
        posts = np.arange(start, end, dtype=np.int64)
        mask = exclusion_mask(enc, cands[None, :], posts[:, None])
        for flag in Exclusion:
            universe.reason_counts[flag] += int(np.count_nonzero(mask & np.uint16(flag)))
        eligible = mask == 0
        universe.eligible_bits[start:end] = np.packbits(eligible, axis=1)
        universe.degrees.per_post[start:end] = eligible.sum(axis=1)
        universe.degrees.per_cand[:] += eligible.sum(axis=0)
        fit = universe.fit(start, end)
        if end > start:
            np.maximum(best, np.where(eligible, fit, 0).max(axis=0), out=best)
            np.minimum(worst, np.where(eligible, fit, 0).min(axis=0), out=worst)
    empty = np.zeros(0, dtype=np.int64)
    space = PairSpace(enc, empty, empty, universe.degrees)
    objective = objective_module.build(space, pair_fit(enc, empty, empty), None, (best, worst))
    object.__setattr__(universe, "coverage_weight", objective.coverage_weight)
    object.__setattr__(universe, "rowmap", _row_map(enc, universe.degrees))
    return universe


def pair_keys(universe: Universe, cands: IntArray, posts: IntArray) -> IntArray:
    """Keys that sort pairs by post, then cadre: the order of ``eligible_pairs``."""
    return posts.astype(np.int64) * max(universe.num_cands, 1) + cands


def _top_per_row(values: IntArray, counts: IntArray) -> tuple[IntArray, IntArray]:
    """(row, column) of the ``counts[row]`` largest entries of each row (not ``_NONE`` ones)."""
    most = int(counts.max(initial=0))
    if most == 0 or values.shape[1] == 0:
        return np.zeros(0, np.int64), np.zeros(0, np.int64)
    most = min(most, values.shape[1])
    part = np.argpartition(-values, most - 1, axis=1)[:, :most] if most < values.shape[1] else (
        np.broadcast_to(np.arange(values.shape[1]), values.shape))  # fmt: skip
    picked = np.take_along_axis(values, part, axis=1)
    order = np.argsort(-picked, axis=1, kind="stable")
    part = np.take_along_axis(part, order, axis=1)
    picked = np.take_along_axis(picked, order, axis=1)
    keep = (np.arange(most)[None, :] < counts[:, None]) & (picked != _NONE)
    rows = np.broadcast_to(np.arange(values.shape[0])[:, None], part.shape)
    return rows[keep].astype(np.int64), part[keep].astype(np.int64)


def start_pairs(universe: Universe) -> IntArray:
    """Keys of the first LP's columns, by weight: every post's and cadre's best, and
    ``FORCING_COLUMNS`` per unit of each lower side (must place, min send, teams short
    of locals), as ``relaxation.solve_relaxation`` picks them over listed pairs.

    A department's forcing columns are the best of its cadres' best few posts.
    """
    enc, rm = universe.enc, universe.rowmap
    num_cands = universe.num_cands
    must = np.flatnonzero(rm.cand_must >= 0)
    dept_rows = [r for r in np.flatnonzero(rm.lower > 0).tolist()
                 if rm.rows[r].rule.family == "department quota"]  # fmt: skip
    depth = max(START_PER_CADRE, min(FORCING_COLUMNS, 4) if dept_rows else 0)
    best = _RunningBest(num_cands, depth)
    best_must = _RunningBest(must.size, FORCING_COLUMNS)
    team_lower = np.zeros(len(rm.team_row), dtype=np.int64)
    has_row = rm.team_row >= 0
    team_lower[has_row] = np.maximum(rm.lower[rm.team_row[has_row]], 0).astype(np.int64)
    chosen: list[IntArray] = []
    for start, end in universe.blocks():
        eligible = universe.eligible(start, end)
        weights = np.where(eligible, _spread(universe.weights(start, end), start), _NONE)
        posts = np.arange(start, end)
        rows, cols = _top_per_row(weights, START_PER_POST * enc.post_seats[posts])
        chosen.append(pair_keys(universe, cols, posts[rows]))
        # teams below their ratio: the best local cadres for each of their posts
        team = rm.post_team[posts]
        lower = np.where(team >= 0, _at(team_lower, team), 0)
        if lower.any():
            region = np.where(team >= 0, _at(rm.team_region, team), -2)
            local = enc.cand_home_region[None, :] == region[:, None]
            rows, cols = _top_per_row(np.where(local, weights, _NONE), FORCING_COLUMNS * lower)
            chosen.append(pair_keys(universe, cols, posts[rows]))
        by_cadre = np.ascontiguousarray(weights.T)
        best.merge(by_cadre, start)
        best_must.merge(by_cadre[must], start)
    values, best_posts = best.sorted()
    real = values != _NONE
    cands = np.broadcast_to(np.arange(num_cands)[:, None], best_posts.shape)
    first = real & (np.arange(depth)[None, :] < START_PER_CADRE)
    chosen.append(pair_keys(universe, cands[first], best_posts[first]))
    must_values, must_posts = best_must.sorted()
    must_real = must_values != _NONE
    must_cands = np.broadcast_to(must[:, None], must_posts.shape)
    chosen.append(pair_keys(universe, must_cands[must_real], must_posts[must_real]))
    for row in dept_rows:  # departments with a min_send: the best of their cadres' best
        members = np.flatnonzero(rm.cand_dept == row)
        keep = real[members]
        keys = pair_keys(universe, cands[members][keep], best_posts[members][keep])
        wanted = FORCING_COLUMNS * int(rm.lower[row])
        chosen.append(keys[np.argsort(-values[members][keep], kind="stable")[:wanted]])
    chosen.append(seed_plan(universe))
    return np.unique(np.concatenate(chosen)) if chosen else np.zeros(0, np.int64)


TIE_BITS = 10
GREEDY_PASSES = 4
"""Passes of ``greedy_plan`` over the pairs it refused (each pass only takes more)."""


def _spread(weights: IntArray, start: int) -> IntArray:
    """Weights of a block with a fixed pseudo-random tie-break in the low bits (ranking only).

    Fit depends on a post mostly through its kind, category and priority, so a
    cadre's best posts tie by the hundred, and so do a post's best cadres. Ranked by
    index, every cadre's best post was the same first post of each kind, and every
    post's best cadres the same few: the first LP held few distinct pairs and column
    generation spent its rounds finding the others.
    """
    rows, cols = np.indices(weights.shape, dtype=np.int64)
    mixed = ((rows + start) * 0x9E3779B1 + cols * 0x85EBCA77) & 0xFFFFFFFF
    mixed ^= mixed >> 15
    return (weights << TIE_BITS) + (mixed * 0x2C1B3C6D & ((1 << TIE_BITS) - 1))


def _posts_of(universe: Universe, cand: int) -> tuple[IntArray, IntArray]:
    """(eligible posts, weights) of one cadre, read from the eligibility bits."""
    column = universe.eligible_bits[:, cand >> 3] >> (7 - (cand & 7)) & 1
    posts = np.flatnonzero(column)
    enc = universe.enc
    # the blocks' decomposition of fit (tested equal to ``pair_fit``), for one cadre
    weights = (
        universe.kind_base[enc.post_kind[posts], cand]
        + universe.category_fit[posts, universe.cand_category[cand]]
    )
    weights += enc.post_priority[posts] * universe.coverage_weight
    mine = np.flatnonzero(universe.sparse_cand == cand)
    at = np.searchsorted(posts, universe.sparse_post[mine])
    hit = at < posts.size
    hit[hit] = posts[at[hit]] == universe.sparse_post[mine][hit]
    np.add.at(weights, at[hit], universe.sparse_fit[mine][hit])
    return posts, weights


def _move(rm: RowMap, activity: IntArray, rows: IntArray, coeffs: IntArray) -> bool:
    """Add one pair's entries to the rows' ``activity`` if that keeps every upper side and
    worsens no lower side still unmet; whether it did."""
    after = activity[rows] + coeffs
    if (after > rm.upper[rows]).any() or ((coeffs < 0) & (after < rm.lower[rows])).any():
        return False
    activity[rows] = after
    return True


def greedy_plan(universe: Universe, first: IntArray, then: IntArray) -> IntArray | None:
    """Keys of a plan: the pairs of ``first``, then of ``then``, each taken when it keeps
    every upper side and worsens no lower side; None if a lower side is still unmet.

    A fallback when neither the rounded LP nor the short search gives a plan (national
    scale, LP stopped by the clock): with ``first`` the seed plan, which meets the lower
    sides, and ``then`` the LP's columns by value, it fills the seats the LP fills.
    """
    rm = universe.rowmap
    activity = np.zeros(rm.num_rows, dtype=np.int64)
    taken: list[int] = []
    keys = np.concatenate((first, then))
    cands, posts = split_keys(universe, keys)
    positions, rows, coeffs = universe.columns(cands, posts)
    order = np.argsort(positions, kind="stable")
    positions, rows, coeffs = positions[order], rows[order], coeffs[order]
    bounds = np.searchsorted(positions, np.arange(keys.size + 1)).tolist()
    placed = np.zeros(universe.num_cands, dtype=bool)
    # ``first`` settles before ``then`` starts: a seed pair refused for a while (a
    # non-local joins a team before its locals) must not lose its seat to ``then``
    for waiting in (list(range(first.size)), list(range(first.size, keys.size))):
        for _ in range(GREEDY_PASSES):  # a refused non-local may fit once locals joined
            refused = []
            for k in waiting:
                cand = int(cands[k])
                if placed[cand]:
                    continue
                r, c = rows[bounds[k] : bounds[k + 1]], coeffs[bounds[k] : bounds[k + 1]]
                if not _move(rm, activity, r, c):
                    refused.append(k)
                    continue
                placed[cand] = True
                taken.append(int(keys[k]))
            if len(refused) == len(waiting):
                break
            waiting = refused
    if (activity < rm.lower).any():
        return None
    return np.array(sorted(set(taken)), dtype=np.int64)


FILL_TRIES = 50
"""Best unplaced cadres ``fill_seats`` tries per empty seat before leaving it empty."""


def fill_seats(universe: Universe, keys: IntArray) -> IntArray:
    """``keys`` (a plan) with every empty seat given, where one will take it, to the
    best unplaced eligible cadre whose move keeps every rule: over ALL pairs, block by
    block, not only those the LP priced.

    At national scale the LP stops after a round or two, and the plans built from its
    columns left 7,666 of 12,240 seats empty, although for 297 of 300 sampled empty
    seats some unplaced cadre could take it without breaking a rule.
    """
    rm, enc = universe.rowmap, universe.enc
    cands, posts = split_keys(universe, keys)
    _, rows, coeffs = universe.columns(cands, posts)
    activity = np.zeros(rm.num_rows, dtype=np.int64)
    np.add.at(activity, rows, coeffs)
    placed = np.zeros(universe.num_cands, dtype=bool)
    placed[cands] = True
    seats_left = enc.post_seats - np.bincount(posts, minlength=universe.num_posts)
    added: list[int] = []
    in_dept = rm.cand_dept >= 0
    for start, end in universe.blocks():
        todo = np.flatnonzero(seats_left[start:end] > 0)
        if todo.size == 0:
            continue
        weights = universe.weights(start, end)[todo]
        # cadres whose department has sent its most: they would only be tried and refused
        dept_full = np.zeros(universe.num_cands, dtype=bool)
        dept_full[in_dept] = activity[rm.cand_dept[in_dept]] >= rm.upper[rm.cand_dept[in_dept]]
        weights[~universe.eligible(start, end)[todo] | (placed | dept_full)[None, :]] = _NONE
        top_rows, top_cols = _top_per_row(weights, np.full(todo.size, FILL_TRIES))
        for row, cand in zip(top_rows.tolist(), top_cols.tolist(), strict=True):
            post = start + int(todo[row])
            if placed[cand] or seats_left[post] == 0:
                continue
            _, r, c = universe.columns(np.array([cand]), np.array([post]))
            if not _move(rm, activity, r, c):
                continue
            placed[cand] = True
            seats_left[post] -= 1
            added.append(post * max(universe.num_cands, 1) + cand)
    return np.union1d(keys, np.array(added, dtype=np.int64))


def first_plan(universe: Universe, seed: IntArray) -> IntArray | None:
    """Keys of a plan built before any LP: ``seed`` (``seed_plan``'s) settled by
    ``greedy_plan``, then every seat filled (``fill_seats``); None if the seed cannot meet
    the lower sides.

    At national scale it is a plan within seconds whatever the LP does later (seed 2:
    14,877 coverage in 12 s, 5.6% below the bound), and as first columns it puts
    the LP at a plan's value from its first round.
    """
    settled = greedy_plan(universe, seed, np.zeros(0, dtype=np.int64))
    return None if settled is None else fill_seats(universe, settled)


def seed_plan(universe: Universe) -> IntArray:
    """Keys of a plan built greedily to meet the lower sides: must-place cadres, then
    departments short of their ``min_send``, each into the best post (by weight) with a
    seat left; then every team short of locals (from the start, or because a local
    member was sent away above) takes local cadres into its posts or sends non-local
    members away.

    The best pairs by weight alone crowd onto the few posts of top priority (at national
    scale every must-place cadre's 20 best were among them, more cadres than seats), so
    the first LP could meet its lower sides only through artificial columns, and column
    generation spent its first rounds pricing its way out of them. With these pairs the
    first LP is feasible as far as seats and team ratios go (upper quotas are not
    checked here: this is a start, not a plan), and ``greedy_plan`` can build on it.
    """
    enc, rm = universe.enc, universe.rowmap
    seats = enc.post_seats.copy()
    placed = np.zeros(universe.num_cands, dtype=bool)
    activity = np.zeros(rm.num_rows, dtype=np.int64)
    keys: list[int] = []

    def place(cand: int, posts: IntArray | None = None) -> bool:
        options, weights = _posts_of(universe, cand)
        if posts is not None:
            options, weights = options[np.isin(options, posts)], weights[np.isin(options, posts)]
        free = seats[options] > 0
        if not free.any():
            return False
        post = int(options[free][np.argmax(weights[free])])
        seats[post] -= 1
        placed[cand] = True
        _, rows, coeffs = universe.columns(np.array([cand]), np.array([post]))
        np.add.at(activity, rows, coeffs)
        keys.append(post * max(universe.num_cands, 1) + cand)
        return True

    for cand in np.flatnonzero(rm.cand_must >= 0).tolist():
        place(cand)
    for row in np.flatnonzero(rm.lower > 0).tolist():
        if rm.rows[row].rule.family == "department quota":
            members = np.flatnonzero((rm.cand_dept == row) & ~placed)
            order = members[np.argsort(-universe.cand_fit[members], kind="stable")]
            for cand in order.tolist():
                if activity[row] >= rm.lower[row]:
                    break
                place(cand)
    # every team now short of locals, including those the placements above left short;
    # only cadres of no team join, and members leave only for posts of no team, so that
    # no other team's share drops (national seed 1: 8 teams were left short without this)
    untied_posts = np.flatnonzero(rm.post_team < 0)
    for team in np.flatnonzero(rm.team_row >= 0).tolist():
        row = int(rm.team_row[team])
        if activity[row] >= rm.lower[row]:
            continue
        posts = np.flatnonzero(rm.post_team == team)
        local = (enc.cand_home_region == rm.team_region[team]) & (rm.cand_team < 0)
        for cand in np.flatnonzero(local & ~placed).tolist():
            if activity[row] >= rm.lower[row] or not (seats[posts] > 0).any():
                break
            if universe.eligible_bits[posts, cand >> 3].any():
                place(cand, posts)
        # too few locals can join: a non-local member posted out of the team also
        # raises its share
        leaving = (rm.cand_team == team) & (enc.cand_home_region != rm.team_region[team])
        for cand in np.flatnonzero(leaving & ~placed).tolist():
            if activity[row] >= rm.lower[row]:
                break
            place(cand, untied_posts)
    return np.array(sorted(keys), dtype=np.int64)


class _RunningBest:
    """Each cadre's ``depth`` best values (and posts) over the blocks seen so far."""

    def __init__(self, num_cands: int, depth: int) -> None:
        self.values = np.full((num_cands, depth), _NONE, dtype=np.int64)
        self.posts = np.full((num_cands, depth), -1, dtype=np.int64)
        self.depth = depth

    def merge(self, by_cadre: IntArray, start: int) -> None:
        """Merge a block (cadres × posts ``start…``)."""
        if self.depth == 0 or by_cadre.size == 0:
            return
        # only cadres with a block value above their worst kept one can change
        better = np.flatnonzero(by_cadre.max(axis=1) > self.values.min(axis=1))
        if better.size == 0:
            return
        block = by_cadre[better]
        values = np.concatenate((self.values[better], block), axis=1)
        posts = np.concatenate(
            (self.posts[better], np.broadcast_to(np.arange(block.shape[1]) + start, block.shape)),
            axis=1,
        )
        keep = np.argpartition(-values, self.depth - 1, axis=1)[:, : self.depth]
        self.values[better] = np.take_along_axis(values, keep, axis=1)
        self.posts[better] = np.take_along_axis(posts, keep, axis=1)

    def sorted(self) -> tuple[IntArray, IntArray]:
        """(values, posts), best first for each cadre."""
        order = np.argsort(-self.values, axis=1, kind="stable")
        return (np.take_along_axis(self.values, order, axis=1),
                np.take_along_axis(self.posts, order, axis=1))  # fmt: skip


def best_at_home(universe: Universe, cands: IntArray, posts: IntArray, per_post: int) -> IntArray:
    """Keys of each filled post's ``per_post`` eligible cadres of best fit whom the plan
    (``cands[i]`` holds ``posts[i]``) leaves at home."""
    at_home = np.ones(universe.num_cands, dtype=bool)
    at_home[cands] = False
    filled = np.zeros(universe.num_posts, dtype=bool)
    filled[posts] = True
    chosen = []
    for start, end in universe.blocks():
        rows = np.flatnonzero(filled[start:end])
        if rows.size == 0:
            continue
        fit = universe.fit(start, end)[rows]
        usable = universe.eligible(start, end)[rows] & at_home[None, :]
        top_rows, top_cols = _top_per_row(np.where(usable, fit, _NONE),
                                          np.full(rows.size, per_post))  # fmt: skip
        chosen.append(pair_keys(universe, top_cols, rows[top_rows] + start))
    return np.unique(np.concatenate(chosen)) if chosen else np.zeros(0, np.int64)


def eligible_keys(universe: Universe) -> IntArray:
    """Keys of every eligible pair, sorted: the pairs ``eligible_pairs`` lists, from the bits."""
    keys = []
    for start, end in universe.blocks():
        posts, cands = np.nonzero(universe.eligible(start, end))
        keys.append(pair_keys(universe, cands.astype(np.int64), posts.astype(np.int64) + start))
    return np.concatenate(keys) if keys else np.zeros(0, dtype=np.int64)


def split_keys(universe: Universe, keys: IntArray) -> tuple[IntArray, IntArray]:
    """(cadre indices, post indices) of pair keys."""
    posts, cands = np.divmod(keys, max(universe.num_cands, 1))
    return cands.astype(np.int64), posts.astype(np.int64)


@dataclass(frozen=True)
class Pass:
    """One pass over all pairs with fixed multipliers."""

    bound: int | None
    """The exact Lagrangian bound over all eligible pairs, scaled by 2²⁰ (None: a partial
    pass)."""
    picked: IntArray
    """Keys of the pairs the pass picked (outside ``known``), sorted."""
    left_out_best: int | None
    """An upper bound on the reduced cost of every eligible pair neither known nor picked
    (None: there is none)."""


def price(
    universe: Universe,
    y: IntArray,
    sides: IntArray,
    known: IntArray,
    threshold: int,
    per_post: int,
    per_cand: int | None = None,
    blocks: list[tuple[int, int]] | None = None,
) -> Pass:
    """Sum the bound (over all blocks: ``blocks`` None), and pick per post the ``per_post``
    best pairs outside ``known`` (sorted keys) whose reduced cost is at least ``threshold``
    (scaled); with ``per_cand``, only each cadre's ``per_cand`` best of those, so that the
    popular cadres do not fill the LP.

    Blocks are priced on ``PRICING_THREADS`` threads (numpy releases the GIL); results are
    combined in block order, so the pass is deterministic."""
    universe.check_magnitude(y)
    prices = universe.prices(y)

    def one(block: tuple[int, int]) -> _Priced:
        return _price_block(universe, y, prices, known, threshold, per_post, *block)

    with ThreadPoolExecutor(PRICING_THREADS) as pool:
        parts = list(pool.map(one, universe.blocks() if blocks is None else blocks))
    total = None if blocks is not None else (
        priced_sides(y, sides) + sum(part.total for part in parts))  # fmt: skip
    cands = np.concatenate([part.cands for part in parts]) if parts else np.zeros(0, np.int64)
    posts = np.concatenate([part.posts for part in parts]) if parts else np.zeros(0, np.int64)
    values = np.concatenate([part.values for part in parts]) if parts else np.zeros(0, np.int64)
    left_outs = [part.left_out for part in parts if part.left_out is not None]
    if per_cand is not None and cands.size:
        order = np.lexsort((-values, cands))  # each cadre's best first
        first = np.searchsorted(cands[order], cands[order])
        keep = np.zeros(cands.size, dtype=bool)
        keep[order] = np.arange(cands.size) - first < per_cand
        if not keep.all():
            left_outs.append(int(values[~keep].max()))
        cands, posts = cands[keep], posts[keep]
    left_out = max(left_outs) if left_outs else None
    return Pass(total, np.sort(pair_keys(universe, cands, posts)), left_out)


@dataclass(frozen=True)
class _Priced:
    total: int
    cands: IntArray
    posts: IntArray
    values: IntArray
    left_out: int | None


def _price_block(
    universe: Universe,
    y: IntArray,
    prices: tuple[IntArray, IntArray],
    known: IntArray,
    threshold: int,
    per_post: int,
    start: int,
    end: int,
) -> _Priced:
    """One block of ``price``: its part of the bound, its picks, the best pair left out."""
    num_cands = max(universe.num_cands, 1)
    eligible = universe.eligible(start, end)
    reduced = universe.reduced(start, end, y, prices)
    reduced[~eligible] = _NONE
    # non-negative terms: no partial sum exceeds the total, so int64 is exact below 2⁶²
    positive = np.maximum(reduced, 0)
    if positive.sum(axis=1, dtype=np.float64).max(initial=0) < SAFE / 2:
        total = int(positive.sum(axis=1).sum(dtype=object))
    else:
        total = int(positive.sum(dtype=object))
    lo, hi = np.searchsorted(known, (start * num_cands, end * num_cands))
    reduced.reshape(-1)[known[lo:hi] - start * num_cands] = _NONE
    rows, cols = _top_above(reduced, threshold, per_post)
    values = reduced[rows, cols]
    reduced[rows, cols] = _NONE
    best = int(reduced.max(initial=_NONE))
    return _Priced(total, cols, rows + start, values, None if best == _NONE else best)


def cadre_multipliers(universe: Universe, y: IntArray) -> IntArray:
    """``y`` with each cadre's own multipliers (one post, must place) set to their best.

    Keep every other multiplier; a cadre then takes at most one post (exactly one if
    must-place), so the Lagrangian's part for cadre i is ``s_i`` = the best reduced cost
    of its pairs without its own rows (at least 0 unless must-place): one pass of
    running maxima. Moving ``s_i`` onto the cadre's rows (``y_one = max(s_i, 0)``,
    ``y_must = min(s_i, 0)``) gives that same bound in the ordinary form (every reduced
    cost of the cadre ≤ 0), so fixing and the exact sum work unchanged. At the LP
    optimum this is the LP bound; before it, much tighter than the LP's own duals,
    whose every positive reduced cost counts (at national scale, 300 s into column
    generation, a bound 6,000 times the optimum against the plan found).
    """
    rm = universe.rowmap
    free = y.copy()
    free[rm.cand_one[rm.cand_one >= 0]] = 0
    free[rm.cand_must[rm.cand_must >= 0]] = 0
    prices = universe.prices(free)

    def best(block: tuple[int, int]) -> IntArray:
        start, end = block
        reduced = universe.reduced(start, end, free, prices)
        reduced[~universe.eligible(start, end)] = _NONE
        return reduced.max(axis=0, initial=_NONE)

    with ThreadPoolExecutor(PRICING_THREADS) as pool:
        maxima = list(pool.map(best, universe.blocks()))
    top = np.max(maxima, axis=0) if maxima else np.full(universe.num_cands, _NONE)
    must = rm.cand_must >= 0
    own = np.where(must, top, np.maximum(top, 0))
    result = free
    # a must-place cadre with no eligible post keeps its multipliers (the rules cannot all
    # hold, and the bound may say so by going down without limit)
    has_one = (rm.cand_one >= 0) & (top != _NONE)
    has_must = must & (top != _NONE)
    result[rm.cand_one[has_one]] = np.maximum(own[has_one], 0)
    result[rm.cand_must[has_must]] = np.minimum(own[has_must], 0)
    stuck = must & (top == _NONE)
    result[rm.cand_must[stuck]] = y[rm.cand_must[stuck]]
    return result


def post_multipliers(universe: Universe, y: IntArray) -> IntArray:
    """``y`` with each post's seats multiplier set to its best, the others kept.

    With the rest fixed, post j's part of the Lagrangian is ``Σ_i max(0, r_ij − y_j) +
    seats_j·y_j``, least at ``y_j`` = the (seats_j + 1)-th largest reduced cost of its
    pairs (at least 0): the price of a seat is what the first cadre left out would
    bring. A restricted LP's seat prices are too low when its columns hold too few
    of the cadres who want a post; this is one pass.
    """
    rm = universe.rowmap
    free = y.copy()
    has_row = rm.post_seats >= 0
    free[rm.post_seats[has_row]] = 0
    prices = universe.prices(free)
    seats = universe.enc.post_seats

    def best(block: tuple[int, int]) -> IntArray:
        start, end = block
        reduced = universe.reduced(start, end, free, prices)
        reduced[~universe.eligible(start, end)] = _NONE
        depth = min(int(seats[start:end].max(initial=0)) + 1, reduced.shape[1])
        if depth == 0:
            return np.zeros(end - start, dtype=np.int64)
        top = -np.partition(-reduced, depth - 1, axis=1)[:, :depth]
        top.sort(axis=1)
        top = top[:, ::-1]  # best first
        rank = np.minimum(seats[start:end], depth - 1)
        value = top[np.arange(end - start), rank]
        return np.where((seats[start:end] < depth) & (value != _NONE), np.maximum(value, 0), 0)

    with ThreadPoolExecutor(PRICING_THREADS) as pool:
        parts = list(pool.map(best, universe.blocks()))
    price_of = np.concatenate(parts) if parts else np.zeros(0, dtype=np.int64)
    result = free
    result[rm.post_seats[has_row]] = price_of[has_row]
    return result


def best_multipliers(universe: Universe, y: IntArray, rounds: int = MULTIPLIER_ROUNDS) -> IntArray:
    """Seats, then cadres, ``rounds`` times: each step can only lower the bound."""
    for _ in range(rounds):
        y = cadre_multipliers(universe, post_multipliers(universe, y))
    return y


def _top_above(values: IntArray, threshold: int, per_row: int) -> tuple[IntArray, IntArray]:
    """(row, column) of the ``per_row`` largest entries ≥ ``threshold`` of each row.

    Rows with few such entries (most, once the LP nears its optimum) take them all
    without a partition."""
    above = values >= threshold
    counts = np.count_nonzero(above, axis=1)
    crowded = np.flatnonzero(counts > per_row)
    few = counts <= per_row
    rows, cols = np.nonzero(above & few[:, None])
    if crowded.size and per_row > 0:
        top_rows, top_cols = _top_per_row(values[crowded], np.full(crowded.size, per_row))
        rows = np.concatenate((rows, crowded[top_rows]))
        cols = np.concatenate((cols, top_cols))
    return rows.astype(np.int64), cols.astype(np.int64)


class ColumnLP(ColumnGLOP):
    """The LP over the full problem's rows, with columns added by pair key."""

    def __init__(self, universe: Universe) -> None:
        rm = universe.rowmap
        # duals of lower sides are about one weight (forcing a cadre in displaces one other)
        penalty = 4 * (int(universe.enc.post_priority.max(initial=1)) *
                       universe.coverage_weight + 1)  # fmt: skip
        super().__init__(rm.lower, rm.upper, float(penalty))
        self.universe = universe
        self.keys = np.zeros(0, dtype=np.int64)
        """The pair key of each column, in the order the columns were added."""

    def add_keys(self, keys: IntArray) -> None:
        """Add the pairs of ``keys`` (not yet columns) as columns."""
        cands, posts = split_keys(self.universe, keys)
        positions, rows, coeffs = self.universe.columns(cands, posts)
        self.add(self.universe.pair_weights(cands, posts), positions, rows, coeffs)
        self.keys = np.concatenate((self.keys, keys))


@dataclass(frozen=True)
class ImplicitLP:
    """The LP over all pairs, solved by column generation over implicit pairs."""

    status: str
    keys: IntArray
    """Sorted keys of the LP's columns."""
    values: FloatArray
    """LP value of each column, in the order of ``keys``."""
    duals: FloatArray
    """Signed row duals: the multipliers are ``relaxation.multipliers(duals, …)``."""
    multipliers: IntArray
    sides: IntArray
    bound: int
    """Exact Lagrangian bound over ALL eligible pairs, scaled by 2²⁰."""
    rounds: int
    runtime: float
    pass_seconds: float = 0.0
    """How long one pass over all pairs took (the last, which summed the bound)."""


def solve_lp(universe: Universe, budget: float, plan: IntArray | None = None) -> ImplicitLP:
    """Column generation: price the pairs each round, add the best improving ones per post.

    Rounds price one of ``parts`` interleaved slices of the blocks (partial pricing: at
    national scale a full pass costs ~10 s and a GLOP re-solve well under one); only when
    a slice finds nothing are all blocks priced, which also gives the bound. The
    returned bound always comes from a full pass with the returned multipliers.

    ``plan`` (a plan's keys) joins the first columns: the restricted LP then starts at
    that plan's value (national seed 2: above what 25 rounds from the best pairs alone
    reached). Everything, the passes that set the multipliers and sum the bound
    included, ends within ``budget`` seconds: a round starts only if one like the last
    still fits, and GLOP is stopped where it would eat into those passes, the round
    then dropped (any multipliers give a bound, converged or not).
    """
    start = time.perf_counter()
    rm = universe.rowmap
    lp = ColumnLP(universe)
    first = start_pairs(universe)
    lp.add_keys(first if plan is None else np.union1d(first, plan))
    _debug("start columns", lp.keys.size, round(time.perf_counter() - start, 1))
    blocks = list(universe.blocks())
    parts = max(1, len(blocks) // BLOCKS_PER_ROUND)
    status, round_ = Status.UNKNOWN, 0
    duals = np.zeros(rm.num_rows)
    y = sides = np.zeros(rm.num_rows, dtype=np.int64)
    solved: tuple[int, FloatArray] | None = None
    """(columns, their values) of the last restricted LP solved to optimality."""
    pass_seconds = last_round = 0.0

    def left() -> float:  # for rounds: the finishing passes' time is kept aside
        return budget - (time.perf_counter() - start) - (2 * MULTIPLIER_ROUNDS + 1) * pass_seconds

    for round_ in range(1, MAX_ROUNDS + 1):
        began = time.perf_counter()
        status = lp.solve(left() - pass_seconds / parts if solved else budget - (began - start))
        if status != Status.OPTIMAL:
            break
        glop = time.perf_counter() - began
        solved = (lp.num_columns, lp.values())
        duals = lp.duals()
        y, sides = multipliers(duals, rm.lower, rm.upper)
        known = np.sort(lp.keys)
        found: Pass | None = None
        priced = time.perf_counter()
        if parts > 1:
            found = price(universe, y, sides, known, IMPROVING, ADD_PER_POST, ADD_PER_CADRE,
                          blocks[round_ % parts :: parts])  # fmt: skip
        if found is None or found.picked.size == 0:
            found = price(universe, y, sides, known, IMPROVING, ADD_PER_POST, ADD_PER_CADRE)
            pass_seconds = time.perf_counter() - priced
        else:
            pass_seconds = (time.perf_counter() - priced) * parts
        last_round = time.perf_counter() - began
        _debug("round", round_, "columns", lp.keys.size, "improving", found.picked.size,
               "bound", None if found.bound is None else found.bound / DUAL_SCALE,
               "glop", round(glop, 1), "lp", round(lp.objective()), "total",
               round(time.perf_counter() - start, 1))  # fmt: skip
        if left() < last_round or round_ == MAX_ROUNDS:
            break  # the bound holds for any multipliers, converged or not
        if found.picked.size == 0:
            if not lp.artificial_used():
                break
            if lp.raises == PENALTY_RAISES:  # no pair seems to meet some lower side
                status = Status.INFEASIBLE
                break
            lp.raise_penalty()  # a lower side costs more than the LP gains by dropping it
        lp.add_keys(found.picked)
    if solved is None or status == Status.INFEASIBLE:
        return ImplicitLP(status, np.zeros(0, np.int64), np.zeros(0), duals, y, sides, 0,
                          round_, time.perf_counter() - start)  # fmt: skip
    columns, values = solved  # a round GLOP did not finish is dropped
    keys = lp.keys[:columns]
    # the exact bound over all pairs, with each post's and cadre's multipliers at their best;
    # never skipped: the LP's own duals, unconverged, bound coverage at 12,000 times the plan
    y = best_multipliers(universe, y, MULTIPLIER_ROUNDS)
    sides = sides_of(y, rm.lower, rm.upper)
    priced = time.perf_counter()
    found = price(universe, y, sides, np.sort(keys), 1, 0)
    assert found.bound is not None
    order = np.argsort(keys)
    return ImplicitLP(Status.OPTIMAL, keys[order], values[order], duals, y, sides, found.bound,
                      round_, time.perf_counter() - start,
                      time.perf_counter() - priced)  # fmt: skip
