"""Mutated instances and plans for fuzzing the readers through the CLI.

A case starts from a valid base, ``instances/tiny-v11`` (5 cadres, 3 posts, a
team, two departments, a group, an exception, an affinity: every table of
format v1.1), and applies one to three *mutations* drawn from :data:`MUTATORS`:
what a planner's spreadsheet does to a file on its way from Excel or WPS
(formulas, dates, error cells such as ``#N/A``, merged cells, hidden sheets,
numbers stored as text or as numbers, full-width digits and spaces, empty
sheets, title rows above the header, BOMs, GBK bytes, stray quotes, very long
cells, NUL bytes, duplicated headers, Chinese and English headers mixed, the
v1.1 tables and rank grades). Each mutator takes a :class:`random.Random`, so
the same code serves Hypothesis (``st.randoms``, shrinkable and derandomized in
CI) and the campaign's own seeded loop.

The oracle (:func:`run_case`, :func:`problems`) runs ``matcher solve`` in
process through click's ``CliRunner`` and states the contract of the CLI: exit
0 with a plan that reads back and checks, 3 or 4 with their message, or 2 with
every issue located in a file the case wrote (and a cell error naming its row
and column); never a traceback, never exit 1, never a partial output folder.
"""

from __future__ import annotations

import codecs
import csv
import io
import random
import re
import tempfile
import time
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime
from datetime import time as clock
from pathlib import Path
from typing import Any

import openpyxl
from click.testing import CliRunner
from hypothesis import strategies as st
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

from matcher.cli.commands import main
from matcher.io.aliases import (
    BOOLEAN_ALIASES,
    COLUMN_ALIASES,
    EDUCATION_ALIASES,
    EXCEPTION_RULE_ALIASES,
    KIND_ALIASES,
    RANK_ALIASES,
    TABLE_ALIASES,
)

BASE = Path(__file__).resolve().parents[2] / "instances" / "tiny-v11"
TABLE_NAMES = ("candidates", "posts", "teams", "departments", "affinities", "groups", "exceptions")
FORMS = ("csv", "xlsx")
BOOK = "book.xlsx"

Rows = list[list[Any]]


def _read_base() -> dict[str, Rows]:
    tables = {}
    for name in TABLE_NAMES:
        text = (BASE / f"{name}.csv").read_text(encoding="utf-8-sig")
        tables[name] = [list(row) for row in csv.reader(io.StringIO(text))]
    return tables


BASE_TABLES: dict[str, Rows] = _read_base()

# A plan of the base (its proven optimum), for fuzzing the plan reader.
BASE_PLAN: Rows = [
    ["candidate_id", "candidate_name", "post_id", "post_name", "fit", "exceptions"],
    ["C1", "张伟", "P1", "青山县城关镇党委书记", 135, ""],
    ["C2", "王芳", "P2", "市信访局接访岗", 175, "age_cap"],
]


@dataclass
class Draft:
    """A case being built: typed cells per table, and how they become files."""

    form: str
    tables: dict[str, Rows]
    names: dict[str, str] = field(default_factory=dict)
    """Table -> file stem or sheet name (default: the table's own name)."""
    encodings: dict[str, str] = field(default_factory=dict)
    """Table -> codec of its CSV file (default ``utf-8``)."""
    text_hooks: list[tuple[str, Callable[[str], str]]] = field(default_factory=list)
    byte_hooks: list[tuple[str, Callable[[bytes], bytes]]] = field(default_factory=list)
    book_hooks: list[Callable[[Any], None]] = field(default_factory=list)
    files: dict[str, bytes] = field(default_factory=dict)
    """Other files beside the tables (``rules.toml``), by name."""
    file_hooks: list[Callable[[Path], None]] = field(default_factory=list)
    """Applied to the saved workbook (xlsx)."""
    dirs: list[str] = field(default_factory=list)
    """Folders to create among the CSV files (a folder named like a table)."""
    log: list[str] = field(default_factory=list)
    kinds: list[str] = field(default_factory=list)

    def __repr__(self) -> str:  # what Hypothesis prints for a falsifying example
        return f"Draft({self.form}, {self.log!r})"


# ----------------------------------------------------------------------------------------
# Value pools

FORMULAS = ["=1+1", "=A1", "=SUM(A1:A3)", "+45", "-3", "@SUM(1)", '=HYPERLINK("http://x","y")',
            "'=1+1", "=1/0", "=#N/A"]  # fmt: skip
ERRORS = ["#N/A", "#VALUE!", "#REF!", "#DIV/0!", "#NAME?", "#NUM!", "#NULL!"]
DATES: list[Any] = [date(2024, 1, 1), datetime(2024, 3, 5, 12, 30), clock(8, 0), "2024-01-01",
                    "2024/1/1", "2024年1月1日", "45292"]  # fmt: skip
NUMBER_TEXTS = ["45.0", "045", " 45 ", "4.5e1", "45.", "1,000", "45.5", "-0", "+5", "0x10",
                "1_000", "Infinity", "NaN", "-1", "99999999999999999999", "1e308", "٤٥", "²",
                "Ⅻ", "三十"]  # fmt: skip
TYPED_NUMBERS: list[Any] = [45, 45.0, 45.5, 1e20, -1, 0, True, False, 3.0000000001, float("inf")]
JUNK = ["\u200b", "\xa0", "\u3000", "\ufeff", "\r", "\n", "\t", '"', "'", "\\", "🙂", "\u202e",
        ";", "；", "、", ",", "\x00", "\x1a", "\ud800", "\x85"]  # fmt: skip


