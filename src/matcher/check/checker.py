"""The independent checker: re-verifies a plan against the raw instance, rule by rule.

It shares no code with the model builder (only the data model of
``matcher.instance``): each hard rule of ``shared/domain.md`` is read afresh and
checked with plain loops over the plan, so a bug in the model cannot hide
itself here. Coverage and fit are recomputed exactly, with ``Fraction`` weights.

Conventions (decided here, documented so that a reader can check them):

* An assignment row whose candidate id or post id is not in the instance is an
  ``unknown_id`` violation and is otherwise ignored: it fills no seat, places
  nobody, and adds nothing to coverage or fit.
* Every other row counts as written, duplicates included: a candidate listed
  twice is one ``one_post`` violation and uses two seats; each row adds its
  post's priority to coverage and its fit to ``fit``. ``fit_by_assignment`` is
  keyed by pair, so a repeated identical pair appears there once.
* Counts of *cadres* (team members joining or leaving, department quotas,
  must-place, group members) count distinct candidates.
* Format v1.1 is read here from domain.md afresh, with this module's own tables:
  a rank's family (``RANK_FAMILY_OF``: age caps and ``min_county_level`` go by
  family; a family in a post's ``ranks`` accepts its grades, a grade only
  itself); a documented exception lifts the age cap or every education
  requirement for its cadre and nothing else; rule 7 counts a group's members as
  the distinct cadres assigned to any of its posts, and its party and county
  minimums bind only a group with at least one member.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from fractions import Fraction

from matcher.instance import (
    Candidate,
    Department,
    Education,
    Instance,
    Post,
    PostKind,
    Rank,
    Team,
)

RULE_FAMILY: dict[str, int] = {
    "one_post": 1,
    "seats": 1,
    "unknown_id": 1,
    "education": 2,
    "age": 2,
    "disciplinary": 2,
    "rank": 2,
    "experience": 2,
    "willing": 2,
    "own_unit": 2,
    "forbidden": 2,
    "birthplace": 3,
    "local_ratio": 4,
    "quota_min": 5,
    "quota_max": 5,
    "must_place": 6,
    "group_min": 7,
    "group_max": 7,
    "group_party": 7,
    "group_county": 7,
    "group_department": 7,
}
"""Each rule name and the number of the hard rule in domain.md it belongs to."""

RANK_ZH: dict[Rank, str] = {
    Rank.COUNTY: "县处级",
    Rank.SECTION: "乡科级",
    Rank.GENERAL: "一般干部",
    Rank.SECTION_DEPUTY: "副科级",
    Rank.SECTION_FULL: "正科级",
    Rank.COUNTY_DEPUTY: "副处级",
    Rank.COUNTY_FULL: "正处级",
}
RANK_FAMILY_OF: dict[str, str] = {
    "general": "general",
    "section": "section",
    "county": "county",
    "section_deputy": "section",
    "section_full": "section",
    "county_deputy": "county",
    "county_full": "county",
}
"""domain.md "Finer ranks": each rank (file value) and the family it belongs to."""
EDUCATION_LEVEL: dict[str, int] = {
    "secondary": 0,
    "associate": 1,
    "bachelor": 2,
    "master": 3,
    "doctor": 4,
}
"""domain.md "Instance format v1": each education (file value), lowest first."""
AGE_CAP_OF_FAMILY: dict[str, int] = {"county": 45, "section": 40, "general": 35}
"""domain.md rule 2: the age cap of each rank family where ``rules.toml`` gives none."""
PREFERENCE_BONUS: tuple[int, ...] = (20, 15, 10, 5)
"""domain.md "Objective": the bonus of a cadre's 1st..4th listed preference."""
AGE_CAP_EXCEPTION = "age_cap"
EDUCATION_EXCEPTION = "min_education"
"""The two rules an exception may lift (domain.md "Documented exceptions"), in this order."""
EDUCATION_ZH: dict[Education, str] = {
    Education.SECONDARY: "中专/高中",
    Education.ASSOCIATE: "大专",
    Education.BACHELOR: "本科",
    Education.MASTER: "硕士",
    Education.DOCTOR: "博士",
}
KIND_ZH: dict[PostKind, str] = {
    PostKind.GRASSROOTS: "下挂（基层）",
    PostKind.PETITION: "信访",
    PostKind.KEY_PROJECT: "重点工程",
    PostKind.EXTERNAL: "外挂",
    PostKind.UPWARD: "上挂",
}


# --------------------------------------------------------------------------- results


@dataclass(frozen=True)
class Violation:
    """One broken hard rule, in the planner's terms."""

    rule: str
    family: int
    subject: str
    message_en: str
    message_zh: str


