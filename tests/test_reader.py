"""Tests of the instance reader (``matcher.io.reader``): formats, aliases, and every error class.

Each test writes a small instance into ``tmp_path``; rows are numbered as in
Excel (header row 1, first data row 2), which the assertions check exactly.
"""

from __future__ import annotations

from fractions import Fraction
from pathlib import Path

import openpyxl
import pytest

from matcher.instance import RANK_FAMILIES, Education, PostKind, Rank, Rules
from matcher.io.aliases import COLUMN_ALIASES, TABLE_ALIASES, header_key
from matcher.io.reader import _MODELS, _PARSERS, InputError, InputIssue, read_instance, read_rules

CANDIDATES = """\
id,department,rank,age,education,birthplace,home_region
C1,D1,general,30,bachelor,A,A
C2,D2,county,45,associate,B,B
"""

POSTS = """\
id,kind,unit,region
P1,grassroots,U1,A
P2,petition,U2,B
"""


def write(folder: Path, files: dict[str, str]) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for name, text in files.items():
        (folder / name).write_text(text, encoding="utf-8")
    return folder


def instance_dir(tmp_path: Path, **files: str) -> Path:
    """A folder with the default candidates and posts, overridden or extended by ``files``."""
    tables = {"candidates.csv": CANDIDATES, "posts.csv": POSTS}
    tables.update({name.replace("__", "."): text for name, text in files.items()})
    return write(tmp_path / "inst", tables)


def issues_of(path: Path) -> list[InputIssue]:
    with pytest.raises(InputError) as caught:
        read_instance(path)
    return caught.value.issues


def only_issue(path: Path) -> InputIssue:
    issues = issues_of(path)
    assert len(issues) == 1, issues
    return issues[0]


# ---------------------------------------------------------------------------------------
# Consistency of the alias tables with the data model


def test_parsers_and_aliases_cover_exactly_the_model_fields() -> None:
    for table, model in _MODELS.items():
        assert set(_PARSERS[table]) == set(model.model_fields), table
        assert set(COLUMN_ALIASES[table].values()) == set(model.model_fields), table
        assert TABLE_ALIASES[table] == table


# ---------------------------------------------------------------------------------------
# Reading valid instances


def test_minimal_folder_uses_defaults(tmp_path: Path) -> None:
    instance = read_instance(instance_dir(tmp_path))
    assert instance.name == "inst"
    assert instance.warnings == ()
    first = instance.candidates[0]
    assert (first.id, first.rank, first.age, first.education) == (
        "C1",
        Rank.GENERAL,
        30,
        Education.BACHELOR,
    )
    # Defaults of domain.md: booleans false except willing, score 60, years 0.
    assert (first.score, first.years_in_post, first.willing) == (60, 0, True)
    assert not (first.party_member or first.reserve or first.disciplinary)
    assert first.current_team is None and first.grew_up == () and first.preferences == ()
    post = instance.posts[1]
    assert (post.kind, post.seats, post.priority, post.ranks) == (
        PostKind.PETITION,
        1,
        1,
        RANK_FAMILIES,
    )
    assert post.team is None and post.min_education is None
    assert instance.rules == Rules()
    assert instance.teams == instance.departments == instance.affinities == ()


def test_string_path_accepted(tmp_path: Path) -> None:
    assert read_instance(str(instance_dir(tmp_path))).num_candidates == 2