def fullwidth(text: str) -> str:
    """ASCII letters, digits and signs as their full-width forms (全角); space as U+3000."""
    return "".join(
        "\u3000" if ch == " " else chr(ord(ch) + 0xFEE0) if "!" <= ch <= "~" else ch for ch in text
    )


def _aliases(lookup: dict[str, str]) -> list[str]:
    return sorted(lookup)


ENUM_POOLS = {
    "rank": _aliases(RANK_ALIASES),
    "ranks": _aliases(RANK_ALIASES),
    "education": _aliases(EDUCATION_ALIASES),
    "min_education": _aliases(EDUCATION_ALIASES),
    "kind": _aliases(KIND_ALIASES),
    "experience": _aliases(KIND_ALIASES),
    "rule": _aliases(EXCEPTION_RULE_ALIASES),
}
BOOLEAN_POOL = sorted(BOOLEAN_ALIASES) + ["TRUE", "True", "是 ", "对", "√", "×", "-1", "2"]


# ----------------------------------------------------------------------------------------
# Helpers over a draft


def _field(table: str, header: Any) -> str | None:
    from matcher.io.aliases import header_key

    return COLUMN_ALIASES[table].get(header_key(str(header)))


def _tables_with_rows(draft: Draft) -> list[str]:
    return [name for name, rows in draft.tables.items() if len(rows) > 1 and rows[0]]


def _pick_cell(draft: Draft, rng: random.Random, table: str | None = None) -> tuple[str, int, int]:
    """(table, row index >= 1, column index) of a data cell; the candidates' table if none."""
    if table is None:
        choices = _tables_with_rows(draft) or ["candidates"]
        table = rng.choice(choices)
    rows = draft.tables[table]
    if len(rows) < 2:
        rows.append([""] * len(rows[0] if rows else [""]))
    if not rows[0]:
        rows[0].append("id")
    r = rng.randrange(1, len(rows))
    while len(rows[r]) < len(rows[0]):
        rows[r].append("")
    return table, r, rng.randrange(len(rows[0]))


def _set_cell(draft: Draft, rng: random.Random, value: Any, kind: str) -> str:
    table, r, c = _pick_cell(draft, rng)
    before = draft.tables[table][r][c]
    draft.tables[table][r][c] = value
    return f"{kind}: {table}[{r + 1}][{draft.tables[table][0][c]}] {before!r} -> {value!r}"[:200]


def _column(draft: Draft, rng: random.Random, fields: tuple[str, ...]) -> tuple[str, int] | None:
    """A (table, column index) whose header means one of ``fields``."""
    found = [
        (table, c)
        for table, rows in draft.tables.items()
        if rows
        for c, header in enumerate(rows[0])
        if _field(table, header) in fields
    ]
    return rng.choice(found) if found else None


def _set_in_column(
    draft: Draft, rng: random.Random, fields: tuple[str, ...], pool: list[Any], kind: str
) -> str:
    where = _column(draft, rng, fields)
    if where is None:
        return _set_cell(draft, rng, rng.choice(pool), kind)
    table, c = where
    rows = draft.tables[table]
    if len(rows) < 2:
        return f"{kind}: {table} has no rows"
    r = rng.randrange(1, len(rows))
    while len(rows[r]) <= c:
        rows[r].append("")
    value = rng.choice(pool)
    before, rows[r][c] = rows[r][c], value
    return f"{kind}: {table}[{r + 1}][{rows[0][c]}] {before!r} -> {value!r}"[:200]


NUMERIC_FIELDS = ("age", "score", "years_in_post", "seats", "priority", "incumbents",
                  "incumbent_locals", "min_send", "max_send", "bonus", "min_members",
                  "max_members", "min_party_members", "min_county_level",
                  "max_per_department")  # fmt: skip
BOOLEAN_FIELDS = ("party_member", "reserve", "disciplinary", "willing", "sensitive",
                  "new_experience_only", "forbid", "priority")  # fmt: skip


# ----------------------------------------------------------------------------------------
# Cell mutators


def m_formula(draft: Draft, rng: random.Random) -> str:
    return _set_cell(draft, rng, rng.choice(FORMULAS), "formula")


def m_date(draft: Draft, rng: random.Random) -> str:
    return _set_cell(draft, rng, rng.choice(DATES), "date")


def m_error_cell(draft: Draft, rng: random.Random) -> str:
    return _set_cell(draft, rng, rng.choice(ERRORS), "error")


def m_number_text(draft: Draft, rng: random.Random) -> str:
    return _set_in_column(draft, rng, NUMERIC_FIELDS, NUMBER_TEXTS, "number as text")


def m_typed_number(draft: Draft, rng: random.Random) -> str:
    """A number cell (xlsx: a real number; CSV: as Python writes it)."""
    fields = NUMERIC_FIELDS if rng.random() < 0.7 else ("id", "department", "region", "unit")
    return _set_in_column(draft, rng, fields, TYPED_NUMBERS, "typed number")


def m_fullwidth(draft: Draft, rng: random.Random) -> str:
    table, r, c = _pick_cell(draft, rng)
    before = draft.tables[table][r][c]
    text = str(before)
    value = fullwidth(text) if rng.random() < 0.6 else f"\u3000{text}\u3000"
    draft.tables[table][r][c] = value
    return f"fullwidth: {table}[{r + 1}][{draft.tables[table][0][c]}] {before!r} -> {value!r}"


