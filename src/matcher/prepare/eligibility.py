"""Which (cadre, post) pairs may be assigned at all: hard rules 2 and 3, in bulk.

Every pair gets a bitmask of the reasons that exclude it (0 = eligible), so
that an empty seat or an unplaced cadre can later be explained by name. The
mask is computed for a block of posts against all cadres at once with numpy
broadcasting; the model only ever sees the eligible pairs.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import IntFlag

import numpy as np
import numpy.typing as npt

from matcher.prepare.encoding import Encoded, IntArray

ReasonArray = npt.NDArray[np.uint16]


class Exclusion(IntFlag):
    """Why a pair is excluded; the rule numbers are those of domain.md."""

    EDUCATION = 1 << 0  # rule 2: below the post's (or the rule's) education
    AGE = 1 << 1  # rule 2: over the age cap of the cadre's rank
    DISCIPLINARY = 1 << 2  # rule 2: one-vote veto (一票否决)
    RANK = 1 << 3  # rule 2: rank not among the post's ranks
    EXPERIENCE = 1 << 4  # rule 2: new_experience_only and the cadre has that experience
    UNWILLING = 1 << 5  # rule 2: require_willing and the cadre did not apply
    OWN_UNIT = 1 << 6  # rule 2: the post is in the cadre's own sending unit
    FORBIDDEN = 1 << 7  # rule 2: the planner forbade this pair in affinities
    BIRTHPLACE = 1 << 8  # rule 3: sensitive post in the cadre's birthplace or where they grew up


EXCLUSION_TEXT: dict[Exclusion, tuple[str, str]] = {
    Exclusion.EDUCATION: ("education below the post's minimum", "学历低于岗位要求"),
    Exclusion.AGE: ("over the age cap for their rank", "超过所在职级的年龄上限"),
    Exclusion.DISCIPLINARY: ("disciplinary record (one-vote veto)", "受过处分（一票否决）"),
    Exclusion.RANK: ("rank not accepted by the post", "职级不符合岗位要求"),
    Exclusion.EXPERIENCE: ("already has experience of this kind", "已有该类岗位经历"),
    Exclusion.UNWILLING: ("did not apply (willing is required)", "本人未报名"),
    Exclusion.OWN_UNIT: ("post is in their own sending unit", "岗位在本人所在单位"),
    Exclusion.FORBIDDEN: ("pair forbidden by the planner", "组织上明确不安排"),
    Exclusion.BIRTHPLACE: (
        "sensitive post in their birthplace or home town (avoidance)",
        "敏感岗位任职回避（出生地或成长地）",
    ),
}


def describe(mask: int, lang: str = "en") -> list[str]:
    """The reasons in ``mask`` as planner-readable phrases."""
    column = 1 if lang == "zh" else 0
    return [text[column] for flag, text in EXCLUSION_TEXT.items() if mask & flag]


def exclusion_mask(enc: Encoded, cand_idcs: IntArray, post_idcs: IntArray) -> ReasonArray:
    """Reason bitmask for each pair ``(cand_idcs[i], post_idcs[i])``; inputs broadcast.

    Pass ``cand_idcs[:, None]`` and ``post_idcs[None, :]`` for a full block.
    """
    rules = enc.instance.rules
    # each test is computed on the inputs as given and broadcast by numpy: for a block
    # the per-cadre and per-post arrays are gathered once, not once per cell
    c, p = cand_idcs, post_idcs
    shape = np.broadcast_shapes(np.shape(c), np.shape(p))
    mask = np.zeros(shape, dtype=np.uint16)

    def add(flag: Exclusion, where: npt.NDArray[np.bool_]) -> None:
        np.bitwise_or(mask, where.astype(np.uint16) * np.uint16(flag), out=mask)

    # a documented exception (format v1.1) lifts that one requirement for the cadre
    add(
        Exclusion.EDUCATION,
        (enc.cand_education[c] < enc.post_min_education[p]) & ~enc.cand_education_exempt[c],
    )
    add(
        Exclusion.AGE,
        ((enc.cand_age > enc.age_cap_by_rank[enc.cand_rank]) & ~enc.cand_age_exempt)[c],
    )
    if rules.veto_disciplinary:
        add(Exclusion.DISCIPLINARY, enc.cand_disciplinary[c])
    add(Exclusion.RANK, ((enc.post_rank_bits[p] >> enc.cand_rank[c]) & 1) == 0)
    add(
        Exclusion.EXPERIENCE,
        enc.post_new_experience_only[p]
        & (((enc.cand_experience_bits[c] >> enc.post_kind[p]) & 1) == 1),
    )
    if rules.require_willing:
        add(Exclusion.UNWILLING, ~enc.cand_willing[c])
    add(Exclusion.OWN_UNIT, enc.cand_department[c] == enc.post_unit[p])
    if enc.post_sensitive[p].any():
        cb, pb = np.broadcast_arrays(c, p)
        sensitive = enc.post_sensitive[pb]
        add_at = np.zeros(shape, dtype=bool)
        add_at[sensitive] = _raised_in(enc, cb[sensitive], enc.post_region[pb][sensitive])
        add(Exclusion.BIRTHPLACE, add_at)
    if enc.forbidden_keys.size:
        add(Exclusion.FORBIDDEN, _member(enc.pair_keys(c, p), enc.forbidden_keys))
    return mask


def _member(keys: IntArray, sorted_keys: IntArray) -> npt.NDArray[np.bool_]:
    """``np.isin(keys, sorted_keys)`` by binary search: a few forbidden pairs against
    millions of cells, where ``isin`` would sort the millions."""
    position = np.minimum(np.searchsorted(sorted_keys, keys), sorted_keys.size - 1)
    return sorted_keys[position] == keys


def _raised_in(enc: Encoded, c: IntArray, region: IntArray) -> npt.NDArray[np.bool_]:
    """Whether cadre ``c[i]`` was born or grew up in ``region[i]``."""
    hit = np.zeros(c.shape, dtype=bool)
    for code in np.unique(region):
        avoiders = enc.region2avoiders.get(int(code))
        if avoiders is not None:
            here = region == code
            is_avoider = np.zeros(enc.instance.num_candidates, dtype=bool)
            is_avoider[avoiders] = True
            hit[here] = is_avoider[c[here]]
    return hit


@dataclass(frozen=True)
class Eligibility:
    """The eligible pairs, sorted by post then cadre, and counts of why others were cut."""

    cand_idcs: IntArray
    post_idcs: IntArray
    reason_counts: dict[Exclusion, int]
    """For each reason, the number of excluded pairs it applies to (a pair may have several)."""

    @property
    def num_pairs(self) -> int:
        return int(self.cand_idcs.size)


def eligible_pairs(enc: Encoded, block_cells: int = 4_000_000) -> Eligibility:
    """All eligible pairs, computed in blocks of posts to bound memory."""
    num_cands = enc.instance.num_candidates
    num_posts = enc.instance.num_posts
    block = max(1, block_cells // max(num_cands, 1))
    all_cands = np.arange(num_cands, dtype=np.int64)
    cand_parts: list[IntArray] = []
    post_parts: list[IntArray] = []
    counts = dict.fromkeys(Exclusion, 0)
    for start in range(0, num_posts, block):
        posts = np.arange(start, min(start + block, num_posts), dtype=np.int64)
        mask = exclusion_mask(enc, all_cands[:, None], posts[None, :])
        post_local, cand_local = np.nonzero(mask.T == 0)
        cand_parts.append(cand_local.astype(np.int64))
        post_parts.append(posts[post_local])
        for flag in Exclusion:
            counts[flag] += int(np.count_nonzero(mask & np.uint16(flag)))
    empty = np.zeros(0, dtype=np.int64)
    return Eligibility(
        cand_idcs=np.concatenate(cand_parts) if cand_parts else empty,
        post_idcs=np.concatenate(post_parts) if post_parts else empty,
        reason_counts=counts,
    )