def test_chinese_file_names_headers_and_values(tmp_path: Path) -> None:
    folder = write(
        tmp_path / "二〇二四",
        {
            "干部.csv": (
                "干部编号,姓名,所在单位,职级,年龄,学历,出生地,成长地,户籍地,现任班子,"
                "中共党员,后备干部,受处分,工作经历,任职年限,考核分数,本人意愿,志愿\n"
                "C1,张三,D1,科员,30,本科,甲,甲、乙,甲,T1,是,否,否,下挂；信访,3,88,是,P1;P2\n"
                "C2,李四,D2,处级,45,大专,乙,,乙,,否,是,否,平挂·重点工程,11,70,否,\n"
                "C3,王五,D1,乡科级,40,研究生,丙,,丙,,1,0,0,外挂、上挂,0,100,1,\n"
                "C4,赵六,D2,一般干部,22,博士,丁,,丁,,y,n,n,基层,0,0,y,\n"
                "C5,钱七,D2,县处级,40,中专,戊,,戊,,t,f,f,重点项目,0,1,t,\n"
            ),
            "岗位.csv": (
                "岗位编号,岗位名称,挂职类型,接收单位,地区,班子,职数,职级,最低学历,敏感岗位,"
                "限无经历,优先类别,优先级\n"
                "P1,副镇长,下挂,U1,甲,T1,2,科员;乡科级,本科,是,是,建设；卫生,3\n"
                "P2,信访办,平挂·信访,U2,乙,,3,,,否,否,,\n"
                "P3,指挥部,重点工程,U3,丙,,1,,硕士,否,否,,\n"
            ),
            "班子.csv": "班子编号,地区,成员数,本地成员数,最低本地比例\nT1,甲,5,2,2/5\n",
            "部门.csv": "部门编号,部门名称,类别,最少选派,最多选派,优先部门\n"
            "D1,建设局,建设,1,2,是\nD2,卫生局,卫生,0,,否\n",
            "人岗匹配.csv": "干部编号,岗位编号,加分,禁止\nC1,P1,-5,否\nC2,P2,,是\n",
        },
    )
    instance = read_instance(folder)
    assert instance.name == "二〇二四"
    assert instance.warnings == ()
    c1, c2, c3, c4, c5 = instance.candidates
    assert (c1.name, c1.department, c1.rank, c1.education) == (
        "张三",
        "D1",
        Rank.GENERAL,
        Education.BACHELOR,
    )
    assert c1.grew_up == ("甲", "乙") and c1.current_team == "T1"
    assert c1.experience == (PostKind.GRASSROOTS, PostKind.PETITION)
    assert (c1.party_member, c1.reserve, c1.years_in_post, c1.score) == (True, False, 3, 88)
    assert c1.preferences == ("P1", "P2")
    assert (c2.rank, c2.education, c2.reserve, c2.willing) == (
        Rank.COUNTY,
        Education.ASSOCIATE,
        True,
        False,
    )
    assert c2.experience == (PostKind.KEY_PROJECT,)
    assert (c3.rank, c3.education, c3.experience) == (
        Rank.SECTION,
        Education.MASTER,
        (PostKind.EXTERNAL, PostKind.UPWARD),
    )
    assert (c4.rank, c4.education, c4.experience) == (
        Rank.GENERAL,
        Education.DOCTOR,
        (PostKind.GRASSROOTS,),
    )
    assert (c5.rank, c5.education, c5.experience) == (
        Rank.COUNTY,
        Education.SECONDARY,
        (PostKind.KEY_PROJECT,),
    )
    p1, p2, p3 = instance.posts
    assert (p1.name, p1.kind, p1.unit, p1.region, p1.team, p1.seats) == (
        "副镇长",
        PostKind.GRASSROOTS,
        "U1",
        "甲",
        "T1",
        2,
    )
    assert p1.ranks == (Rank.GENERAL, Rank.SECTION) and p1.min_education == Education.BACHELOR
    assert p1.sensitive and p1.new_experience_only and p1.priority == 3
    assert p1.preferred_categories == ("建设", "卫生")
    assert (p2.kind, p2.ranks, p2.priority) == (PostKind.PETITION, RANK_FAMILIES, 1)
    assert (p3.kind, p3.min_education) == (PostKind.KEY_PROJECT, Education.MASTER)
    (team,) = instance.teams
    assert (team.incumbents, team.incumbent_locals, team.min_local_ratio) == (5, 2, Fraction(2, 5))
    d1, d2 = instance.departments
    assert (d1.name, d1.category, d1.min_send, d1.max_send, d1.priority) == (
        "建设局",
        "建设",
        1,
        2,
        True,
    )
    assert (d2.max_send, d2.priority) == (None, False)
    a1, a2 = instance.affinities
    assert (a1.candidate_id, a1.post_id, a1.bonus, a1.forbid) == ("C1", "P1", -5, False)
    assert (a2.bonus, a2.forbid) == (0, True)


def test_english_header_variants_case_and_spacing(tmp_path: Path) -> None:
    folder = instance_dir(
        tmp_path,
        candidates__csv=" ID , Department,RANK,Age,Education,Birth Place,Home-Region,Grew Up\n"
        " C1 , D1 , Section , 30 , Bachelor , A , A , x ; y \n",
        Posts__CSV="id,Kind,unit,region,Min_Education\nP1,Key Project,U1,A,MASTER\n",
    )
    (folder / "posts.csv").unlink()  # replaced by Posts.CSV: file names are case-insensitive
    instance = read_instance(folder)
    (candidate,) = instance.candidates
    assert (candidate.id, candidate.department, candidate.rank) == ("C1", "D1", Rank.SECTION)
    assert candidate.grew_up == ("x", "y")
    assert instance.posts[0].kind == PostKind.KEY_PROJECT
    assert instance.posts[0].min_education == Education.MASTER


def test_bom_is_tolerated(tmp_path: Path) -> None:
    folder = instance_dir(tmp_path)
    (folder / "candidates.csv").write_bytes(b"\xef\xbb\xbf" + CANDIDATES.encode())
    (folder / "posts.csv").write_text(POSTS, encoding="utf-8-sig")
    instance = read_instance(folder)
    assert [c.id for c in instance.candidates] == ["C1", "C2"]
    assert instance.warnings == ()


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        *[(word, True) for word in ["true", "TRUE", "True", "yes", "Yes", "1", "是", "y", "T"]],
        *[(word, False) for word in ["false", "FALSE", "no", "NO", "0", "否", "n", "F"]],
    ],
)
def test_booleans_in_all_spellings(tmp_path: Path, text: str, expected: bool) -> None:
    candidates = f"id,department,rank,age,education,birthplace,home_region,reserve\nC1,D,general,30,bachelor,A,A,{text}\n"  # noqa: E501
    instance = read_instance(instance_dir(tmp_path, candidates__csv=candidates))
    assert instance.candidates[0].reserve is expected