def m_long_cell(draft: Draft, rng: random.Random) -> str:
    size = rng.choice([1_000, 32_767, 40_000, 200_000])
    unit = rng.choice(["x", "干", "1", "P1;", " "])
    return _set_cell(draft, rng, (unit * size)[:size], f"long cell ({size})")


def m_nul_byte(draft: Draft, rng: random.Random) -> str:
    table, r, c = _pick_cell(draft, rng)
    text = str(draft.tables[table][r][c])
    at = rng.randint(0, len(text))
    draft.tables[table][r][c] = text[:at] + "\x00" + text[at:]
    return f"nul: {table}[{r + 1}][{draft.tables[table][0][c]}] at {at}"


def m_junk(draft: Draft, rng: random.Random) -> str:
    table, r, c = _pick_cell(draft, rng)
    text = str(draft.tables[table][r][c])
    junk = rng.choice(JUNK)
    at = rng.choice([0, len(text), rng.randint(0, len(text))])
    draft.tables[table][r][c] = text[:at] + junk + text[at:]
    return f"junk: {table}[{r + 1}][{draft.tables[table][0][c]}] {junk!r} at {at}"


def m_empty_cell(draft: Draft, rng: random.Random) -> str:
    return _set_cell(draft, rng, rng.choice(["", " ", "\u3000", None]), "empty cell")


def m_enum_alias(draft: Draft, rng: random.Random) -> str:
    """An enum cell written as any accepted alias (grades too), sometimes a near miss."""
    where = _column(draft, rng, tuple(ENUM_POOLS))
    if where is None:
        return "enum alias: no enum column"
    table, c = where
    pool = ENUM_POOLS[_field(table, draft.tables[table][0][c]) or "rank"]
    value = rng.choice(pool)
    if rng.random() < 0.3:
        value = rng.choice(
            [value.upper(), f" {value} ", value + "级", ";".join(rng.sample(pool, 2))]
        )
    rows = draft.tables[table]
    if len(rows) < 2:
        return "enum alias: no rows"
    r = rng.randrange(1, len(rows))
    while len(rows[r]) <= c:
        rows[r].append("")
    rows[r][c] = value
    return f"enum alias: {table}[{r + 1}][{rows[0][c]}] -> {value!r}"


def m_boolean(draft: Draft, rng: random.Random) -> str:
    return _set_in_column(draft, rng, BOOLEAN_FIELDS, BOOLEAN_POOL, "boolean")


def m_swap_cells(draft: Draft, rng: random.Random) -> str:
    table, r, c = _pick_cell(draft, rng)
    _, r2, c2 = _pick_cell(draft, rng, table)
    rows = draft.tables[table]
    rows[r][c], rows[r2][c2] = rows[r2][c2], rows[r][c]
    return f"swap: {table} ({r + 1},{c + 1}) <-> ({r2 + 1},{c2 + 1})"


# ----------------------------------------------------------------------------------------
# Table mutators


def _table(draft: Draft, rng: random.Random) -> str:
    return rng.choice([name for name, rows in draft.tables.items() if rows] or ["candidates"])


def m_title_rows(draft: Draft, rng: random.Random) -> str:
    """Rows above the header: a title, blank rows, or a second (English) header row."""
    table = _table(draft, rng)
    rows = draft.tables[table]
    width = len(rows[0]) if rows else 1
    choice = rng.choice(["title", "blank", "header twice", "units row"])
    if choice == "title":
        rows.insert(0, ["2024年度挂职干部名单"] + [""] * (width - 1))
    elif choice == "blank":
        rows[:0] = [[""] * width for _ in range(rng.randint(1, 3))]
    elif choice == "header twice":
        rows.insert(1, list(rows[0]))
    else:
        rows.insert(1, ["（单位：人）"] * width)
    return f"title rows: {table} {choice}"


def m_blank_rows(draft: Draft, rng: random.Random) -> str:
    table = _table(draft, rng)
    rows = draft.tables[table]
    at = rng.randint(1, len(rows))
    rows.insert(at, [rng.choice(["", " ", "\u3000"]) for _ in rows[0]] or [""])
    return f"blank row: {table} at {at + 1}"


def m_duplicate_header(draft: Draft, rng: random.Random) -> str:
    table = _table(draft, rng)
    rows = draft.tables[table]
    c = rng.randrange(len(rows[0]))
    for row in rows:
        while len(row) <= c:
            row.append("")
        row.append(row[c])
    if rng.random() < 0.5:  # the copy under a Chinese alias of the same field
        name = _field(table, rows[0][c])
        zh = [a for a, f in COLUMN_ALIASES[table].items() if f == name and not a.isascii()]
        if zh:
            rows[0][-1] = rng.choice(zh)
    return f"duplicate header: {table} {rows[0][c]!r} as {rows[0][-1]!r}"


def m_mixed_headers(draft: Draft, rng: random.Random) -> str:
    """Some headers in Chinese, some in English, some with stray spacing or case."""
    table = _table(draft, rng)
    header = draft.tables[table][0]
    changed = []
    for c, text in enumerate(header):
        name = _field(table, text)
        if name is None or rng.random() < 0.5:
            continue
        aliases = [a for a, f in COLUMN_ALIASES[table].items() if f == name]
        new = rng.choice(aliases)
        new = rng.choice([new, new.upper(), f" {new} ", new.replace("_", " "), fullwidth(new)])
        header[c] = new
        changed.append(new)
    return f"mixed headers: {table} {changed}"


