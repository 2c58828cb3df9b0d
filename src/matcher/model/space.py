"""What every constraint family works on: the eligible pairs, and rows over them.

A family (one module per hard rule) turns the instance into ``Row``s: linear
constraints over pair indices with integer coefficients. The same rows feed
the LP relaxation (bounds, reduced-cost fixing) and the CP-SAT model, so the
two can never disagree about what a rule means.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
import numpy.typing as npt

from matcher.io.labels import FAMILY_ZH
from matcher.prepare.encoding import Encoded, IntArray


@dataclass(frozen=True)
class RuleInstance:
    """One rule applied to one subject: the unit a diagnosis can name."""

    rule: int
    """Hard-rule number in domain.md."""
    family: str
    subject: str
    """Planner-readable subject, e.g. "team T03 (青山县)"."""
    detail: str
    """What the rule demands of the subject, with figures."""
    text_zh: str = ""
    """Subject and demand in the planner's Chinese."""

    def describe(self, lang: str = "en") -> str:
        if lang == "zh" and self.text_zh:
            return f"规则{self.rule}（{FAMILY_ZH.get(self.family, self.family)}）：{self.text_zh}"
        return f"rule {self.rule} ({self.family}): {self.subject}, {self.detail}"


CONFLICT_HEAD_ZH = "硬性规则无法同时满足，相互冲突的规则如下（去掉其中任一条，其余即可满足）："
"""The head of the message naming the rules in conflict (Chinese)."""
CONFLICT_HEAD_EN = (
    "The hard rules cannot all hold. Rules in conflict (drop any one and the rest can hold):"
)
"""The head of the message naming the rules in conflict (English)."""


def conflict_message(head: str, conflicts: Sequence[RuleInstance], lang: str = "en") -> str:
    """The message of an infeasible instance: ``head``, then one line per rule in conflict.

    Parameters
    ----------
    head
        The first line (``CONFLICT_HEAD_ZH``/``CONFLICT_HEAD_EN`` or a caller's own).
    conflicts
        The minimal set of rule instances in conflict; may be empty when the
        diagnosis ran out of time.
    lang
        ``"zh"`` for the Chinese descriptions of the rules, else English.

    Returns
    -------
    str
        The lines joined by newlines, each rule indented by two spaces.
    """
    lines = [f"  {conflict.describe(lang)}" for conflict in conflicts]
    return "\n".join([head, *(lines or ["  (not narrowed down within the time limit)"])])


@dataclass(frozen=True)
class Row:
    """``lower ≤ Σ coeffs[i]·x[pairs[i]] ≤ upper`` (a side is ``None`` when open)."""

    pairs: IntArray
    coeffs: IntArray
    lower: int | None
    upper: int | None
    rule: RuleInstance
    at_most_one: bool = False
    """All coefficients 1 and upper 1: CP-SAT propagates these best as at-most-one."""
    owner: int = -1
    """Index of the cadre, post, department or team (by ``rule.family``) the row is about:
    implicit pricing (``model.implicit``) finds a pair's rows from it without the pair lists."""

    def activity(self, values: IntArray) -> int:
        """Left-hand side for a 0/1 vector over all pairs (exact integers)."""
        return int(np.dot(self.coeffs, values[self.pairs]))

    def holds(self, values: IntArray) -> bool:
        total = self.activity(values)
        return (self.lower is None or total >= self.lower) and (
            self.upper is None or total <= self.upper
        )


def row_sides(rows: list[Row]) -> tuple[npt.NDArray[np.float64], npt.NDArray[np.float64]]:
    """Lower and upper side of every row as floats, an open side as ∓inf (as LP and MIP
    solvers take them)."""
    lower = np.array([-np.inf if r.lower is None else r.lower for r in rows], dtype=np.float64)
    upper = np.array([np.inf if r.upper is None else r.upper for r in rows], dtype=np.float64)
    return lower, upper


def group_by(keys: IntArray, num_groups: int) -> list[IntArray]:
    """Pair positions grouped by key (``keys[k]`` in ``0..num_groups-1``)."""
    order = np.argsort(keys, kind="stable")
    bounds = np.searchsorted(keys[order], np.arange(num_groups + 1))
    return [order[bounds[g] : bounds[g + 1]] for g in range(num_groups)]


@dataclass(frozen=True)
class Degrees:
    """Eligible pairs per cadre and per post over ALL pairs, for a space that holds only some.

    Which rows exist (a cadre with one eligible post needs no one-post row) is decided
    by these, so a restricted space has exactly the rows of the full one, in the
    same order, each over the pairs it holds.
    """

    per_cand: IntArray
    per_post: IntArray


@dataclass(frozen=True)
class PairSpace:
    """The eligible pairs ``(cand_idcs[k], post_idcs[k])`` with look-ups by cadre and post.

    ``degrees`` is given when the space holds a subset of the eligible pairs
    (``model.implicit``); by default the space holds them all.
    """

    enc: Encoded
    cand_idcs: IntArray
    post_idcs: IntArray
    degrees: Degrees | None = None
    cand2pairs: list[IntArray] = field(init=False)
    post2pairs: list[IntArray] = field(init=False)

    def __post_init__(self) -> None:
        instance = self.enc.instance
        object.__setattr__(self, "cand2pairs", group_by(self.cand_idcs, instance.num_candidates))
        object.__setattr__(self, "post2pairs", group_by(self.post_idcs, instance.num_posts))
        if self.degrees is None:
            degrees = Degrees(
                np.bincount(self.cand_idcs, minlength=instance.num_candidates).astype(np.int64),
                np.bincount(self.post_idcs, minlength=instance.num_posts).astype(np.int64),
            )
            object.__setattr__(self, "degrees", degrees)

    @property
    def cand_degree(self) -> IntArray:
        """Eligible posts of each cadre (all of them, not only those in the space)."""
        assert self.degrees is not None
        return self.degrees.per_cand

    @property
    def post_degree(self) -> IntArray:
        """Eligible cadres of each post (all of them, not only those in the space)."""
        assert self.degrees is not None
        return self.degrees.per_post

    @property
    def num_pairs(self) -> int:
        return int(self.cand_idcs.size)


def labelled(what: str, id: str, name: str) -> str:
    """``"cadre C1 (张伟)"``, or ``"cadre C1"`` when the row has no name."""
    return f"{what} {id} ({name})" if name and name != id else f"{what} {id}"


def named_zh(id: str, name: str) -> str:
    """``"D1（市住建局）"``, or ``"D1"`` when the row has no name."""
    return f"{id}（{name}）" if name and name != id else id


def ones(pairs: IntArray) -> IntArray:
    return np.ones(pairs.size, dtype=np.int64)