def test_lists_with_all_separators_keep_order(tmp_path: Path) -> None:
    header = "id,department,rank,age,education,birthplace,home_region,grew_up,preferences\n"
    rows = (
        "C1,D,general,30,bachelor,A,A,a;b,P2;P1\n"
        "C2,D,general,30,bachelor,A,A,a；b,P1；P2\n"
        "C3,D,general,30,bachelor,A,A,a、b,P2、P1;\n"
        "C4,D,general,30,bachelor,A,A, a ; ; b ;,P1; P1 ;P2\n"
    )
    instance = read_instance(instance_dir(tmp_path, candidates__csv=header + rows))
    assert [c.grew_up for c in instance.candidates] == [("a", "b")] * 4
    assert [c.preferences for c in instance.candidates] == [
        ("P2", "P1"),
        ("P1", "P2"),
        ("P2", "P1"),
        ("P1", "P1", "P2"),  # a repeat is kept: rank is the first appearance (domain.md)
    ]


def test_unknown_preference_is_a_warning_and_keeps_its_place(tmp_path: Path) -> None:
    header = "id,department,rank,age,education,birthplace,home_region,志愿\n"
    rows = "C1,D,general,30,bachelor,A,A,P9;P1\nC2,D,general,30,bachelor,A,A,P9\n"
    instance = read_instance(instance_dir(tmp_path, candidates__csv=header + rows))
    assert instance.candidates[0].preferences == ("P9", "P1")
    assert instance.warnings == (
        'candidates.csv, column 志愿: post "P9" is not in posts.csv (rows 2, 3);'
        " it keeps its place in the list",
    )


def test_ratios_are_exact_fractions(tmp_path: Path) -> None:
    teams = "id,region,incumbents,incumbent_locals,min_local_ratio\n" + "".join(
        f"T{i},A,5,2,{ratio}\n"
        for i, ratio in enumerate(["0.4", "1/3", "2/5", "40%", "1", "0", ""])
    )
    instance = read_instance(instance_dir(tmp_path, teams__csv=teams))
    ratios = [team.min_local_ratio for team in instance.teams]
    assert ratios == [Fraction(2, 5), Fraction(1, 3), Fraction(2, 5), Fraction(2, 5), 1, 0, None]
    assert ratios[0] == Fraction(2, 5) and isinstance(ratios[0], Fraction)
    assert instance.team_ratio(instance.teams[-1]) == Fraction(1, 3)


@pytest.mark.parametrize(
    ("ratio", "message"),
    [
        ("2/0", '"2/0" divides by zero'),
        ("-1/3", '"-1/3" is not a ratio between 0 and 1'),
        ("1.5", '"1.5" is not a ratio between 0 and 1'),
        ("4/3", '"4/3" is not a ratio between 0 and 1'),
        ("a third", '"a third" is not a ratio; write it like 1/3, 0.4 or 40%'),
    ],
)
def test_bad_ratio(tmp_path: Path, ratio: str, message: str) -> None:
    teams = f"id,region,incumbents,incumbent_locals,本地比例\nT1,A,5,2,{ratio}\n"
    issue = only_issue(instance_dir(tmp_path, teams__csv=teams))
    assert issue == InputIssue("teams.csv", 2, "本地比例", message)


def test_blank_rows_are_skipped_but_rows_keep_their_numbers(tmp_path: Path) -> None:
    candidates = (
        "id,department,rank,age,education,birthplace,home_region\n"
        "C1,D,general,30,bachelor,A,A\n"
        "\n"
        ",,,,,,\n"
        "C2,D,general,abc,bachelor,A,A\n"
    )
    issue = only_issue(instance_dir(tmp_path, candidates__csv=candidates))
    assert issue == InputIssue("candidates.csv", 5, "age", '"abc" is not a whole number')


def test_whole_numbers_as_excel_writes_them(tmp_path: Path) -> None:
    candidates = CANDIDATES.replace("30,", "30.0,")
    assert read_instance(instance_dir(tmp_path, candidates__csv=candidates)).candidates[0].age == 30


# ---------------------------------------------------------------------------------------
# Rules


def test_rules_defaults_without_file(tmp_path: Path) -> None:
    rules = read_instance(instance_dir(tmp_path)).rules
    assert rules.min_education == Education.ASSOCIATE
    assert rules.age_caps == {Rank.COUNTY: 45, Rank.SECTION: 40, Rank.GENERAL: 35}
    assert rules.local_ratio == Fraction(1, 3)
    assert (rules.veto_disciplinary, rules.require_willing, rules.must_place_years) == (
        True,
        False,
        10,
    )
    assert rules.weights.development == 30 and rules.weights.preference == 1