def m_drop_column(draft: Draft, rng: random.Random) -> str:
    table = _table(draft, rng)
    rows = draft.tables[table]
    c = rng.randrange(len(rows[0]))
    name = rows[0][c]
    for row in rows:
        if c < len(row):
            del row[c]
    return f"drop column: {table} {name!r}"


def m_shuffle_columns(draft: Draft, rng: random.Random) -> str:
    table = _table(draft, rng)
    rows = draft.tables[table]
    width = max(len(row) for row in rows)
    order = list(range(width))
    rng.shuffle(order)
    draft.tables[table] = [[(row + [""] * width)[i] for i in order] for row in rows]
    return f"shuffle columns: {table}"


def m_unknown_column(draft: Draft, rng: random.Random) -> str:
    table = _table(draft, rng)
    header = rng.choice(["备注", "考核", "年齡", "notes", "", "Unnamed: 3", "id ", "部门"])
    for i, row in enumerate(draft.tables[table]):
        row.append(header if i == 0 else rng.choice(["x", "", "1"]))
    return f"unknown column: {table} {header!r}"


def m_ragged_row(draft: Draft, rng: random.Random) -> str:
    table, r, _ = _pick_cell(draft, rng)
    row = draft.tables[table][r]
    if rng.random() < 0.5 and len(row) > 1:
        del row[rng.randrange(1, len(row)) :]
        return f"short row: {table}[{r + 1}]"
    row.extend(["extra"] * rng.randint(1, 3))
    return f"long row: {table}[{r + 1}]"


def m_row_count(draft: Draft, rng: random.Random) -> str:
    """Grow or shrink the cadres (3-8) and posts (2-4): new ids, repeated ids, dropped rows."""
    table = rng.choice(["candidates", "posts", rng.choice(TABLE_NAMES)])
    rows = draft.tables.get(table)
    if not rows or len(rows) < 2:
        return f"rows: {table} has none"
    choice = rng.choice(["add", "add", "drop", "repeat id", "drop all"])
    limit = {"candidates": 9, "posts": 5}.get(table, 6)
    if choice == "add" and len(rows) < limit:
        row = list(rng.choice(rows[1:]))
        for c, text in enumerate(rows[0]):
            if _field(table, text) == "id" and c < len(row):
                row[c] = f"{row[c]}x{len(rows)}"
        rows.append(row)
    elif choice == "drop" and len(rows) > 2:
        del rows[rng.randrange(1, len(rows))]
    elif choice == "repeat id":
        rows.append(list(rng.choice(rows[1:])))
    elif choice == "drop all":
        del rows[1:]
    return f"rows: {table} {choice} ({len(rows) - 1} rows)"


def m_table_names(draft: Draft, rng: random.Random) -> str:
    """Chinese table names, a table given twice, a table missing, an extra table."""
    table = rng.choice(TABLE_NAMES)
    choice = rng.choice(["alias", "alias", "missing", "twice", "extra", "empty", "header only"])
    if choice == "alias":
        zh = [a for a, t in TABLE_ALIASES.items() if t == table and not a.isascii()]
        draft.names[table] = rng.choice(zh + [table.upper(), f" {table} "])
    elif choice == "missing":
        draft.tables.pop(table, None)
    elif choice == "twice":
        zh = [a for a, t in TABLE_ALIASES.items() if t == table and not a.isascii()]
        draft.tables["_twice"] = [list(row) for row in draft.tables.get(table, [["id"]])]
        draft.names["_twice"] = rng.choice(zh)
    elif choice == "extra":
        draft.tables["_extra"] = [["说明"], ["本表仅供参考"]]
        draft.names["_extra"] = rng.choice(["说明", "Sheet1", "notes"])
    elif choice == "empty":
        draft.tables[table] = []
    else:
        draft.tables[table] = draft.tables.get(table, [["id"]])[:1]
    return f"table: {table} {choice} {draft.names.get(table, '')}"


def m_v11(draft: Draft, rng: random.Random) -> str:
    """Format v1.1: groups, exceptions and grades in odd but plausible shapes."""
    choice = rng.choice(["group bounds", "unknown group", "exception rule", "no reason",
                         "exception twice", "unknown cadre", "grades", "post in groups",
                         "no groups table"])  # fmt: skip
    groups, exceptions = draft.tables.get("groups"), draft.tables.get("exceptions")
    posts = draft.tables.get("posts")
    if choice == "group bounds" and groups and len(groups) > 1:
        c = rng.randrange(2, len(groups[0]))
        groups[1][c] = rng.choice(["0", "1", "3", "9", "-1", "2.5", ""])
    elif choice == "unknown group" and posts and len(posts) > 2:
        posts[rng.randrange(1, len(posts))][-1] = rng.choice(["G2", "G1;G1", "G1；G9", "、"])
    elif choice == "exception rule" and exceptions and len(exceptions) > 1:
        exceptions[1][1] = rng.choice(ENUM_POOLS["rule"] + ["veto", "学 历", "年龄上限 "])
    elif choice == "no reason" and exceptions and len(exceptions) > 1:
        exceptions[1][2] = rng.choice(["", " ", "\u3000"])
    elif choice == "exception twice" and exceptions and len(exceptions) > 1:
        exceptions.append(list(exceptions[1]))
    elif choice == "unknown cadre" and exceptions and len(exceptions) > 1:
        exceptions[1][0] = rng.choice(["C9", "c2", " C2 ", "Ｃ２"])
    elif choice == "grades":
        return m_enum_alias(draft, rng)
    elif choice == "post in groups" and posts and len(posts) > 1:
        posts[1][-1] = "G1"
    elif choice == "no groups table":
        draft.tables.pop("groups", None)
    return f"v1.1: {choice}"


