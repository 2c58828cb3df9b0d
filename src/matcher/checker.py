"""The independent checker: re-verifies a plan against the raw instance, rule by rule.

It shares no code with the model builder (only the data model of
``matcher.instance``): each rule is read afresh from domain.md and checked with
plain loops over the plan, so a bug in the model cannot hide itself here.
Coverage and fit are recomputed exactly, with ``Fraction`` weights.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, fields
from fractions import Fraction

from matcher.instance import (
    EDUCATION_ORDER,
    PREFERENCE_BONUS,
    Candidate,
    Instance,
    Post,
)

RANK_ZH = {"county": "县处级", "section": "乡科级", "general": "一般干部"}


@dataclass(frozen=True)
class Violation:
    """One broken hard rule, in the planner's terms."""

    rule: str
    family: int
    """Hard-rule number in domain.md: 1 seats, 2 eligibility, 3 avoidance, 4 ratio, 5 quota, 6."""
    subject: str
    message_en: str
    message_zh: str


@dataclass(frozen=True)
class FitTerms:
    """The fit of one assignment, term by term (domain.md 'Objective'), exact."""

    score: Fraction = Fraction(0)
    development: Fraction = Fraction(0)
    reserve: Fraction = Fraction(0)
    party: Fraction = Fraction(0)
    dept_priority: Fraction = Fraction(0)
    category_match: Fraction = Fraction(0)
    preference: Fraction = Fraction(0)
    affinity: Fraction = Fraction(0)

    @property
    def total(self) -> Fraction:
        return sum((getattr(self, f.name) for f in fields(self)), Fraction(0))


@dataclass(frozen=True)
class CheckReport:
    violations: tuple[Violation, ...]
    coverage: int
    fit: Fraction
    fit_by_assignment: dict[tuple[str, str], FitTerms]

    @property
    def ok(self) -> bool:
        return not self.violations


def fit_terms(instance: Instance, candidate_id: str, post_id: str) -> FitTerms:
    """Fit of any (cadre, post) pair by the published table, with the rules' weights."""
    cand = next(c for c in instance.candidates if c.id == candidate_id)
    post = next(p for p in instance.posts if p.id == post_id)
    return _fit(instance, cand, post)


def _fit(instance: Instance, cand: Candidate, post: Post) -> FitTerms:
    w = instance.rules.weights
    dept = next((d for d in instance.departments if d.id == cand.department), None)
    rank = cand.preferences.index(post.id) + 1 if post.id in cand.preferences else 0
    bonus = PREFERENCE_BONUS[rank - 1] if 1 <= rank <= len(PREFERENCE_BONUS) else 0
    affinity = next(
        (
            a.bonus
            for a in instance.affinities
            if a.candidate_id == cand.id and a.post_id == post.id
        ),
        0,
    )
    category = dept.category if dept is not None else ""
    return FitTerms(
        score=w.score * cand.score,
        development=w.development if post.kind not in cand.experience else Fraction(0),
        reserve=w.reserve if cand.reserve else Fraction(0),
        party=w.party if cand.party_member else Fraction(0),
        dept_priority=w.dept_priority if dept is not None and dept.priority else Fraction(0),
        category_match=(
            w.category_match if category and category in post.preferred_categories else Fraction(0)
        ),
        preference=w.preference * bonus,
        affinity=w.affinity * affinity,
    )


def _who(cand: Candidate) -> str:
    return f"{cand.id}（{cand.name}）" if cand.name else cand.id


def _eligibility(instance: Instance, cand: Candidate, post: Post) -> list[Violation]:
    """Rule 2 (education, age, veto, rank, experience, willing, own unit, forbid) and rule 3."""
    rules = instance.rules
    pair = f"{cand.id} -> {post.id}"
    who = _who(cand)
    found: list[Violation] = []

    def add(rule: str, family: int, en: str, zh: str) -> None:
        found.append(Violation(rule, family, pair, en, zh))

    needed = rules.min_education
    if (
        post.min_education is not None
        and EDUCATION_ORDER[post.min_education] > EDUCATION_ORDER[needed]
    ):
        needed = post.min_education
    if EDUCATION_ORDER[cand.education] < EDUCATION_ORDER[needed]:
        add(
            "education",
            2,
            f"{cand.id} has {cand.education.value}, {post.id} needs {needed.value}",
            f"干部{who}学历为{cand.education.value}，岗位{post.id}要求{needed.value}以上",
        )
    cap = rules.age_caps.get(cand.rank)
    if cap is not None and cand.age > cap:
        add(
            "age",
            2,
            f"{cand.id} is {cand.age}, over the {cand.rank.value} cap of {cap}",
            f"干部{who}年龄{cand.age}岁，超过{RANK_ZH[cand.rank.value]}上限{cap}岁",
        )
    if rules.veto_disciplinary and cand.disciplinary:
        add(
            "disciplinary",
            2,
            f"{cand.id} has a disciplinary record (one-vote veto)",
            f"干部{who}受过处分，一票否决",
        )
    if cand.rank not in post.ranks:
        add(
            "rank",
            2,
            f"{post.id} does not accept rank {cand.rank.value}",
            f"岗位{post.id}不接受{RANK_ZH[cand.rank.value]}干部",
        )
    if post.new_experience_only and post.kind in cand.experience:
        add(
            "experience",
            2,
            f"{cand.id} already has {post.kind.value} experience",
            f"干部{who}已有该类岗位经历，岗位{post.id}只选派缺乏此经历者",
        )
    if rules.require_willing and not cand.willing:
        add("willing", 2, f"{cand.id} did not apply", f"干部{who}本人未报名")
    if cand.department == post.unit:
        add(
            "own_unit",
            2,
            f"{post.id} is in {cand.id}'s own unit {post.unit}",
            f"岗位{post.id}在干部{who}本单位{post.unit}",
        )
    if any(
        a.forbid for a in instance.affinities if a.candidate_id == cand.id and a.post_id == post.id
    ):
        add("forbidden", 2, f"the planner forbade {pair}", f"组织上明确不安排{who}到{post.id}")
    if post.sensitive and (post.region == cand.birthplace or post.region in cand.grew_up):
        add(
            "birthplace",
            3,
            f"{cand.id} was born or grew up in {post.region}, sensitive post {post.id}",
            f"干部{who}出生或成长于{post.region}，须回避敏感岗位{post.id}",
        )
    return found