def test_rules_toml_overrides(tmp_path: Path) -> None:
    toml = """\
min_education = "本科"
local_ratio = "1/2"
veto_disciplinary = false
require_willing = true
must_place_years = 0

[age_caps]
county = 50
"乡科级" = 38

[weights]
score = 0.1
development = 25
affinity = 2.5
"""
    rules = read_instance(instance_dir(tmp_path, rules__toml=toml)).rules
    assert rules.min_education == Education.BACHELOR
    assert rules.local_ratio == Fraction(1, 2)
    assert (rules.veto_disciplinary, rules.require_willing, rules.must_place_years) == (
        False,
        True,
        0,
    )
    assert rules.age_caps == {Rank.COUNTY: 50, Rank.SECTION: 38, Rank.GENERAL: 35}
    assert rules.weights.score == Fraction(1, 10)  # exact, not the binary float 0.1
    assert rules.weights.development == 25
    assert rules.weights.affinity == Fraction(5, 2)
    assert rules.weights.reserve == 10  # untouched weights keep their default


def test_rules_decimal_local_ratio_is_exact(tmp_path: Path) -> None:
    rules = read_instance(instance_dir(tmp_path, rules__toml="local_ratio = 0.4\n")).rules
    assert rules.local_ratio == Fraction(2, 5)


def test_rules_errors_are_all_reported(tmp_path: Path) -> None:
    toml = """\
local_ratio = 1.5
require_willing = "perhaps"
must_place_years = -1
min_education = "kindergarten"
colour = "red"

[age_caps]
mayor = 50

[weights]
score = "lots"
charm = 3
"""
    issues = issues_of(instance_dir(tmp_path, rules__toml=toml))
    assert all(issue.file == "rules.toml" and issue.row is None for issue in issues)
    found = {issue.column: issue.message for issue in issues}
    assert found["local_ratio"] == "1.5 is not a ratio between 0 and 1"
    assert found["require_willing"] == "'perhaps' is not true or false"
    assert found["must_place_years"] == "-1 is negative"
    assert found["min_education"].startswith("'kindergarten' is not a level of education; use")
    assert "bachelor (本科)" in found["min_education"]
    assert found["colour"].startswith("is not a known rule; use one of min_education,")
    assert found["age_caps.mayor"] == "is not a known rank; use one of general, section, county"
    assert found["weights.score"].startswith("'lots' is not a number")
    assert found["weights.charm"].startswith("is not a known weight; use one of score,")
    assert len(issues) == 8


def test_rules_toml_syntax_error_names_the_line(tmp_path: Path) -> None:
    issue = only_issue(instance_dir(tmp_path, rules__toml="local_ratio = 1/3\n"))
    assert (issue.file, issue.row, issue.column) == ("rules.toml", 1, None)
    assert issue.message.startswith("is not valid TOML")


def test_read_rules_alone(tmp_path: Path) -> None:
    path = tmp_path / "variant.toml"
    path.write_text("local_ratio = '1/2'\n[weights]\nparty = 7\n", encoding="utf-8")
    rules = read_rules(path)
    assert rules.local_ratio == Fraction(1, 2) and rules.weights.party == 7
    path.write_text("loca_ratio = '1/2'\n", encoding="utf-8")
    with pytest.raises(InputError) as caught:
        read_rules(path)
    assert caught.value.issues[0].column == "loca_ratio"


# ---------------------------------------------------------------------------------------
# Workbooks


def save_workbook(path: Path, sheets: dict[str, list[list[object]]]) -> Path:
    book = openpyxl.Workbook()
    book.remove(book.active)
    for name, rows in sheets.items():
        sheet = book.create_sheet(name)
        for row in rows:
            sheet.append(row)
    book.save(path)
    return path


CANDIDATE_ROWS: list[list[object]] = [
    ["编号", "单位", "职级", "年龄", "学历", "出生地", "户籍地", "后备干部"],
    ["C1", "D1", "科员", 30, "本科", "A", "A", True],
    ["C2", "D2", "county", 45, "bachelor", "B", "B", "否"],
]
POST_ROWS: list[list[object]] = [
    ["id", "kind", "unit", "region", "seats"],
    ["P1", "下挂", "U1", "A", 2],
]