def m_rules(draft: Draft, rng: random.Random) -> str:
    """Rules as rules.toml beside the tables, or (xlsx) a rules sheet."""
    lines = rng.sample(
        ['local_ratio = "1/3"', "local_ratio = 0.4", 'local_ratio = "40%"', "local_ratio = 2",
         "must_place_years = 3", "must_place_years = -1", "require_willing = true",
         'min_education = "本科"', "min_education = 3", "[weights]\nscore = 0.5",
         "[weights]\nscore = 1e400", "[age_caps]\nsection = 50", "[age_caps]\ncounty = \"x\"",
         "unknown = 1", "local_ratio = \"1/0\"", "weights = 3", "= broken", "\x00"],
        rng.randint(1, 3),
    )  # fmt: skip
    text = "\n".join(lines) + "\n"
    if draft.form == "xlsx" and rng.random() < 0.5:
        rows: Rows = [["key", "value"]]
        for line in lines:
            head = ""
            for part in line.split("\n"):
                if part.startswith("["):
                    head = part.strip("[]") + "."
                elif "=" in part:
                    key, _, value = part.partition("=")
                    rows.append([head + key.strip(), value.strip().strip('"')])
        draft.tables["_rules"] = rows
        draft.names["_rules"] = rng.choice(["rules", "规则"])
        return f"rules sheet: {lines}"
    draft.files[rng.choice(["rules.toml", "规则.toml"])] = text.encode(
        rng.choice(["utf-8", "utf-8-sig", "gb18030"]), errors="replace"
    )
    return f"rules.toml: {lines}"


# ----------------------------------------------------------------------------------------
# File mutators: bytes of a CSV, or the workbook itself


def m_encoding(draft: Draft, rng: random.Random) -> str:
    table = _table(draft, rng)
    codec = rng.choice(["utf-8-sig", "gb18030", "gbk", "utf-16", "utf-16-le", "utf-16-be",
                        "big5", "latin-1"])  # fmt: skip
    draft.encodings[table] = codec
    if draft.form == "xlsx":
        return m_typed_number(draft, rng)
    return f"encoding: {table} {codec}"


def m_bytes(draft: Draft, rng: random.Random) -> str:
    """Damage at the byte level: a double BOM, a BOM mid-file, invalid bytes, a cut file."""
    table = _table(draft, rng)
    choice = rng.choice(["double bom", "bom mid-file", "invalid bytes", "truncate", "crlf",
                         "cr only", "tabs", "semicolons", "gbk mixed"])  # fmt: skip

    def damage(data: bytes) -> bytes:
        at = rng.randint(0, len(data))
        if choice == "double bom":
            return codecs.BOM_UTF8 * 2 + data
        if choice == "bom mid-file":
            return data[:at] + codecs.BOM_UTF8 + data[at:]
        if choice == "invalid bytes":
            return (
                data[:at]
                + bytes(rng.choice([b"\xff\xfe", b"\x80", b"\xc3", b"\xa1\x00"]))
                + data[at:]
            )
        if choice == "truncate":
            return data[:at]
        if choice == "crlf":
            return data.replace(b"\n", b"\r\n")
        if choice == "cr only":
            return data.replace(b"\n", b"\r")
        if choice == "tabs":
            return data.replace(b",", b"\t")
        if choice == "semicolons":
            return data.replace(b",", b";")
        return data + "\nC9,某人,D1,科员,30,本科\n".encode("gbk")

    if draft.form == "xlsx":
        return m_junk(draft, rng)
    draft.byte_hooks.append((table, damage))
    return f"bytes: {table} {choice}"


def m_stray_quote(draft: Draft, rng: random.Random) -> str:
    """An unbalanced ``"`` in the CSV text, inside or at the start of a cell."""
    table = _table(draft, rng)
    where = rng.choice(["cell start", "mid cell", "line end", "doubled"])

    def quote(text: str) -> str:
        lines = text.split("\n")
        i = rng.randrange(len(lines))
        line = lines[i]
        if where == "cell start":
            lines[i] = '"' + line
        elif where == "mid cell":
            at = rng.randint(0, len(line))
            lines[i] = line[:at] + '"' + line[at:]
        elif where == "line end":
            lines[i] = line + '"'
        else:
            lines[i] = line.replace(",", ',""', 1)
        return "\n".join(lines)

    if draft.form == "xlsx":
        return _set_cell(draft, rng, '"' + rng.choice(["C1", "张伟", "30"]), "quote")
    draft.text_hooks.append((table, quote))
    return f"stray quote: {table} {where}"


def m_merged(draft: Draft, rng: random.Random) -> str:
    """xlsx: a merged range (only its top-left keeps a value); CSV: the same blanks."""
    table, r, c = _pick_cell(draft, rng)
    height, width = rng.randint(1, 3), rng.randint(1, 3)
    if height == width == 1:
        height = 2
    rows = draft.tables[table]
    if draft.form == "csv":
        for i in range(r, min(r + height, len(rows))):
            for j in range(c, min(c + width, len(rows[i]))):
                if (i, j) != (r, c):
                    rows[i][j] = ""
        return f"merged (as blanks): {table} at ({r + 1},{c + 1}) {height}x{width}"
    sheet_key = table
    top = r + 1

    def merge(book: Any) -> None:
        sheet = book[_sheet_title(draft, sheet_key)]
        sheet.merge_cells(start_row=top, start_column=c + 1, end_row=top + height - 1,
                          end_column=c + width)  # fmt: skip

    draft.book_hooks.append(merge)
    return f"merged: {table} at ({r + 1},{c + 1}) {height}x{width}"