@dataclass(frozen=True)
class FitTerms:
    """The exact value of each term of domain.md's fit table for one pair."""

    score: Fraction
    development: Fraction
    reserve: Fraction
    party: Fraction
    dept_priority: Fraction
    category_match: Fraction
    preference: Fraction
    affinity: Fraction

    @property
    def total(self) -> Fraction:
        return (
            self.score
            + self.development
            + self.reserve
            + self.party
            + self.dept_priority
            + self.category_match
            + self.preference
            + self.affinity
        )


@dataclass(frozen=True)
class CheckReport:
    """Everything the checker found about one plan.

    Parameters
    ----------
    violations
        Every broken hard rule, in ``check_plan``'s fixed order; empty when the plan is valid.
    coverage
        Sum of the priorities of the filled seats, recomputed from the data.
    fit
        Total fit of the plan, recomputed from the data.
    fit_by_assignment
        Each (cadre id, post id)'s fit by term, for the plan files and ``explain``.
    exceptions_by_assignment
        The documented exceptions an assignment relies on (format v1.1).
    """

    violations: tuple[Violation, ...]
    coverage: int
    fit: Fraction
    fit_by_assignment: dict[tuple[str, str], FitTerms]
    exceptions_by_assignment: dict[tuple[str, str], tuple[str, ...]] = field(default_factory=dict)
    """The exceptions each assignment relies on (only those that rely on any)."""

    @property
    def ok(self) -> bool:
        """Whether the plan keeps every hard rule."""
        return not self.violations

    @property
    def exceptions_used(self) -> int:
        """How many (cadre, rule) exceptions the plan relies on."""
        return len(
            {(pair[0], rule) for pair, rules in self.exceptions_by_assignment.items()
             for rule in rules}
        )  # fmt: skip

    def disagreement(self, coverage: int, fit: Fraction) -> list[str]:
        """Why a plan the solver says has ``coverage`` and ``fit`` must not be written, if so.

        Every caller that writes a plan asks this: a broken rule, or an objective the
        checker recomputes differently, is a bug in the solver, never a plan.
        """
        lines = [f"  {v.subject}: {v.message_en}" for v in self.violations]
        if self.ok and (self.coverage, self.fit) != (coverage, fit):
            lines.append(
                f"  objective mismatch: solver coverage {coverage} fit {fit},"
                f" checker coverage {self.coverage} fit {self.fit}"
            )
        return lines


def _violation(rule: str, subject: str, message_en: str, message_zh: str) -> Violation:
    return Violation(
        rule=rule,
        family=RULE_FAMILY[rule],
        subject=subject,
        message_en=message_en,
        message_zh=message_zh,
    )


# --------------------------------------------------------------------------- labels


def _who(candidate: Candidate) -> str:
    """Chinese label of a cadre: '干部 C001（张三）'."""
    if candidate.name:
        return f"干部 {candidate.id}（{candidate.name}）"
    return f"干部 {candidate.id}"


def _where(post: Post) -> str:
    """Chinese label of a post: '岗位 P01（某镇副镇长）'."""
    if post.name:
        return f"岗位 {post.id}（{post.name}）"
    return f"岗位 {post.id}"


def _pair(candidate: Candidate, post: Post) -> str:
    return f"{candidate.id} -> {post.id}"


def _ratio_text(ratio: Fraction) -> str:
    return f"{ratio.numerator}/{ratio.denominator}"


# --------------------------------------------------------------------------- rule 1


def check_unknown_ids(
    instance: Instance, assignments: Sequence[tuple[str, str]]
) -> list[Violation]:
    """Rule 1 (and the plan format): every row names a known candidate and a known post."""
    candidate_ids = {c.id for c in instance.candidates}
    post_ids = {p.id for p in instance.posts}
    found = []
    for candidate_id, post_id in assignments:
        unknown_en = []
        unknown_zh = []
        if candidate_id not in candidate_ids:
            unknown_en.append(f"candidate {candidate_id}")
            unknown_zh.append(f"干部 {candidate_id}")
        if post_id not in post_ids:
            unknown_en.append(f"post {post_id}")
            unknown_zh.append(f"岗位 {post_id}")
        if unknown_en:
            found.append(
                _violation(
                    "unknown_id",
                    f"{candidate_id} -> {post_id}",
                    f"Assignment {candidate_id} -> {post_id} names an unknown "
                    + " and an unknown ".join(unknown_en),
                    f"方案中 {candidate_id} -> {post_id} 一行有误："
                    f"{'、'.join(unknown_zh)} 不在名单中",
                )
            )
    return found