def test_workbook_with_rules_sheet(tmp_path: Path) -> None:
    book = save_workbook(
        tmp_path / "plan2024.xlsx",
        {
            "干部": CANDIDATE_ROWS,
            "posts": POST_ROWS,
            "班子": [["id", "region", "incumbents", "incumbent_locals", "min_local_ratio"]]
            + [["T1", "A", 3, 1, 0.4]],
            "规则": [
                ["key", "value"],
                ["local_ratio", "1/2"],
                ["weights.score", 0.5],
                ["age_caps.county", 50],
                ["require_willing", "是"],
            ],
            "notes": [["anything"]],
        },
    )
    instance = read_instance(book)
    assert instance.name == "plan2024"
    assert [c.reserve for c in instance.candidates] == [True, False]
    assert instance.candidates[0].age == 30 and instance.posts[0].seats == 2
    assert instance.teams[0].min_local_ratio == Fraction(2, 5)
    assert instance.rules.local_ratio == Fraction(1, 2)
    assert instance.rules.weights.score == Fraction(1, 2)
    assert instance.rules.age_caps[Rank.COUNTY] == 50
    assert instance.rules.require_willing
    assert instance.warnings == (
        "plan2024.xlsx, sheet notes: is not a table of the instance; ignored",
    )


def test_workbook_with_rules_toml_beside_it(tmp_path: Path) -> None:
    book = save_workbook(tmp_path / "plan.xlsx", {"candidates": CANDIDATE_ROWS, "岗位": POST_ROWS})
    (tmp_path / "rules.toml").write_text("must_place_years = 8\n", encoding="utf-8")
    assert read_instance(book).rules.must_place_years == 8


def test_workbook_errors_name_sheet_and_excel_row(tmp_path: Path) -> None:
    rows = [list(row) for row in CANDIDATE_ROWS]
    rows[2][3] = 90
    book = save_workbook(
        tmp_path / "plan.xlsx",
        {"干部": rows, "posts": POST_ROWS, "rules": [["key", "value"], ["speed", "1"]]},
    )
    (tmp_path / "rules.toml").write_text("", encoding="utf-8")
    issues = issues_of(book)
    assert [str(issue) for issue in issues] == [
        "rules.toml: gives the rules table again (already given by plan.xlsx, sheet rules)",
        'plan.xlsx, sheet 干部, row 3, column 年龄: "90" is out of range:'
        " it must be between 16 and 80",
        "plan.xlsx, sheet rules, row 2, column speed: is not a known rule; use one of"
        " min_education, local_ratio, veto_disciplinary, require_willing,"
        " must_place_years, age_caps, weights",
    ]


def test_workbook_missing_sheets_and_damaged_file(tmp_path: Path) -> None:
    book = save_workbook(tmp_path / "plan.xlsx", {"干部": CANDIDATE_ROWS})
    assert issues_of(book) == [InputIssue("plan.xlsx", None, None, "has no sheet posts")]
    broken = tmp_path / "broken.xlsx"
    broken.write_bytes(b"not a zip file")
    issue = only_issue(broken)
    assert issue.file == "broken.xlsx"
    assert issue.message.startswith("cannot be read as an .xlsx workbook")


# ---------------------------------------------------------------------------------------
# Errors: one test per class, checking file, row, column and message


def test_issue_text_format() -> None:
    issue = InputIssue("candidates.csv", 7, "age", '"abc" is not a whole number')
    assert str(issue) == 'candidates.csv, row 7, column age: "abc" is not a whole number'
    assert str(InputIssue("posts.csv", None, None, "is empty")) == "posts.csv: is empty"
    error = InputError([issue, issue])
    assert str(error).splitlines() == [
        "2 problems in the input:",
        f"  {issue}",
        f"  {issue}",
    ]


def test_missing_path(tmp_path: Path) -> None:
    issue = only_issue(tmp_path / "nowhere")
    assert issue.message == "does not exist" and issue.row is None


def test_single_csv_is_not_an_instance(tmp_path: Path) -> None:
    path = instance_dir(tmp_path) / "candidates.csv"
    assert only_issue(path).message == "is not a folder of CSV files or an .xlsx workbook"


def test_missing_required_files(tmp_path: Path) -> None:
    folder = write(tmp_path / "empty", {"notes.csv": "a\n1\n"})
    issues = issues_of(folder)
    assert [(issue.file, issue.message) for issue in issues] == [
        ("candidates.csv", f"is missing from {folder}"),
        ("posts.csv", f"is missing from {folder}"),
    ]


def test_unknown_file_is_a_warning(tmp_path: Path) -> None:
    instance = read_instance(instance_dir(tmp_path, notes__csv="a\n1\n"))
    assert instance.warnings == ("notes.csv: is not a table of the instance; ignored",)


def test_table_given_twice(tmp_path: Path) -> None:
    issue = only_issue(instance_dir(tmp_path, 干部__csv=CANDIDATES))
    assert issue.file == "干部.csv"
    assert issue.message == "gives the candidates table again (already given by candidates.csv)"


def test_undecodable_file(tmp_path: Path) -> None:
    folder = instance_dir(tmp_path)
    # 0xFF never occurs in UTF-8 nor in GB18030, and there is no UTF-16 BOM
    (folder / "candidates.csv").write_bytes(CANDIDATES.replace("C1", "C\xff").encode("latin-1"))
    issue = only_issue(folder)
    assert (issue.file, issue.row, issue.column) == ("candidates.csv", None, None)
    assert issue.message.startswith("is neither UTF-8, UTF-16 nor GBK text")