def _local_ratio(instance: Instance, placed: list[tuple[Candidate, Post]]) -> list[Violation]:
    """Rule 4, for every team, counted after the plan (incumbents − leavers + joiners)."""
    found = []
    for team in instance.teams:
        members, locals_ = team.incumbents, team.incumbent_locals
        for cand, post in placed:
            was_in = cand.current_team == team.id
            goes_in = post.team == team.id
            if was_in == goes_in:
                continue  # stays outside, or moves within the team
            change = 1 if goes_in else -1
            members += change
            if cand.home_region == team.region:
                locals_ += change
        ratio = instance.team_ratio(team)
        if locals_ * ratio.denominator < ratio.numerator * members:
            found.append(
                Violation(
                    "local_ratio",
                    4,
                    f"team {team.id}",
                    f"team {team.id}: {locals_} local of {members} members, below {ratio}",
                    f"班子{team.id}（{team.region}）调整后本地干部{locals_}人/共{members}人，"
                    f"低于{ratio}",
                )
            )
    return found


def check_plan(instance: Instance, assignments: Sequence[tuple[str, str]]) -> CheckReport:
    """Every hard rule of domain.md on ``assignments`` ((candidate_id, post_id) pairs)."""
    cands = {c.id: c for c in instance.candidates}
    posts = {p.id: p for p in instance.posts}
    violations: list[Violation] = []
    placed: list[tuple[Candidate, Post]] = []
    for cand_id, post_id in assignments:
        if cand_id not in cands or post_id not in posts:
            violations.append(
                Violation(
                    "unknown_id",
                    1,
                    f"{cand_id} -> {post_id}",
                    f"unknown candidate or post in {cand_id} -> {post_id}",
                    f"方案中的{cand_id} -> {post_id}不在名单中",
                )
            )
            continue
        placed.append((cands[cand_id], posts[post_id]))

    # rule 1
    for cand_id, times in Counter(c.id for c, _ in placed).items():
        if times > 1:
            violations.append(
                Violation(
                    "one_post",
                    1,
                    f"candidate {cand_id}",
                    f"{cand_id} holds {times} posts",
                    f"干部{_who(cands[cand_id])}被安排了{times}个岗位",
                )
            )
    for post_id, taken in Counter(p.id for _, p in placed).items():
        if taken > posts[post_id].seats:
            violations.append(
                Violation(
                    "seats",
                    1,
                    f"post {post_id}",
                    f"{post_id} has {taken} cadres for {posts[post_id].seats} seats",
                    f"岗位{post_id}安排{taken}人，超过职数{posts[post_id].seats}",
                )
            )
    # rules 2 and 3
    for cand, post in placed:
        violations.extend(_eligibility(instance, cand, post))
    # rule 4
    violations.extend(_local_ratio(instance, placed))
    # rule 5
    sent = Counter(cand.department for cand, _ in set(placed))
    for dept in instance.departments:
        count = sent[dept.id]
        if count < dept.min_send:
            violations.append(
                Violation(
                    "quota_min",
                    5,
                    f"department {dept.id}",
                    f"{dept.id} sends {count}, at least {dept.min_send} required",
                    f"单位{dept.id}选派{count}人，少于下限{dept.min_send}人",
                )
            )
        if dept.max_send is not None and count > dept.max_send:
            violations.append(
                Violation(
                    "quota_max",
                    5,
                    f"department {dept.id}",
                    f"{dept.id} sends {count}, at most {dept.max_send} allowed",
                    f"单位{dept.id}选派{count}人，超过上限{dept.max_send}人",
                )
            )
    # rule 6
    years = instance.rules.must_place_years
    placed_ids = {cand.id for cand, _ in placed}
    for cand in instance.candidates:
        if years > 0 and cand.years_in_post >= years and cand.id not in placed_ids:
            violations.append(
                Violation(
                    "must_place",
                    6,
                    f"candidate {cand.id}",
                    f"{cand.id} has {cand.years_in_post} years in post and must be placed",
                    f"干部{_who(cand)}任职{cand.years_in_post}年，必须安排",
                )
            )

    fit_by_assignment = {(c.id, p.id): _fit(instance, c, p) for c, p in placed}
    return CheckReport(
        violations=tuple(violations),
        coverage=sum(p.priority for _, p in placed),
        fit=sum((terms.total for terms in fit_by_assignment.values()), Fraction(0)),
        fit_by_assignment=fit_by_assignment,
    )