def check_one_post(
    pairs: Sequence[tuple[Candidate, Post]],
) -> list[Violation]:
    """Rule 1: one post per cadre (a cadre appears in at most one assignment)."""
    rows_by_candidate: dict[str, list[tuple[Candidate, Post]]] = {}
    for candidate, post in pairs:
        rows_by_candidate.setdefault(candidate.id, []).append((candidate, post))
    found = []
    for rows in rows_by_candidate.values():
        if len(rows) > 1:
            candidate = rows[0][0]
            post_ids = [post.id for _, post in rows]
            found.append(
                _violation(
                    "one_post",
                    f"candidate {candidate.id}",
                    f"Candidate {candidate.id} is assigned {len(rows)} times "
                    f"({', '.join(post_ids)}); a cadre holds at most one post",
                    f"{_who(candidate)} 被安排了 {len(rows)} 次（{'、'.join(post_ids)}），"
                    "每名干部只能去一个岗位",
                )
            )
    return found


def check_seats(instance: Instance, pairs: Sequence[tuple[Candidate, Post]]) -> list[Violation]:
    """Rule 1: a post never gets more cadres than its ``seats``."""
    count_by_post: dict[str, int] = {}
    for _, post in pairs:
        count_by_post[post.id] = count_by_post.get(post.id, 0) + 1
    found = []
    for post in instance.posts:
        count = count_by_post.get(post.id, 0)
        if count > post.seats:
            found.append(
                _violation(
                    "seats",
                    f"post {post.id}",
                    f"Post {post.id} gets {count} cadres but has {post.seats} seat(s)",
                    f"{_where(post)} 只有 {post.seats} 个名额，方案却派了 {count} 人",
                )
            )
    return found


# --------------------------------------------------------------------------- rule 2


def _required_education(instance: Instance, post: Post) -> Education:
    required = instance.rules.min_education
    if (
        post.min_education is not None
        and EDUCATION_LEVEL[post.min_education.value] > EDUCATION_LEVEL[required.value]
    ):
        required = post.min_education
    return required


def _below_education(instance: Instance, candidate: Candidate, post: Post) -> bool:
    required = _required_education(instance, post)
    return EDUCATION_LEVEL[candidate.education.value] < EDUCATION_LEVEL[required.value]


def _age_cap(instance: Instance, candidate: Candidate) -> int:
    family = RANK_FAMILY_OF[candidate.rank.value]
    return instance.rules.age_caps.get(Rank(family), AGE_CAP_OF_FAMILY[family])


def _exempt(instance: Instance, candidate: Candidate, rule: str) -> bool:
    return (candidate.id, rule) in _lookups(instance).exceptions


def relied_exceptions(instance: Instance, candidate: Candidate, post: Post) -> tuple[str, ...]:
    """The exceptions the pair relies on: those it has and would break the rule without."""
    relied = []
    if _exempt(instance, candidate, AGE_CAP_EXCEPTION) and candidate.age > _age_cap(
        instance, candidate
    ):
        relied.append(AGE_CAP_EXCEPTION)
    if _exempt(instance, candidate, EDUCATION_EXCEPTION) and _below_education(
        instance, candidate, post
    ):
        relied.append(EDUCATION_EXCEPTION)
    return tuple(relied)


def check_education(instance: Instance, candidate: Candidate, post: Post) -> Violation | None:
    """Rule 2: education at least the higher of the rule's and the post's ``min_education``,
    unless a documented exception lifts it for the cadre."""
    required = _required_education(instance, post)
    if EDUCATION_LEVEL[candidate.education.value] >= EDUCATION_LEVEL[required.value]:
        return None
    if _exempt(instance, candidate, EDUCATION_EXCEPTION):
        return None
    return _violation(
        "education",
        _pair(candidate, post),
        f"Candidate {candidate.id} has education {candidate.education.value}, "
        f"below the {required.value} required for post {post.id}",
        f"{_who(candidate)} 学历为{EDUCATION_ZH[candidate.education]}，"
        f"低于{_where(post)} 要求的{EDUCATION_ZH[required]}，不能派往该岗位",
    )


def check_age(instance: Instance, candidate: Candidate, post: Post) -> Violation | None:
    """Rule 2: age at most the cap of the cadre's rank family (age equal to the cap is
    eligible), unless a documented exception lifts it for the cadre."""
    cap = _age_cap(instance, candidate)
    if candidate.age <= cap or _exempt(instance, candidate, AGE_CAP_EXCEPTION):
        return None
    return _violation(
        "age",
        _pair(candidate, post),
        f"Candidate {candidate.id} is {candidate.age}, over the {candidate.rank.value}-rank "
        f"age cap of {cap}; cannot go to post {post.id}",
        f"{_who(candidate)} 年龄 {candidate.age} 岁，超过{RANK_ZH[candidate.rank]}上限 "
        f"{cap} 岁，不能派往{_where(post)}",
    )