@pytest.mark.parametrize("text", ["", "\n\n", " , ,\n"])
def test_empty_file(tmp_path: Path, text: str) -> None:
    issue = only_issue(instance_dir(tmp_path, posts__csv=text))
    assert issue == InputIssue("posts.csv", None, None, "is empty: it has no header row")


def test_header_only_required_table(tmp_path: Path) -> None:
    issue = only_issue(instance_dir(tmp_path, posts__csv="id,kind,unit,region\n"))
    assert issue == InputIssue("posts.csv", None, None, "has a header but no rows")


def test_ragged_row(tmp_path: Path) -> None:
    issue = only_issue(instance_dir(tmp_path, posts__csv=POSTS + "P3,upward,U3,C,extra\n"))
    assert (issue.file, issue.row) == ("posts.csv", 4)
    assert issue.message.startswith("has 5 cells but the rows above have 4")


def test_missing_required_column(tmp_path: Path) -> None:
    candidates = "id,department,rank,education,birthplace,home_region\nC1,D,general,bachelor,A,A\n"
    issue = only_issue(instance_dir(tmp_path, candidates__csv=candidates))
    assert issue == InputIssue(
        "candidates.csv", None, "age", "this required column is missing (or 年龄)"
    )


def test_column_given_twice(tmp_path: Path) -> None:
    candidates = CANDIDATES.replace("home_region\n", "home_region,年龄\n").replace(
        ",A\n", ",A,31\n"
    )
    candidates = candidates.replace(",B\n", ",B,46\n")
    issue = only_issue(instance_dir(tmp_path, candidates__csv=candidates))
    assert issue == InputIssue(
        "candidates.csv", None, "年龄", "means age, like column age; keep only one of them"
    )


def test_unknown_column_is_a_warning(tmp_path: Path) -> None:
    posts = POSTS.replace("region\n", "region,备注\n")
    instance = read_instance(instance_dir(tmp_path, posts__csv=posts))
    (warning,) = instance.warnings
    assert warning.startswith("posts.csv, column 备注: is not a known column (id, name, kind,")
    assert warning.endswith("; ignored")


def test_empty_required_cell(tmp_path: Path) -> None:
    issue = only_issue(instance_dir(tmp_path, posts__csv=POSTS.replace("U2", "")))
    assert issue == InputIssue("posts.csv", 3, "unit", "is empty, but this column is required")


@pytest.mark.parametrize(
    ("column", "value", "message"),
    [
        (
            "rank",
            "mayor",
            '"mayor" is not a rank; use one of general (一般干部), section (乡科级),'
            " county (县处级), section_deputy (副科), section_full (正科),"
            " county_deputy (副处), county_full (正处)",
        ),
        (
            "education",
            "小学",
            '"小学" is not a level of education; use one of secondary (中专), associate (大专),'
            " bachelor (本科), master (硕士), doctor (博士)",
        ),
        (
            "experience",
            "下挂;科长",
            '"科长" is not a kind of post; use one of grassroots (下挂), petition (信访),'
            " key_project (重点工程), external (外挂), upward (上挂)",
        ),
        (
            "willing",
            "maybe",
            '"maybe" is not yes or no; use true/false, yes/no, 1/0 or 是/否',
        ),
    ],
)
def test_bad_enum_value_lists_accepted_values(
    tmp_path: Path, column: str, value: str, message: str
) -> None:
    header = "id,department,rank,age,education,birthplace,home_region,experience,willing\n"
    row = {"rank": "general", "education": "bachelor", "experience": "", "willing": ""}
    row[column] = value
    line = f"C1,D,{row['rank']},30,{row['education']},A,A,{row['experience']},{row['willing']}\n"
    issue = only_issue(instance_dir(tmp_path, candidates__csv=header + line))
    assert issue == InputIssue("candidates.csv", 2, column, message)


def test_bad_post_kind(tmp_path: Path) -> None:
    issue = only_issue(instance_dir(tmp_path, posts__csv=POSTS.replace("petition", "挂职")))
    assert (issue.file, issue.row, issue.column) == ("posts.csv", 3, "kind")
    assert issue.message.startswith('"挂职" is not a kind of post; use one of grassroots (下挂),')


@pytest.mark.parametrize("value", ["abc", "4.5", "3 years", "1e3"])
def test_non_integer(tmp_path: Path, value: str) -> None:
    candidates = CANDIDATES.replace(",45,", f",{value},")
    issue = only_issue(instance_dir(tmp_path, candidates__csv=candidates))
    assert issue == InputIssue("candidates.csv", 3, "age", f'"{value}" is not a whole number')


@pytest.mark.parametrize("age", ["15", "81", "-3"])
def test_age_out_of_range(tmp_path: Path, age: str) -> None:
    candidates = CANDIDATES.replace(",30,", f",{age},")
    issue = only_issue(instance_dir(tmp_path, candidates__csv=candidates))
    assert issue == InputIssue(
        "candidates.csv", 2, "age", f'"{age}" is out of range: it must be between 16 and 80'
    )


