"""Fit of each eligible pair, term by term, as exact integers (domain.md 'Objective').

Weights are exact fractions; CP-SAT needs integers, so every weight is
multiplied by the least common multiple of their denominators (``scale``).
Scaling all terms by one positive constant never changes which plan is best,
and ``fit / scale`` gives back the published value exactly.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from fractions import Fraction

import numpy as np

from matcher.instance import PREFERENCE_BONUS, Weights
from matcher.prepare.encoding import Encoded, IntArray

FIT_TERMS: tuple[str, ...] = (
    "score",
    "development",
    "reserve",
    "party",
    "dept_priority",
    "category_match",
    "preference",
    "affinity",
)


def weight_scale(weights: Weights) -> int:
    """Least common multiple of the weights' denominators."""
    return math.lcm(*(getattr(weights, term).denominator for term in FIT_TERMS))


@dataclass(frozen=True)
class PairFit:
    """Scaled integer fit of pairs: ``terms[name][i]`` for pair ``i``, and their sum."""

    scale: int
    terms: dict[str, IntArray]
    total: IntArray

    def value(self, scaled: int) -> Fraction:
        """A scaled fit sum back in published units."""
        return Fraction(scaled, self.scale)


def _sparse_lookup(keys: IntArray, sorted_keys: IntArray, values: IntArray) -> IntArray:
    """``values`` at the position of each of ``keys`` in ``sorted_keys``; 0 where absent."""
    if sorted_keys.size == 0:
        return np.zeros(keys.shape, dtype=np.int64)
    pos = np.searchsorted(sorted_keys, keys)
    pos_clipped = np.minimum(pos, sorted_keys.size - 1)
    found = sorted_keys[pos_clipped] == keys
    return np.where(found, values[pos_clipped], 0)


def _category_match(enc: Encoded, c: IntArray, p: IntArray) -> IntArray:
    """Whether cadre ``c[i]``'s department category is among post ``p[i]``'s preferred ones."""
    wanted_codes = sorted(set().union(*enc.post_category_sets)) if enc.post_category_sets else []
    if not wanted_codes:
        return np.zeros(c.shape, dtype=bool)
    column = {code: col for col, code in enumerate(wanted_codes)}
    post_wants = np.zeros((enc.instance.num_posts, len(wanted_codes) + 1), dtype=bool)
    for post, codes in enumerate(enc.post_category_sets):
        post_wants[post, [column[code] for code in codes]] = True
    # the last column stands for "no category / a category no post asks for"
    cand_column = np.array(
        [column.get(int(code), len(wanted_codes)) for code in enc.cand_category], dtype=np.int64
    )
    return post_wants[p, cand_column[c]]


def pair_fit(enc: Encoded, cand_idcs: IntArray, post_idcs: IntArray) -> PairFit:
    """Fit of each pair ``(cand_idcs[i], post_idcs[i])`` with the instance's weights."""
    weights = enc.instance.rules.weights
    scale = weight_scale(weights)

    def scaled(term: str) -> int:
        value = getattr(weights, term) * scale
        assert value.denominator == 1
        return int(value)

    c, p = cand_idcs, post_idcs
    keys = enc.pair_keys(c, p)
    lacks_kind = ((enc.cand_experience_bits[c] >> enc.post_kind[p]) & 1) == 0
    category_match = _category_match(enc, c, p)
    # index 0: not listed; 1..4: the bonus; the last entry (0) for every rank beyond 4
    bonus_table = np.array((0, *PREFERENCE_BONUS, 0), dtype=np.int64)
    rank = _sparse_lookup(keys, enc.preference_keys, enc.preference_rank)
    preference_bonus = bonus_table[rank.clip(0, len(PREFERENCE_BONUS) + 1)]
    terms = {
        "score": scaled("score") * enc.cand_score[c],
        "development": scaled("development") * lacks_kind,
        "reserve": scaled("reserve") * enc.cand_reserve[c],
        "party": scaled("party") * enc.cand_party[c],
        "dept_priority": scaled("dept_priority") * enc.cand_dept_priority[c],
        "category_match": scaled("category_match") * category_match,
        "preference": scaled("preference") * preference_bonus,
        "affinity": scaled("affinity")
        * _sparse_lookup(keys, enc.affinity_keys, enc.affinity_bonus),
    }
    terms = {name: values.astype(np.int64) for name, values in terms.items()}
    total = (
        np.sum(list(terms.values()), axis=0, dtype=np.int64) if c.size else np.zeros(0, np.int64)
    )
    return PairFit(scale=scale, terms=terms, total=np.asarray(total, dtype=np.int64))