def check_disciplinary(instance: Instance, candidate: Candidate, post: Post) -> Violation | None:
    """Rule 2: one-vote veto, a cadre with a sanction on record is never posted."""
    if not (instance.rules.veto_disciplinary and candidate.disciplinary):
        return None
    return _violation(
        "disciplinary",
        _pair(candidate, post),
        f"Candidate {candidate.id} has a disciplinary sanction on record (one-vote veto); "
        f"cannot go to post {post.id}",
        f"{_who(candidate)} 受过党纪或政务处分（一票否决），不能派往{_where(post)}",
    )


def check_rank(candidate: Candidate, post: Post) -> Violation | None:
    """Rule 2: the cadre's rank is one of the post's allowed ``ranks``: listed itself, or
    its family listed (a family accepts its grades; a grade accepts only itself)."""
    listed = {rank.value for rank in post.ranks}
    if candidate.rank.value in listed or RANK_FAMILY_OF[candidate.rank.value] in listed:
        return None
    allowed_en = ", ".join(rank.value for rank in post.ranks) or "none"
    allowed_zh = "、".join(RANK_ZH[rank] for rank in post.ranks) or "无"
    return _violation(
        "rank",
        _pair(candidate, post),
        f"Candidate {candidate.id} is {candidate.rank.value} rank; post {post.id} "
        f"accepts {allowed_en}",
        f"{_who(candidate)} 职级为{RANK_ZH[candidate.rank]}，{_where(post)} 只接受{allowed_zh}",
    )


def check_experience(candidate: Candidate, post: Post) -> Violation | None:
    """Rule 2: a ``new_experience_only`` post takes only cadres lacking experience of its kind."""
    if not (post.new_experience_only and post.kind in candidate.experience):
        return None
    return _violation(
        "experience",
        _pair(candidate, post),
        f"Post {post.id} is for cadres without {post.kind.value} experience, "
        f"but candidate {candidate.id} has it",
        f"{_where(post)} 只选派缺乏{KIND_ZH[post.kind]}工作经历的干部，"
        f"{_who(candidate)} 已有此类经历",
    )


def check_willing(instance: Instance, candidate: Candidate, post: Post) -> Violation | None:
    """Rule 2: where ``require_willing`` is on, only cadres who applied are posted."""
    if not (instance.rules.require_willing and not candidate.willing):
        return None
    return _violation(
        "willing",
        _pair(candidate, post),
        f"Candidate {candidate.id} did not apply, and the rules require willing cadres; "
        f"cannot go to post {post.id}",
        f"本次选派要求本人自愿报名，{_who(candidate)} 未报名，不能派往{_where(post)}",
    )


def check_own_unit(candidate: Candidate, post: Post) -> Violation | None:
    """Rule 2: a cadre is never posted into their own sending unit."""
    if candidate.department != post.unit:
        return None
    return _violation(
        "own_unit",
        _pair(candidate, post),
        f"Candidate {candidate.id} would be posted into their own unit {post.unit} "
        f"(post {post.id})",
        f"{_where(post)} 属于{_who(candidate)} 本单位 {post.unit}，不能派回本单位挂职",
    )


@dataclass(frozen=True)
class _Lookups:
    """Affinities and departments by id, built once per instance: a plan check (and the
    alternates search, which checks hundreds of plans) must not rescan them per pair."""

    forbidden: frozenset[tuple[str, str]]
    bonus: dict[tuple[str, str], Fraction | int]
    departments: dict[str, Department]
    exceptions: frozenset[tuple[str, str]]
    """(cadre id, rule) of every documented exception."""


_LOOKUPS: dict[int, tuple[Instance, _Lookups]] = {}


def _lookups(instance: Instance) -> _Lookups:
    """The lookups of ``instance`` (cached by identity; the instance is frozen)."""
    cached = _LOOKUPS.get(id(instance))
    if cached is not None and cached[0] is instance:
        return cached[1]
    bonus: dict[tuple[str, str], Fraction | int] = {}
    for a in instance.affinities:
        bonus[(a.candidate_id, a.post_id)] = bonus.get((a.candidate_id, a.post_id), 0) + a.bonus
    made = _Lookups(
        frozenset((a.candidate_id, a.post_id) for a in instance.affinities if a.forbid),
        bonus,
        {d.id: d for d in instance.departments},
        frozenset((e.candidate_id, e.rule.value) for e in instance.exceptions),
    )
    if len(_LOOKUPS) > 8:
        _LOOKUPS.clear()
    _LOOKUPS[id(instance)] = (instance, made)
    return made


def check_forbidden(instance: Instance, candidate: Candidate, post: Post) -> Violation | None:
    """Rule 2: a pair the planner marked ``forbid`` in ``affinities`` is never assigned."""
    if (candidate.id, post.id) not in _lookups(instance).forbidden:
        return None
    return _violation(
        "forbidden",
        _pair(candidate, post),
        f"The planner forbade assigning candidate {candidate.id} to post {post.id}",
        f"已标记{_who(candidate)} 不得派往{_where(post)}",
    )