@pytest.mark.parametrize("score", ["101", "-1"])
def test_score_out_of_range(tmp_path: Path, score: str) -> None:
    candidates = CANDIDATES.replace("home_region\n", "home_region,分数\n").replace(
        ",A\n", f",A,{score}\n"
    )
    issue = only_issue(instance_dir(tmp_path, candidates__csv=candidates))
    assert issue == InputIssue(
        "candidates.csv", 2, "分数", f'"{score}" is out of range: it must be between 0 and 100'
    )


def test_negative_counts(tmp_path: Path) -> None:
    posts = POSTS.replace("region\n", "region,seats,priority\n").replace(",A\n", ",A,-1,-2\n")
    departments = "id,min_send,max_send\nD1,-1,\nD2,0,-3\n"
    teams = "id,region,incumbents,incumbent_locals\nT1,A,-4,0\n"
    issues = issues_of(
        instance_dir(tmp_path, posts__csv=posts, departments__csv=departments, teams__csv=teams)
    )
    assert [str(issue) for issue in issues] == [
        'posts.csv, row 2, column seats: "-1" is out of range: it must be between 0 and 10000',
        'posts.csv, row 2, column priority: "-2" is out of range: it must be between 0 and 1000000',
        'teams.csv, row 2, column incumbents: "-4" is too small: it must be at least 0',
        'departments.csv, row 2, column min_send: "-1" is too small: it must be at least 0',
        'departments.csv, row 3, column max_send: "-3" is too small: it must be at least 0',
    ]


def test_duplicate_ids_name_both_rows(tmp_path: Path) -> None:
    candidates = CANDIDATES + "C1,D3,general,31,bachelor,C,C\nC1,D3,general,31,bachelor,C,C\n"
    posts = POSTS.replace("id,", "岗位编号,") + "P2,upward,U9,Z\n"
    issues = issues_of(instance_dir(tmp_path, candidates__csv=candidates, posts__csv=posts))
    assert issues == [
        InputIssue("candidates.csv", 4, "id", 'id "C1" is given twice: rows 2 and 4'),
        InputIssue("candidates.csv", 5, "id", 'id "C1" is given twice: rows 2 and 5'),
        InputIssue("posts.csv", 4, "岗位编号", 'id "P2" is given twice: rows 3 and 4'),
    ]


def test_post_team_not_in_teams(tmp_path: Path) -> None:
    posts = "id,kind,unit,region,班子\nP1,grassroots,U1,A,T1\nP2,petition,U2,B,T2\n"
    teams = "id,region,incumbents,incumbent_locals\nT1,A,3,1\n"
    issue = only_issue(instance_dir(tmp_path, posts__csv=posts, teams__csv=teams))
    assert issue == InputIssue("posts.csv", 3, "班子", '"T2" is not an id in teams.csv')


def test_post_teams_without_teams_table_is_a_warning(tmp_path: Path) -> None:
    posts = "id,kind,unit,region,team\nP1,grassroots,U1,A,T1\n"
    instance = read_instance(instance_dir(tmp_path, posts__csv=posts))
    assert instance.posts[0].team == "T1"
    assert instance.warnings == (
        "posts.csv, column team: names teams, but there is no teams table;"
        " the local-ratio rule is not checked",
    )


def test_candidate_department_not_in_departments(tmp_path: Path) -> None:
    departments = "部门编号,名称\nD1,甲局\n"
    issue = only_issue(instance_dir(tmp_path, 部门__csv=departments))
    assert issue == InputIssue("candidates.csv", 3, "department", '"D2" is not an id in 部门.csv')


def test_departments_unchecked_without_departments_table(tmp_path: Path) -> None:
    assert read_instance(instance_dir(tmp_path)).candidates[1].department == "D2"


def test_affinity_unknown_candidate_and_post(tmp_path: Path) -> None:
    affinities = "candidate_id,post_id,bonus\nC1,P1,5\nC9,P1,5\nC2,P9,5\n"
    issues = issues_of(instance_dir(tmp_path, affinities__csv=affinities))
    assert issues == [
        InputIssue("affinities.csv", 3, "candidate_id", '"C9" is not an id in candidates.csv'),
        InputIssue("affinities.csv", 4, "post_id", '"P9" is not an id in posts.csv'),
    ]


def test_duplicate_affinity_pair(tmp_path: Path) -> None:
    affinities = "干部编号,岗位编号,加分,禁止\nC1,P1,5,否\nC1,P2,5,否\nC1,P1,-5,是\n"
    issue = only_issue(instance_dir(tmp_path, affinities__csv=affinities))
    assert issue == InputIssue(
        "affinities.csv", 4, "岗位编号", 'the pair "C1" and "P1" is given twice: rows 2 and 4'
    )