def m_hidden_sheet(draft: Draft, rng: random.Random) -> str:
    """xlsx: a table sheet hidden (or very hidden), or a hidden extra sheet; CSV: a hidden file."""
    table = _table(draft, rng)
    state = rng.choice(["hidden", "veryHidden"])
    if draft.form == "csv":
        draft.files[rng.choice([".~lock.candidates.csv#", "~$candidates.csv", ".hidden.csv"])] = (
            b"x"
        )
        return "hidden file"
    if rng.random() < 0.5:
        draft.tables["_hidden"] = [["id", "x"], ["1", "2"]]
        draft.names["_hidden"] = rng.choice(["Sheet2", "干部 (2)", "posts"])
        table = "_hidden"

    def hide(book: Any) -> None:
        book[_sheet_title(draft, table)].sheet_state = state

    draft.book_hooks.append(hide)
    return f"hidden sheet: {table} {state}"


def m_empty_sheet(draft: Draft, rng: random.Random) -> str:
    name = rng.choice(["Sheet1", "Sheet3", "groups", "例外", "departments"])
    draft.tables["_empty"] = []
    draft.names["_empty"] = name
    return f"empty sheet: {name!r}"


EXTREMES = {
    "age": ["0", "17", "45", "46", "200", "-1", "４５"],
    "score": ["0", "100", "101", "-5", "１００"],
    "seats": ["0", "3", "1000000", "99999999999999"],
    "priority": ["0", "-1", "10", "1000000000", "999999999999999"],
    "bonus": ["-100", "100000", "-99999999999", "999999999999999"],
    "years_in_post": ["10", "61", "９"],
    "incumbents": ["0", "1", "100"],
    "min_send": ["2", "5"],
    "max_send": ["0"],
}


def m_extreme_value(draft: Draft, rng: random.Random) -> str:
    """A number at or past the edge of its range: infeasible, refused, or too large to solve."""
    name = rng.choice(sorted(EXTREMES))
    return _set_in_column(draft, rng, (name,), EXTREMES[name], f"extreme {name}")


def m_local_ratio(draft: Draft, rng: random.Random) -> str:
    """The teams' optional min_local_ratio column, written every way a ratio can be."""
    teams = draft.tables.get("teams")
    if not teams:
        return "local ratio: no teams table"
    value = rng.choice(["1/3", "0.4", "40%", " 1 / 3 ", "１/３", "1/0", "3/2", "-1/3", "1e-3",
                        "0", "1", "33.3%", "2/6", "1/3%", ".5", "5.", "½"])  # fmt: skip
    teams[0].append(rng.choice(["min_local_ratio", "本地比例", "local_ratio"]))
    for row in teams[1:]:
        row.append(value)
    return f"local ratio: {value!r}"


def m_header_types(draft: Draft, rng: random.Random) -> str:
    """Header cells that are not text: numbers, dates, empty (xlsx keeps their type)."""
    table = _table(draft, rng)
    header = draft.tables[table][0]
    c = rng.randrange(len(header))
    value = rng.choice([1, 2.5, date(2024, 1, 1), None, True, "#N/A", "=A1"])
    before, header[c] = header[c], value
    return f"header type: {table} {before!r} -> {value!r}"


def m_wide_or_tall(draft: Draft, rng: random.Random) -> str:
    table = _table(draft, rng)
    rows = draft.tables[table]
    if rng.random() < 0.5:
        for i, row in enumerate(rows):
            row.extend([f"c{j}" if i == 0 else "" for j in range(rng.choice([50, 500]))])
        return f"wide: {table}"
    rows.extend([[""] * len(rows[0]) for _ in range(rng.choice([100, 2000]))])
    return f"tall blank: {table}"


def m_corrupt_file(draft: Draft, rng: random.Random) -> str:
    """A file that is not what its name says: a cut workbook, CSV text named .xlsx, a folder."""
    choice = rng.choice(["cut zip", "csv as xlsx", "zero bytes", "zip of nothing", "folder"])

    def corrupt(book_path: Path) -> None:
        data = book_path.read_bytes()
        if choice == "cut zip":
            book_path.write_bytes(data[: rng.randint(0, len(data) - 1)])
        elif choice == "csv as xlsx":
            book_path.write_bytes("id,kind\nP1,下挂\n".encode())
        elif choice == "zero bytes":
            book_path.write_bytes(b"")
        elif choice == "zip of nothing":
            book_path.write_bytes(b"PK\x05\x06" + b"\x00" * 18)
        else:
            book_path.unlink()
            book_path.mkdir()

    if draft.form == "csv":
        table = _table(draft, rng)
        draft.names[table] = draft.names.get(table, table)
        draft.dirs.append(f"{draft.names[table]}.csv" if choice == "folder" else "sub.csv")
        return f"corrupt: folder {draft.dirs[-1]}"
    draft.file_hooks.append(corrupt)
    return f"corrupt: workbook {choice}"