# --------------------------------------------------------------------------- rule 3


def check_birthplace(candidate: Candidate, post: Post) -> Violation | None:
    """Rule 3: a sensitive post is never filled by a cadre born or raised in its region."""
    if not post.sensitive:
        return None
    if post.region == candidate.birthplace:
        how_en, how_zh = "was born", "出生于"
    elif post.region in candidate.grew_up:
        how_en, how_zh = "grew up", "成长于"
    else:
        return None
    return _violation(
        "birthplace",
        _pair(candidate, post),
        f"Candidate {candidate.id} {how_en} in {post.region}, the region of sensitive "
        f"post {post.id} (birthplace avoidance)",
        f"{_who(candidate)} {how_zh}{post.region}，按回避规定不能担任该地的敏感{_where(post)}",
    )


# --------------------------------------------------------------------------- rule 4


def team_after_plan(team: Team, pairs: Sequence[tuple[Candidate, Post]]) -> tuple[int, int]:
    """Rule 4 counting: (members, locals) of ``team`` after the plan.

    Incumbents, minus cadres whose ``current_team`` is the team and who are
    posted to a post not of the team, plus cadres posted to a post of the team
    whose ``current_team`` is another (or none). A cadre posted within their own
    team neither leaves nor joins. Locals are counted the same way, over
    cadres whose ``home_region`` is the team's region only.
    """
    leaving: dict[str, Candidate] = {}
    joining: dict[str, Candidate] = {}
    for candidate, post in pairs:
        if candidate.current_team == team.id and post.team != team.id:
            leaving[candidate.id] = candidate
        if post.team == team.id and candidate.current_team != team.id:
            joining[candidate.id] = candidate
    members = team.incumbents - len(leaving) + len(joining)
    locals_ = (
        team.incumbent_locals
        - sum(1 for c in leaving.values() if c.home_region == team.region)
        + sum(1 for c in joining.values() if c.home_region == team.region)
    )
    return members, locals_


def check_local_ratio(
    instance: Instance, pairs: Sequence[tuple[Candidate, Post]]
) -> list[Violation]:
    """Rule 4: every team in ``teams`` keeps locals/members >= its ratio, compared exactly.

    Each team is counted over the pairs that touch it (its members, its posts) only:
    the others cannot change it, and scanning the whole plan per team took 10 s at
    national scale (11,789 pairs × 353 teams, twice per solve)."""
    touching: dict[str, list[tuple[Candidate, Post]]] = {}
    for candidate, post in pairs:
        for team_id in {candidate.current_team, post.team}:
            if team_id is not None:
                touching.setdefault(team_id, []).append((candidate, post))
    found = (_ratio_violation(instance, team, touching.get(team.id, [])) for team in instance.teams)
    return [violation for violation in found if violation is not None]


def _local_ratio(instance: Instance, team: Team) -> Fraction:
    """Rule 4's ratio for ``team``: its own ``min_local_ratio``, else the rule's ``local_ratio``."""
    if team.min_local_ratio is not None:
        return team.min_local_ratio
    return instance.rules.local_ratio