def test_min_send_above_max_send(tmp_path: Path) -> None:
    departments = "id,最少选派,最多选派\nD1,3,2\nD2,1,1\n"
    issue = only_issue(instance_dir(tmp_path, departments__csv=departments))
    assert issue == InputIssue(
        "departments.csv",
        2,
        "最少选派",
        "the minimum 3 is more than the maximum 2 in column 最多选派",
    )


def test_incumbent_locals_above_incumbents(tmp_path: Path) -> None:
    teams = "id,region,incumbents,incumbent_locals\nT1,A,3,4\n"
    issue = only_issue(instance_dir(tmp_path, teams__csv=teams))
    assert issue == InputIssue(
        "teams.csv",
        2,
        "incumbent_locals",
        "there are more local members (4) than members (3, column incumbents)",
    )


def test_more_current_members_than_incumbents(tmp_path: Path) -> None:
    header = "id,department,rank,age,education,birthplace,home_region,current_team\n"
    rows = "".join(f"C{i},D,general,30,bachelor,A,{'A' if i < 3 else 'B'},T1\n" for i in range(4))
    teams = "id,region,incumbents,incumbent_locals\nT1,A,3,2\n"
    issues = issues_of(instance_dir(tmp_path, candidates__csv=header + rows, teams__csv=teams))
    assert issues == [
        InputIssue(
            "teams.csv",
            2,
            "incumbents",
            'team "T1" has 3 members, but 4 cadres in candidates.csv name it as their'
            " current team (rows 2, 3, 4, 5)",
        ),
        InputIssue(
            "teams.csv",
            2,
            "incumbent_locals",
            'team "T1" has 2 local members, but 3 cadres from A in candidates.csv'
            " name it as their current team",
        ),
    ]


def test_current_team_not_in_teams_is_a_warning(tmp_path: Path) -> None:
    header = "id,department,rank,age,education,birthplace,home_region,现任班子\n"
    rows = "C1,D,general,30,bachelor,A,A,T9\nC2,D,general,30,bachelor,A,A,T1\n"
    teams = "id,region,incumbents,incumbent_locals\nT1,A,3,2\n"
    instance = read_instance(
        instance_dir(tmp_path, candidates__csv=header + rows, teams__csv=teams)
    )
    assert instance.candidates[0].current_team == "T9"
    assert instance.warnings == (
        'candidates.csv, row 2, column 现任班子: team "T9" is not in teams.csv (row 2);'
        " that team is not tracked by the local-ratio rule",
    )


def test_several_errors_in_one_file_all_reported(tmp_path: Path) -> None:
    candidates = (
        "id,department,rank,age,education,birthplace,home_region,score,reserve\n"
        "C1,D,general,abc,bachelor,A,A,101,maybe\n"
        "C2,,mayor,30,bachelor,A,A,50,yes\n"
        "C3,D,general,99,bachelor,A,A,,\n"
    )
    issues = issues_of(instance_dir(tmp_path, candidates__csv=candidates))
    assert [(issue.row, issue.column) for issue in issues] == [
        (2, "age"),
        (2, "reserve"),
        (2, "score"),
        (3, "department"),
        (3, "rank"),
        (4, "age"),
    ]
    assert issues[2].message == '"101" is out of range: it must be between 0 and 100'


def test_errors_of_several_files_in_one_input_error(tmp_path: Path) -> None:
    folder = instance_dir(
        tmp_path,
        candidates__csv=CANDIDATES.replace(",30,", ",x,"),
        posts__csv=POSTS.replace("petition", "party"),
        teams__csv="id,region,incumbents,incumbent_locals\nT1,A,1,2\n",
        departments__csv="id,min_send,max_send\nD1,2,1\nD2,0,1\n",
        affinities__csv="candidate_id,post_id,forbid\nC1,P1,sometimes\n",
        rules__toml="nonsense = 1\n",
    )
    issues = issues_of(folder)
    assert [(issue.file, issue.row) for issue in issues] == [
        ("candidates.csv", 2),
        ("posts.csv", 3),
        ("teams.csv", 2),
        ("departments.csv", 2),
        ("affinities.csv", 2),
        ("rules.toml", None),
    ]
    text = str(InputError(issues))
    assert text.startswith("6 problems in the input:")


def test_long_error_lists_are_shortened_in_the_message(tmp_path: Path) -> None:
    header = "id,department,rank,age,education,birthplace,home_region\n"
    rows = "".join(f"C{i},D,general,old,bachelor,A,A\n" for i in range(60))
    with pytest.raises(InputError) as caught:
        read_instance(instance_dir(tmp_path, candidates__csv=header + rows))
    assert len(caught.value.issues) == 60
    lines = str(caught.value).splitlines()
    assert lines[0] == "60 problems in the input:"
    assert lines[-1] == "  ... and 10 more"


def test_header_key_ignores_spacing_and_case() -> None:
    assert header_key(" Home Region ") == header_key("home_region") == header_key("HOME-REGION")
    assert header_key("平挂·信访") == header_key("平挂 信访")