MUTATORS: dict[str, Callable[[Draft, random.Random], str]] = {
    "formula": m_formula,
    "date": m_date,
    "error_cell": m_error_cell,
    "number_text": m_number_text,
    "typed_number": m_typed_number,
    "fullwidth": m_fullwidth,
    "long_cell": m_long_cell,
    "nul_byte": m_nul_byte,
    "junk": m_junk,
    "empty_cell": m_empty_cell,
    "enum_alias": m_enum_alias,
    "boolean": m_boolean,
    "swap_cells": m_swap_cells,
    "title_rows": m_title_rows,
    "blank_rows": m_blank_rows,
    "duplicate_header": m_duplicate_header,
    "mixed_headers": m_mixed_headers,
    "drop_column": m_drop_column,
    "shuffle_columns": m_shuffle_columns,
    "unknown_column": m_unknown_column,
    "ragged_row": m_ragged_row,
    "row_count": m_row_count,
    "table_names": m_table_names,
    "v11": m_v11,
    "rules": m_rules,
    "encoding": m_encoding,
    "bytes": m_bytes,
    "stray_quote": m_stray_quote,
    "merged": m_merged,
    "hidden_sheet": m_hidden_sheet,
    "empty_sheet": m_empty_sheet,
    "extreme_value": m_extreme_value,
    "local_ratio": m_local_ratio,
    "header_types": m_header_types,
    "wide_or_tall": m_wide_or_tall,
    "corrupt_file": m_corrupt_file,
}
KINDS = tuple(MUTATORS)


def build(form: str, kinds: list[str], rng: random.Random, plan: bool = False) -> Draft:
    """A draft of the base instance (or, with ``plan``, of the base plan) mutated by ``kinds``."""
    tables = {"assignments": [list(row) for row in BASE_PLAN]} if plan else {
        name: [list(row) for row in rows] for name, rows in BASE_TABLES.items()
    }  # fmt: skip
    draft = Draft(form, tables)
    for kind in kinds:
        draft.kinds.append(kind)
        try:
            draft.log.append(MUTATORS[kind](draft, rng)[:300])
        except (IndexError, ValueError, KeyError) as error:  # a mutator with nothing to act on
            draft.log.append(f"{kind}: skipped ({type(error).__name__})")
    return draft


# ----------------------------------------------------------------------------------------
# Rendering


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime | date | clock):
        return value.isoformat()
    return str(value)


def _sheet_title(draft: Draft, table: str) -> str:
    title = draft.names.get(table, table)
    return re.sub(r"[\[\]:*?/\\]", "_", title).strip("'")[:31] or "Sheet"


def render(draft: Draft, folder: Path) -> Path:
    """Write the draft under ``folder``; the path to give the CLI (a folder or a workbook)."""
    folder.mkdir(parents=True, exist_ok=True)
    for name, data in draft.files.items():
        (folder / name).write_bytes(data)
    if draft.form == "csv":
        for table, rows in draft.tables.items():
            buffer = io.StringIO()
            csv.writer(buffer, lineterminator="\n").writerows(
                [[_text(v) for v in row] for row in rows]
            )
            text = buffer.getvalue()
            for name, hook in draft.text_hooks:
                text = hook(text) if name == table else text
            data = text.encode(draft.encodings.get(table, "utf-8"), errors="replace")
            for name, byte_hook in draft.byte_hooks:
                data = byte_hook(data) if name == table else data
            stem = draft.names.get(table, table)
            file = folder / f"{stem}.csv"
            if file.exists():  # two tables under one name: the second as .CSV
                file = folder / f"{stem}.CSV"
            if file.name in draft.dirs:
                file.mkdir()
                continue
            file.write_bytes(data)
        for name in draft.dirs:
            (folder / name).mkdir(exist_ok=True)
        return folder
    book = openpyxl.Workbook()
    book.remove(book.active)
    for table, rows in draft.tables.items():
        title = _sheet_title(draft, table)
        if title in book.sheetnames:
            title = (title + " (2)")[:31]
            draft.names[table] = title
        sheet = book.create_sheet(title)
        for r, row in enumerate(rows, start=1):
            for c, value in enumerate(row, start=1):
                if isinstance(value, str):
                    value = ILLEGAL_CHARACTERS_RE.sub("", value)  # xlsx cannot hold them
                    value = value.encode("utf-8", "replace").decode("utf-8")[:32_767]
                if isinstance(value, float) and value != value or value in (float("inf"),):
                    value = str(value)
                sheet.cell(r, c, value)
    for hook in draft.book_hooks:
        try:
            hook(book)
        except KeyError:
            pass  # the sheet was removed by another mutation
    if not book.sheetnames:
        book.create_sheet("Sheet1")
    if all(s.sheet_state != "visible" for s in book.worksheets):
        book.worksheets[0].sheet_state = "visible"
    path = folder / BOOK
    book.save(path)
    for file_hook in draft.file_hooks:
        file_hook(path)
    return path


# ----------------------------------------------------------------------------------------
# The oracle


@dataclass
class Outcome:
    code: int | None
    seconds: float
    output: str
    exception: BaseException | None
    problems: list[str]


_ISSUE_HEAD = re.compile(r"^\d+ problems? in the input:$")
_CELL_MESSAGE = re.compile(r': "[^"]*" is (not|out of|too)', re.S)


def _invisible(ch: str) -> bool:
    """A character a terminal shows as nothing (or moves the cursor with): NUL, BOM, ZWSP..."""
    return ch != "\n" and unicodedata.category(ch) in ("Cc", "Cf", "Cs", "Co", "Cn", "Zl", "Zp")