def _ratio_violation(
    instance: Instance, team: Team, pairs: Sequence[tuple[Candidate, Post]]
) -> Violation | None:
    ratio = _local_ratio(instance, team)
    members, locals_ = team_after_plan(team, pairs)
    if locals_ * ratio.denominator >= ratio.numerator * members:
        return None
    # smallest integer number of locals meeting the ratio: ceil(ratio * members)
    needed = -((-ratio.numerator * members) // ratio.denominator)
    return _violation(
        "local_ratio",
        f"team {team.id}",
        f"Team {team.id} ({team.region}) would have {locals_} local(s) among "
        f"{members} member(s), below its ratio {_ratio_text(ratio)} "
        f"(needs at least {needed})",
        f"班子 {team.id}（{team.region}）按方案调整后共 {members} 人，其中本地干部 "
        f"{locals_} 人，低于最低比例 {_ratio_text(ratio)}（至少需要 {needed} 人）",
    )


# --------------------------------------------------------------------------- rule 5


def check_quotas(instance: Instance, pairs: Sequence[tuple[Candidate, Post]]) -> list[Violation]:
    """Rule 5: each listed department sends between ``min_send`` and ``max_send`` cadres."""
    sent = Counter(candidate.department for candidate in _placed(pairs).values())
    found: list[Violation] = []
    for department in instance.departments:
        found += _quota_violations(department, sent[department.id])
    return found


def _placed(pairs: Sequence[tuple[Candidate, Post]]) -> dict[str, Candidate]:
    """The placed cadres by id (a cadre listed twice counts once)."""
    return {candidate.id: candidate for candidate, _ in pairs}


def _quota_violations(department: Department, sent: int) -> list[Violation]:
    label = _department_zh(department)
    found = []
    if sent < department.min_send:
        found.append(
            _violation(
                "quota_min",
                f"department {department.id}",
                f"Department {department.id} sends {sent} cadre(s), "
                f"fewer than its minimum {department.min_send}",
                f"{label} 只派出 {sent} 人，少于最低 {department.min_send} 人",
            )
        )
    if department.max_send is not None and sent > department.max_send:
        found.append(
            _violation(
                "quota_max",
                f"department {department.id}",
                f"Department {department.id} sends {sent} cadre(s), "
                f"more than its maximum {department.max_send}",
                f"{label} 派出 {sent} 人，超过最多 {department.max_send} 人",
            )
        )
    return found


def _department_zh(department: Department) -> str:
    if department.name:
        return f"单位 {department.id}（{department.name}）"
    return f"单位 {department.id}"


# --------------------------------------------------------------------------- rule 6


def check_must_place(
    instance: Instance, pairs: Sequence[tuple[Candidate, Post]]
) -> list[Violation]:
    """Rule 6: a cadre with ``years_in_post`` >= ``must_place_years`` (if > 0) is placed."""
    placed = _placed(pairs)
    found = (
        _must_place_violation(instance, candidate)
        for candidate in instance.candidates
        if candidate.id not in placed
    )
    return [violation for violation in found if violation is not None]


def _must_place_violation(instance: Instance, unplaced: Candidate) -> Violation | None:
    threshold = instance.rules.must_place_years
    if threshold <= 0 or unplaced.years_in_post < threshold:
        return None
    return _violation(
        "must_place",
        f"candidate {unplaced.id}",
        f"Candidate {unplaced.id} has {unplaced.years_in_post} years in post "
        f"(threshold {threshold}) and must be placed, but is not",
        f"{_who(unplaced)} 任现职已 {unplaced.years_in_post} 年"
        f"（满 {threshold} 年须交流），方案未安排岗位",
    )


# --------------------------------------------------------------------------- rule 7


@dataclass(frozen=True)
class GroupComposition:
    """Rule 7 counting: who a group holds after the plan (distinct cadres on its posts)."""

    members: int
    party_members: int
    county_level: int
    """Members of rank family ``county`` (the group leader's family), grades included."""
    department2members: dict[str, int]
    """Members per sending department."""

    @property
    def most_from_one_department(self) -> int:
        return max(self.department2members.values(), default=0)


def group_composition(
    instance: Instance, pairs: Sequence[tuple[Candidate, Post]]
) -> dict[str, GroupComposition]:
    """Every group's composition after the plan ``pairs``, by group id (empty groups too).

    The report draws these very counts, so a hand-edited plan is shown as the
    checker judges it."""
    members: dict[str, dict[str, Candidate]] = {group.id: {} for group in instance.groups}
    for candidate, post in pairs:
        for group_id in post.groups:
            members.setdefault(group_id, {})[candidate.id] = candidate
    return {
        group_id: GroupComposition(
            members=len(cadres),
            party_members=sum(1 for c in cadres.values() if c.party_member),
            county_level=sum(
                1 for c in cadres.values() if RANK_FAMILY_OF[c.rank.value] == "county"
            ),
            department2members=dict(Counter(c.department for c in cadres.values())),
        )
        for group_id, cadres in members.items()
    }


def check_groups(
    instance: Instance,
    pairs: Sequence[tuple[Candidate, Post]],
    only: set[str] | None = None,
) -> list[Violation]:
    """Rule 7: each group's members (distinct cadres on any of its posts) within its limits.

    ``min_members`` and ``max_members`` always; ``min_party_members`` and
    ``min_county_level`` (rank family county) only when the group has a member;
    ``max_per_department`` per sending department. ``only``: these groups alone.
    """
    composition = group_composition(instance, pairs)
    found: list[Violation] = []
    for group in instance.groups:
        if only is not None and group.id not in only:
            continue
        counted = composition[group.id]
        label = f"工作组 {group.id}（{group.name}）" if group.name else f"工作组 {group.id}"
        subject = f"group {group.id}"
        count = counted.members
        if count < group.min_members:
            found.append(_violation(
                "group_min", subject,
                f"Group {group.id} has {count} member(s), fewer than its minimum"
                f" {group.min_members}",
                f"{label} 只有 {count} 人，少于最低 {group.min_members} 人"))  # fmt: skip
        if group.max_members is not None and count > group.max_members:
            found.append(_violation(
                "group_max", subject,
                f"Group {group.id} has {count} member(s), more than its maximum"
                f" {group.max_members}",
                f"{label} 有 {count} 人，超过最多 {group.max_members} 人"))  # fmt: skip
        if count == 0:
            continue  # an empty group needs no party members and no leader
        party = counted.party_members
        if party < group.min_party_members:
            found.append(_violation(
                "group_party", subject,
                f"Group {group.id} has {party} party member(s) among {count}, fewer than"
                f" the {group.min_party_members} a group with members needs",
                f"{label} 共 {count} 人，其中党员 {party} 人，"
                f"少于要求的 {group.min_party_members} 人"))  # fmt: skip
        county = counted.county_level
        if county < group.min_county_level:
            found.append(_violation(
                "group_county", subject,
                f"Group {group.id} has {county} county-level member(s) among {count}, fewer"
                f" than the {group.min_county_level} a group with members needs",
                f"{label} 共 {count} 人，其中县处级干部 {county} 人，"
                f"少于要求的 {group.min_county_level} 人"))  # fmt: skip
        if group.max_per_department is not None:
            for department, sent in sorted(counted.department2members.items()):
                if sent > group.max_per_department:
                    found.append(_violation(
                        "group_department", subject,
                        f"Group {group.id} has {sent} members from department {department},"
                        f" more than its {group.max_per_department} per department",
                        f"{label} 中来自单位 {department} 的有 {sent} 人，"
                        f"超过每单位最多 {group.max_per_department} 人"))  # fmt: skip
    return found


# --------------------------------------------------------------------------- fit


def preference_rank(candidate: Candidate, post_id: str) -> int | None:
    """1-based position of the post's FIRST appearance in the cadre's preferences, or None."""
    for position, listed in enumerate(candidate.preferences, start=1):
        if listed == post_id:
            return position
    return None


def _fit(instance: Instance, candidate: Candidate, post: Post) -> FitTerms:
    w = instance.rules.weights
    zero = Fraction(0)

    lookups = _lookups(instance)
    department = lookups.departments.get(candidate.department)

    rank = preference_rank(candidate, post.id)
    bonus = PREFERENCE_BONUS[rank - 1] if rank is not None and rank <= len(PREFERENCE_BONUS) else 0

    affinity_bonus = lookups.bonus.get((candidate.id, post.id), 0)

    return FitTerms(
        score=candidate.score * w.score,
        development=w.development if post.kind not in candidate.experience else zero,
        reserve=w.reserve if candidate.reserve else zero,
        party=w.party if candidate.party_member else zero,
        dept_priority=w.dept_priority if department is not None and department.priority else zero,
        category_match=(
            w.category_match
            if department is not None
            and department.category != ""
            and department.category in post.preferred_categories
            else zero
        ),
        preference=bonus * w.preference,
        affinity=affinity_bonus * w.affinity,
    )


def fit_terms(instance: Instance, candidate_id: str, post_id: str) -> FitTerms:
    """Exact fit of any (cadre, post) pair, term by term (domain.md 'Objective').

    Raises ``KeyError`` if either id is not in the instance. Eligibility is not
    checked here: the fit of an ineligible pair is still well defined.
    """
    candidate = next((c for c in instance.candidates if c.id == candidate_id), None)
    post = next((p for p in instance.posts if p.id == post_id), None)
    if candidate is None:
        raise KeyError(f"unknown candidate {candidate_id!r}")
    if post is None:
        raise KeyError(f"unknown post {post_id!r}")
    return _fit(instance, candidate, post)


# --------------------------------------------------------------------------- the plan


def _pair_violations(instance: Instance, candidate: Candidate, post: Post) -> list[Violation]:
    """Rules 2 and 3 on one assignment."""
    found = (
        check_education(instance, candidate, post),
        check_age(instance, candidate, post),
        check_disciplinary(instance, candidate, post),
        check_rank(candidate, post),
        check_experience(candidate, post),
        check_willing(instance, candidate, post),
        check_own_unit(candidate, post),
        check_forbidden(instance, candidate, post),
        check_birthplace(candidate, post),
    )
    return [violation for violation in found if violation is not None]


def check_plan(instance: Instance, assignments: Sequence[tuple[str, str]]) -> CheckReport:
    """Check every hard rule of domain.md against ``assignments`` and recompute the objective.

    Violations come in a fixed order: unknown ids, one post per cadre, seats,
    then per assignment (in plan order) eligibility and birthplace, then local
    ratio per team, quotas per department, must-place per candidate.

    Parameters
    ----------
    instance
        The data alone; the checker shares no code with the model, so a wrong rule
        in the model cannot pass here too.
    assignments
        (cadre id, post id) pairs, as a plan file lists them; unknown ids are reported,
        not raised.

    Returns
    -------
    CheckReport
        The violations (none for a valid plan), coverage, fit and its terms per assignment.
    """
    candidates = {c.id: c for c in instance.candidates}
    posts = {p.id: p for p in instance.posts}
    pairs: list[tuple[Candidate, Post]] = [
        (candidates[cid], posts[pid])
        for cid, pid in assignments
        if cid in candidates and pid in posts
    ]

    violations: list[Violation] = []
    violations += check_unknown_ids(instance, assignments)
    violations += check_one_post(pairs)
    violations += check_seats(instance, pairs)
    for candidate, post in pairs:
        violations += _pair_violations(instance, candidate, post)
    violations += check_local_ratio(instance, pairs)
    violations += check_quotas(instance, pairs)
    violations += check_must_place(instance, pairs)
    violations += check_groups(instance, pairs)

    coverage = 0
    fit = Fraction(0)
    fit_by_assignment: dict[tuple[str, str], FitTerms] = {}
    exceptions_by_assignment: dict[tuple[str, str], tuple[str, ...]] = {}
    for candidate, post in pairs:
        terms = _fit(instance, candidate, post)
        coverage += post.priority
        fit += terms.total
        fit_by_assignment[(candidate.id, post.id)] = terms
        relied = relied_exceptions(instance, candidate, post) if instance.exceptions else ()
        if relied:
            exceptions_by_assignment[(candidate.id, post.id)] = relied

    return CheckReport(
        violations=tuple(violations),
        coverage=coverage,
        fit=fit,
        fit_by_assignment=fit_by_assignment,
        exceptions_by_assignment=exceptions_by_assignment,
    )


class SwapCheck:
    """Checks one-seat swaps of a plan that breaks no rule, on only what a swap changes.

    The alternates search asks, for thousands of seats at province scale, whether
    the holder could go home and a cadre at home take the seat. A full
    ``check_plan`` per question took minutes there. A swap changes only: the
    newcomer's eligibility on that post and their one post; no seat count; the
    sends of the holder's and the newcomer's departments; the teams of the post
    and of both cadres' current teams; and the holder's must-place. Every other
    rule counts what the plan counted, and the plan passed ``check_plan``, so
    re-checking these gives the same verdict as checking the swapped plan whole
    (tests/test_alternates.py compares the two on random instances).
    """

    def __init__(self, instance: Instance, assignments: Sequence[tuple[str, str]]) -> None:
        if not check_plan(instance, assignments).ok:
            raise ValueError("SwapCheck needs a plan that breaks no rule")
        self.instance = instance
        self.candidates = {c.id: c for c in instance.candidates}
        self.teams = {t.id: t for t in instance.teams}
        posts = {p.id: p for p in instance.posts}
        self.pairs = [(self.candidates[cid], posts[pid]) for cid, pid in assignments]
        self.placed = _placed(self.pairs)
        self.assigned = Counter(candidate.id for candidate, _ in self.pairs)
        self.sent = Counter(candidate.department for candidate in self.placed.values())
        self.touching: dict[str, list[int]] = {t: [] for t in self.teams}
        for index, (candidate, post) in enumerate(self.pairs):  # only these can move a team
            for team_id in {candidate.current_team, post.team}:
                if team_id in self.touching:
                    self.touching[team_id].append(index)

    def violations(self, position: int, newcomer_id: str) -> list[Violation]:
        """What breaks if assignment ``position``'s holder goes home and ``newcomer_id`` comes."""
        holder, post = self.pairs[position]
        newcomer = self.candidates[newcomer_id]
        if newcomer.id == holder.id:
            return []
        swapped = list(self.pairs)
        swapped[position] = (newcomer, post)
        found = _pair_violations(self.instance, newcomer, post)
        if newcomer.id in self.placed:  # placed elsewhere already: twice now
            found += check_one_post([pair for pair in swapped if pair[0].id == newcomer.id])
        departments = _lookups(self.instance).departments
        for department_id in dict.fromkeys((holder.department, newcomer.department)):
            department = departments.get(department_id)
            if department is not None:
                joins = department_id == newcomer.department and newcomer.id not in self.placed
                change = int(joins) - int(department_id == holder.department)
                found += _quota_violations(department, self.sent[department_id] + change)
        for team_id in dict.fromkeys((post.team, holder.current_team, newcomer.current_team)):
            team = self.teams.get(team_id) if team_id else None
            if team is None:
                continue
            near = [swapped[i] for i in self.touching[team.id] if i != position]
            violation = _ratio_violation(self.instance, team, [*near, (newcomer, post)])
            if violation is not None:
                found.append(violation)
        holder_stays = self.assigned[holder.id] > 1  # listed twice: still placed after the swap
        violation = None if holder_stays else _must_place_violation(self.instance, holder)
        if violation is not None:
            found.append(violation)
        if post.groups:  # rule 7: the post's groups lose the holder and gain the newcomer
            found += check_groups(self.instance, swapped, only=set(post.groups))
        return found
