"""Rule 1: one post per cadre, and a post never gets more cadres than its seats (domain.md)."""

from __future__ import annotations

from collections.abc import Iterator

from matcher.model.space import PairSpace, Row, RuleInstance, labelled, named_zh, ones


def rows(space: PairSpace) -> Iterator[Row]:
    """At most one post per cadre; at most ``seats`` cadres per post.

    A row exists where the full set of eligible pairs could break it (``degrees``),
    even if a restricted space holds fewer of its pairs.
    """
    instance = space.enc.instance
    cand_degree, post_degree = space.cand_degree.tolist(), space.post_degree.tolist()
    for idx, (cand, pairs) in enumerate(zip(instance.candidates, space.cand2pairs, strict=True)):
        if cand_degree[idx] > 1:
            rule = RuleInstance(
                1,
                "one post",
                labelled("cadre", cand.id, cand.name),
                "at most one post",
                f"干部{named_zh(cand.id, cand.name)}至多安排一个岗位",
            )
            yield Row(pairs, ones(pairs), None, 1, rule, at_most_one=True, owner=idx)
    for idx, (post, pairs) in enumerate(zip(instance.posts, space.post2pairs, strict=True)):
        if post_degree[idx] <= post.seats:
            continue  # cannot overflow: no row needed
        rule = RuleInstance(
            1,
            "seats",
            labelled("post", post.id, post.name),
            f"{post.seats} seats",
            f"岗位{named_zh(post.id, post.name)}职数{post.seats}个",
        )
        yield Row(
            pairs, ones(pairs), None, post.seats, rule, at_most_one=post.seats == 1, owner=idx
        )