def problems(
    code: int | None,
    output: str,
    exception: BaseException | None,
    out: Path | None,
    labels: list[str],
) -> list[str]:
    """What breaks the CLI's contract in one run (empty: the run is fine).

    ``out`` is the output folder of a solve (None for a command that writes nothing).
    """
    found = []
    if exception is not None and not isinstance(exception, SystemExit):
        found.append(f"unhandled {type(exception).__name__}: {exception}"[:300])
    if "Traceback" in output:
        found.append("a traceback in the output")
    if code not in (0, 2, 3, 4):
        found.append(f"exit {code}")
    if out is None:
        pass
    elif code == 0:
        if not ((out / "assignments.csv").is_file() and (out / "summary.json").is_file()):
            found.append("exit 0 without assignments.csv and summary.json")
    elif out.exists():
        found.append(f"exit {code} left an output folder")
    messages = [line for line in output.splitlines() if line.startswith(("warning: ", "  "))]
    invisible = sorted({ch for ch in "\n".join(messages) if _invisible(ch)})
    if invisible:
        found.append(f"invisible characters in a message: {invisible!r}")
    if code in (2, 3, 4):
        shown = output.splitlines()
        if any(len(line) > 600 for line in shown):
            found.append(f"a message line of {max(map(len, shown))} characters")
    if code == 2:
        lines = output.strip().splitlines()
        head = next((i for i, line in enumerate(lines) if _ISSUE_HEAD.match(line)), None)
        if head is None:
            found.append(f"exit 2 without the list of problems: {output[-300:]!r}")
        else:
            for line in lines[head + 1 :]:
                line = line.strip()
                where = line.split(": ", 1)[0]
                if line.startswith("... and"):
                    continue
                if not any(line.startswith(label.strip()) for label in labels):
                    found.append(f"exit 2 issue names no file of the case: {line[:200]!r}")
                elif _CELL_MESSAGE.search(line[:400]) and not (
                    ", row " in where and ", column " in where
                ):
                    found.append(f"exit 2 cell error without row and column: {line[:200]!r}")
    if code == 3 and "conflict" not in output:
        found.append("exit 3 without the rules in conflict")
    if code == 4 and "No plan found" not in output:
        found.append("exit 4 without its message")
    return found


def _labels(draft: Draft, path: Path) -> list[str]:
    if path.is_dir():
        return [p.name for p in path.iterdir()] + [f"{t}.csv" for t in TABLE_NAMES] + [str(path)]
    return [path.name] + list(draft.files) + [str(path)]


def run_case(draft: Draft, workdir: Path, time_limit: float = 2.0, xlsx: bool = False) -> Outcome:
    """Render the draft, solve it through the CLI, and check a plan it writes reads back."""
    path = render(draft, workdir / "in")
    out = workdir / "plan"
    args = ["solve", str(path), "--out", str(out), "--time-limit", str(time_limit)]
    began = time.perf_counter()
    result = CliRunner().invoke(main, args + (["--xlsx"] if xlsx else []))
    seconds = time.perf_counter() - began
    output = result.output  # click >= 8.2: stdout and stderr, interleaved
    found = problems(result.exit_code, output, result.exception, out, _labels(draft, path))
    if result.exit_code == 0 and not found:
        plan = out / "plan.xlsx" if xlsx else out
        checked = CliRunner().invoke(main, ["check", str(path), str(plan)])
        if (
            checked.exit_code != 0
            or checked.exception is not None
            and not isinstance(checked.exception, SystemExit)
        ):
            found.append(f"the written plan does not check: exit {checked.exit_code}: "
                         f"{checked.output[-300:]!r} {checked.exception!r}")  # fmt: skip
    return Outcome(result.exit_code, seconds, output, result.exception, found)


def run_plan_case(draft: Draft, workdir: Path) -> Outcome:
    """Render a mutated plan and ``matcher check`` it against the base instance.

    Exit 1 is allowed here: it is check's answer for a plan that breaks rules.
    """
    render_to = workdir / "plan"
    if draft.form == "csv":
        folder = render(draft, render_to)
        plan: Path = folder / "assignments.csv"
        if not plan.exists():  # renamed or removed: give the folder
            plan = folder
    else:
        plan = render(draft, render_to)
    began = time.perf_counter()
    result = CliRunner().invoke(main, ["check", str(BASE), str(plan)])
    seconds = time.perf_counter() - began
    output = result.output  # click >= 8.2: stdout and stderr, interleaved
    code = 0 if result.exit_code == 1 and "violation" in output else result.exit_code
    labels = [plan.name, str(plan), *(p.name for p in render_to.iterdir())]
    found = problems(code, output, result.exception, None, labels)
    return Outcome(result.exit_code, seconds, output, result.exception, found)


# ----------------------------------------------------------------------------------------
# Hypothesis strategies


def drafts(form: str | None = None, plan: bool = False) -> st.SearchStrategy[Draft]:
    """Mutated instances (or plans): a form, one to three kinds, their random choices."""
    return st.builds(
        lambda form, kinds, rng: build(form, kinds, rng, plan),
        st.sampled_from(FORMS) if form is None else st.just(form),
        st.lists(st.sampled_from(KINDS), min_size=1, max_size=3),
        st.randoms(use_true_random=False),
    )


def scratch() -> tempfile.TemporaryDirectory[str]:
    return tempfile.TemporaryDirectory(prefix="fuzz-")
