"""Read an instance (format v1, ``shared/domain.md``): the data boundary.

:func:`read_instance` turns a folder of CSV files or one ``.xlsx`` workbook
into a validated, frozen :class:`~matcher.instance.Instance`, or raises one
:class:`InputError` that lists *every* problem found in *every* file, each
located as the planner sees it (file, row, column).

Where the tables come from
--------------------------
* **Folder**: ``candidates.csv`` and ``posts.csv`` (required), ``teams.csv``,
  ``departments.csv``, ``affinities.csv``, ``groups.csv``, ``exceptions.csv``
  (format v1.1) and ``rules.toml`` (optional). File
  names may be any alias of the table name (``干部.csv``, ``岗位.csv``, see
  :data:`matcher.io.aliases.TABLE_ALIASES`). Other CSV files are ignored with a
  warning.
* **Workbook** (``.xlsx``): one sheet per table, named like the files
  (``candidates`` or ``干部`` ...). Other sheets are ignored with a warning.

Rules
-----
The rules come from exactly one of:

* ``rules.toml`` (or ``规则.toml``) in the folder, or next to the workbook;
* a ``rules`` (``规则``) sheet of the workbook, or a ``rules.csv`` in the
  folder: a header row (any text, e.g. ``key,value``), then one rule per row
  with the key in the first column and the value in the second. Keys of
  tables are dotted: ``weights.score``, ``age_caps.county``.

Keys are ``min_education``, ``age_caps`` (a table by rank), ``local_ratio``,
``veto_disciplinary``, ``require_willing``, ``must_place_years`` and
``weights`` (a table: ``score``, ``development``, ``reserve``, ``party``,
``dept_priority``, ``category_match``, ``preference``, ``affinity``). Every
key is optional and an unknown key is an error. Numbers are read exactly:
a weight of ``0.1`` is ``Fraction(1, 10)``; ``local_ratio`` may also be the
string ``"1/3"``. Giving rules both as a file and as a sheet is an error.

Cells
-----
Every cell is read as text and stripped (of zero-width characters and BOMs too);
an empty cell means "use the default" (an error in a required column), a row
whose cells are all empty is skipped. Lists are separated by ``;`` (also ``；``
and ``、``), empty items are dropped. Ratios are ``a/b``, a decimal or a
percentage (``40%``), read exactly. Whole numbers may be written ``45`` or
``45.0`` (as Excel exports them). Headers, enum values and booleans accept the
aliases of :mod:`matcher.io.aliases`. Rows are numbered as in Excel: the header
is row 1 (or the first non-empty row), the first data row is row 2. In a
workbook the ``file`` of an issue is ``"book.xlsx, sheet 干部"``.

Soft problems (unknown columns, unknown tables, a ``current_team`` or a
preference that names nothing known) do not stop the read; they are returned
in :attr:`Instance.warnings <matcher.instance.Instance.warnings>`.

Format v1.1
-----------
``groups`` (rule 7) and ``exceptions`` (documented exceptions to the age cap and
the education requirement) are optional tables; posts may list their ``groups``.
A post naming a group the ``groups`` table lacks is an error, a group no post
names a warning. An exception naming an unknown cadre, an unknown rule, with an
empty ``reason``, or given twice for the same cadre and rule is an error. Ranks
accept the four grades (副科, 正科, 副处, 正处) beside the three families; age caps
in the rules are given by family only.
"""

from __future__ import annotations

import difflib
import io
import re
import tomllib
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from fractions import Fraction
from pathlib import Path
from typing import Any, Final

import numpy as np
import pandas as pd
from pydantic import BaseModel, ValidationError

from matcher.instance import (
    Affinity,
    Candidate,
    Department,
    Education,
    ExceptionRule,
    Group,
    Instance,
    Post,
    PostKind,
    Rank,
    RuleException,
    Rules,
    Team,
    Weights,
)
from matcher.io.aliases import (
    AGE_CAP_RANK_ALIASES,
    BOOLEAN_ALIASES,
    COLUMN_ALIASES,
    EDUCATION_ALIASES,
    EXCEPTION_RULE_ALIASES,
    KIND_ALIASES,
    LIST_SEPARATORS,
    RANK_ALIASES,
    RULES_TABLE,
    TABLE_ALIASES,
    TABLES,
    accepted,
    header_key,
    value_key,
)
from matcher.io.cells import unescape_frame
from matcher.io.limits import objective_excess
from matcher.io.text import CELL_EDGES, assumed_message, decode_text, readable

__all__ = ["InputError", "InputIssue", "read_instance", "read_rows", "read_rules"]


# ----------------------------------------------------------------------------------------
# Issues


@dataclass(frozen=True)
class InputIssue:
    """One problem in the input, located as the planner sees it.

    ``row`` counts like Excel (header row 1, first data row 2); ``column`` is
    the header as written in the file. Either is ``None`` when the problem is
    not tied to one row or column.
    """

    file: str
    row: int | None
    column: str | None
    message: str

    def __str__(self) -> str:
        where = [self.file]
        if self.row is not None:
            where.append(f"row {self.row}")
        if self.column is not None:
            where.append(f"column {self.column}")
        return readable(f"{', '.join(where)}: {self.message}")


class InputError(Exception):
    """The input is wrong; ``issues`` lists every problem found, in reading order."""

    MAX_SHOWN: Final = 50
    """How many issues ``str()`` shows; ``issues`` always holds all of them."""

    def __init__(self, issues: Iterable[InputIssue]) -> None:
        self.issues: list[InputIssue] = list(issues)
        super().__init__(self._text())

    def _text(self) -> str:
        count = len(self.issues)
        lines = [f"{count} problem{'s' if count != 1 else ''} in the input:"]
        lines += [f"  {issue}" for issue in self.issues[: self.MAX_SHOWN]]
        if count > self.MAX_SHOWN:
            lines.append(f"  ... and {count - self.MAX_SHOWN} more")
        return "\n".join(lines)

    def __str__(self) -> str:
        return self._text()


@dataclass
class _Log:
    """Collects errors and warnings while reading; nothing is raised until the end."""

    errors: list[InputIssue] = field(default_factory=list)
    warnings: list[InputIssue] = field(default_factory=list)

    def error(self, file: str, row: int | None, column: str | None, message: str) -> None:
        self.errors.append(InputIssue(file, row, column, message))

    def warn(self, file: str, row: int | None, column: str | None, message: str) -> None:
        self.warnings.append(InputIssue(file, row, column, message))


def _in_file_order(issues: list[InputIssue]) -> list[InputIssue]:
    """Issues grouped by file (in first-reported order), then by row; stable otherwise."""
    files = {issue.file: position for position, issue in reversed(list(enumerate(issues)))}
    return sorted(issues, key=lambda issue: (files[issue.file], issue.row or 0))


def _rows_text(rows: list[int], limit: int = 5) -> str:
    shown = ", ".join(map(str, rows[:limit]))
    more = f" and {len(rows) - limit} more" if len(rows) > limit else ""
    return f"row{'s' if len(rows) > 1 else ''} {shown}{more}"


# ----------------------------------------------------------------------------------------
# Cell parsers: text -> value, or _CellError with a planner-readable message


class _CellError(ValueError):
    pass


_Parser = Callable[[str], object]

_INT = re.compile(r"[+-]?\d{1,15}(?:\.0*)?")
_RATIO = re.compile(r"[+-]?(?:\d+/\d+|\d+(?:\.\d*)?|\.\d+)%?")
_SPLIT = re.compile(LIST_SEPARATORS)


def _parse_int(text: str) -> int:
    if not _INT.fullmatch(text):
        raise _CellError(f'"{text}" is not a whole number')
    return int(text.split(".")[0])


def _parse_bool(text: str) -> bool:
    flag = BOOLEAN_ALIASES.get(text.casefold())  # not value_key: "-1" is not "1"
    if flag is None:
        raise _CellError(f'"{text}" is not yes or no; use true/false, yes/no, 1/0 or 是/否')
    return flag


def _parse_list(text: str) -> tuple[str, ...]:
    return tuple(item for item in (part.strip() for part in _SPLIT.split(text)) if item)


def _parse_ratio(text: str) -> Fraction:
    compact = re.sub(r"\s+", "", text)
    if not _RATIO.fullmatch(compact):
        raise _CellError(f'"{text}" is not a ratio; write it like 1/3, 0.4 or 40%')
    percent = compact.endswith("%")
    try:
        ratio = Fraction(compact.rstrip("%"))
    except ZeroDivisionError:
        raise _CellError(f'"{text}" divides by zero') from None
    if percent:
        ratio /= 100
    if not 0 <= ratio <= 1:
        raise _CellError(f'"{text}" is not a ratio between 0 and 1')
    return ratio


def _enum_parser(lookup: Mapping[str, str], enum: type[Any], what: str) -> _Parser:
    choices = accepted(lookup)

    def parse(text: str) -> object:
        canonical = lookup.get(value_key(text))
        if canonical is None:
            raise _CellError(f'"{text}" is not a {what}; use one of {choices}')
        return enum(canonical)

    return parse


def _enum_list_parser(lookup: Mapping[str, str], enum: type[Any], what: str) -> _Parser:
    choices = accepted(lookup)

    def parse(text: str) -> object:
        items = []
        for item in _parse_list(text):
            canonical = lookup.get(value_key(item))
            if canonical is None:
                raise _CellError(f'"{item}" is not a {what}; use one of {choices}')
            items.append(enum(canonical))
        return tuple(items)

    return parse


_rank = _enum_parser(RANK_ALIASES, Rank, "rank")
_education = _enum_parser(EDUCATION_ALIASES, Education, "level of education")
_kind = _enum_parser(KIND_ALIASES, PostKind, "kind of post")

_MODELS: dict[str, type[BaseModel]] = {
    "candidates": Candidate,
    "posts": Post,
    "teams": Team,
    "departments": Department,
    "affinities": Affinity,
    "groups": Group,
    "exceptions": RuleException,
}

# Per table and field: how a non-empty cell becomes a value (None: kept as text).
_PARSERS: dict[str, dict[str, _Parser | None]] = {
    "candidates": {
        "id": None,
        "name": None,
        "department": None,
        "rank": _rank,
        "age": _parse_int,
        "education": _education,
        "birthplace": None,
        "grew_up": _parse_list,
        "home_region": None,
        "current_team": None,
        "party_member": _parse_bool,
        "reserve": _parse_bool,
        "disciplinary": _parse_bool,
        "experience": _enum_list_parser(KIND_ALIASES, PostKind, "kind of post"),
        "years_in_post": _parse_int,
        "score": _parse_int,
        "willing": _parse_bool,
        "preferences": _parse_list,
    },
    "posts": {
        "id": None,
        "name": None,
        "kind": _kind,
        "unit": None,
        "region": None,
        "team": None,
        "seats": _parse_int,
        "ranks": _enum_list_parser(RANK_ALIASES, Rank, "rank"),
        "min_education": _education,
        "sensitive": _parse_bool,
        "new_experience_only": _parse_bool,
        "preferred_categories": _parse_list,
        "priority": _parse_int,
        "groups": _parse_list,
    },
    "teams": {
        "id": None,
        "region": None,
        "incumbents": _parse_int,
        "incumbent_locals": _parse_int,
        "min_local_ratio": _parse_ratio,
    },
    "departments": {
        "id": None,
        "name": None,
        "category": None,
        "min_send": _parse_int,
        "max_send": _parse_int,
        "priority": _parse_bool,
    },
    "affinities": {
        "candidate_id": None,
        "post_id": None,
        "bonus": _parse_int,
        "forbid": _parse_bool,
    },
    "groups": {
        "id": None,
        "name": None,
        "min_members": _parse_int,
        "max_members": _parse_int,
        "min_party_members": _parse_int,
        "min_county_level": _parse_int,
        "max_per_department": _parse_int,
    },
    "exceptions": {
        "candidate_id": None,
        "rule": _enum_parser(EXCEPTION_RULE_ALIASES, ExceptionRule, "rule an exception may lift"),
        "reason": None,
    },
}


def _required(table: str) -> list[str]:
    return [name for name, info in _MODELS[table].model_fields.items() if info.is_required()]


# ----------------------------------------------------------------------------------------
# Locating and loading the tables


@dataclass
class _Source:
    """Where one table comes from: a label for messages and a loader of raw cells."""

    label: str
    load: Callable[[], pd.DataFrame]


@dataclass
class _Sources:
    tables: dict[str, _Source] = field(default_factory=dict)
    rules_toml: Path | None = None
    rules_label: str = ""
    rules_frame: _Source | None = None
    readable: bool = True


def _load_csv(path: Path, log: _Log) -> Callable[[], pd.DataFrame]:
    """Loader of a CSV file in UTF-8, UTF-16 (BOM) or GBK (:mod:`matcher.io.text`).

    A cell the tool escaped against formula injection (``'=...``) reads back as
    written by the planner (:func:`matcher.io.cells.unescape_text`). A file
    saved as "Unicode text" separates its cells by tabs: taken as such when its
    first line has tabs and no comma.
    """

    def load() -> pd.DataFrame:
        text, encoding = decode_text(path.read_bytes())
        if encoding is not None:
            log.warn(path.name, None, None, assumed_message(encoding))
        first = text.split("\n", 1)[0]
        frame = pd.read_csv(
            io.StringIO(text),
            header=None,
            dtype=str,
            na_filter=False,
            skip_blank_lines=False,
            sep="\t" if "\t" in first and "," not in first else ",",
        )
        return unescape_frame(frame)

    return load


def _add_source(
    sources: _Sources, table: str, label: str, source: _Source | Path, log: _Log
) -> None:
    """Register ``source`` for ``table``, unless another file already gives it."""
    if table == RULES_TABLE:
        given = sources.rules_label
        if not given:
            sources.rules_label = label
            if isinstance(source, Path):
                sources.rules_toml = source
            else:
                sources.rules_frame = source
            return
    elif table not in sources.tables:
        assert isinstance(source, _Source)
        sources.tables[table] = source
        return
    else:
        given = sources.tables[table].label
    log.error(label, None, None, f"gives the {table} table again (already given by {given})")


def _folder_sources(folder: Path, log: _Log) -> _Sources:
    sources = _Sources()
    for path in sorted(folder.iterdir()):
        if not path.is_file() or path.name.startswith((".", "~$")):
            continue
        suffix = path.suffix.lower()
        if suffix not in (".csv", ".toml"):
            continue
        table = TABLE_ALIASES.get(header_key(path.stem))
        if suffix == ".toml":
            if table == RULES_TABLE:
                _add_source(sources, table, path.name, path, log)
            continue
        if table is None:
            log.warn(path.name, None, None, "is not a table of the instance; ignored")
            continue
        _add_source(sources, table, path.name, _Source(path.name, _load_csv(path, log)), log)
    return sources


def _constant(frame: pd.DataFrame) -> Callable[[], pd.DataFrame]:
    return lambda: frame


def _workbook_sources(book: Path, log: _Log) -> _Sources:
    sources = _Sources(readable=False)
    try:
        # Read every sheet at once (the file is opened only once); cells as text.
        sheets: dict[str, pd.DataFrame] = pd.read_excel(
            book, sheet_name=None, header=None, dtype=str, na_filter=False
        )
    except Exception as exc:  # openpyxl raises many types for a damaged file
        log.error(book.name, None, None, f"cannot be read as an .xlsx workbook ({exc})")
        return sources
    sources.readable = True
    for sheet, frame in sheets.items():
        label = f"{book.name}, sheet {sheet}"
        table = TABLE_ALIASES.get(header_key(str(sheet)))
        if table is None:
            log.warn(label, None, None, "is not a table of the instance; ignored")
            continue
        _add_source(sources, table, label, _Source(label, _constant(frame)), log)
    for path in sorted(book.parent.glob("*.toml")):
        if TABLE_ALIASES.get(header_key(path.stem)) == RULES_TABLE:
            _add_source(sources, RULES_TABLE, path.name, path, log)
    return sources


def _load_frame(source: _Source, log: _Log) -> pd.DataFrame | None:
    try:
        return source.load()
    except UnicodeDecodeError:
        log.error(
            source.label,
            None,
            None,
            "is neither UTF-8, UTF-16 nor GBK text; in Excel save it with 'CSV UTF-8',"
            " or in a text editor as UTF-8",
        )
    except pd.errors.EmptyDataError:
        log.error(source.label, None, None, "is empty: it has no header row")
    except pd.errors.ParserError as exc:
        found = re.search(r"Expected (\d+) fields in line (\d+), saw (\d+)", str(exc))
        if found:
            expected, line, saw = found.groups()
            log.error(
                source.label,
                int(line),
                None,
                f"has {saw} cells but the rows above have {expected};"
                " a comma inside a cell must be quoted",
            )
        else:
            log.error(source.label, None, None, f"cannot be read as CSV ({exc})")
    except OSError as exc:
        log.error(source.label, None, None, f"cannot be read ({exc.strerror or exc})")
    return None


# ----------------------------------------------------------------------------------------
# One table: headers, cells, rows -> models


@dataclass
class _Table:
    """The raw cells of one table, by field, with the headers as written."""

    name: str
    label: str
    headers: dict[str, str]
    cells: dict[str, list[str]]
    rows: list[int]
    models: list[tuple[int, Any]] = field(default_factory=list)

    def header(self, name: str) -> str:
        return self.headers.get(name, name)

    def ids(self) -> set[str]:
        """Every id written in the table, valid row or not."""
        return set(self.cells.get("id", ())) - {""}


def _clean(frame: pd.DataFrame) -> tuple[pd.DataFrame, np.ndarray]:
    """Cells as stripped text, and which rows have any text."""
    if not frame.shape[1]:
        return frame, np.zeros(len(frame), dtype=bool)
    frame = frame.fillna("").astype(str).apply(lambda column: column.str.strip(CELL_EDGES))
    return frame, frame.ne("").any(axis=1).to_numpy()


def _raw_table(name: str, source: _Source, frame: pd.DataFrame, log: _Log) -> _Table | None:
    label = source.label
    frame, filled = _clean(frame)
    if not filled.any():
        log.error(label, None, None, "is empty: it has no header row")
        return None
    top = int(filled.argmax())  # the header: the first row with any text
    header = frame.iloc[top].tolist()
    body = frame.iloc[top + 1 :][filled[top + 1 :]]
    lookup = COLUMN_ALIASES[name]
    headers: dict[str, str] = {}
    cells: dict[str, list[str]] = {}
    unknown: list[str] = []
    for position, text in enumerate(header):
        column = body.iloc[:, position]
        if not text:
            if column.ne("").any():
                log.warn(label, None, f"#{position + 1}", "has values but no header; ignored")
            continue
        canonical = lookup.get(header_key(text))
        if canonical is None:
            unknown.append(text)
        elif canonical in headers:
            log.error(
                label,
                None,
                text,
                f"means {canonical}, like column {headers[canonical]}; keep only one of them",
            )
        else:
            headers[canonical] = text
            cells[canonical] = column.tolist()
    for text in unknown:
        log.warn(label, None, text, _unknown_column(name, text, headers))
    for required in _required(name):
        if required not in headers:
            aliases = [key for key, value in lookup.items() if value == required]
            aliases = [alias for alias in aliases if not alias.isascii()]
            also = f" (or {', '.join(aliases)})" if aliases else ""
            log.error(label, None, required, f"this required column is missing{also}")
    rows = [int(index) + 1 for index in body.index]
    if not rows and name in ("candidates", "posts"):
        log.error(label, None, None, "has a header but no rows")
    return _Table(name, label, headers, cells, rows)


def _unknown_column(table: str, text: str, headers: Mapping[str, str]) -> str:
    """The warning for a header that names no column, with the closest known name (difflib).

    When that closest column is not given under another header, every row takes
    its default, and the warning says so: a score column headed ``考核`` would
    otherwise leave every score at 60 without a word.
    """
    lookup = COLUMN_ALIASES[table]
    known = ", ".join(dict.fromkeys(lookup.values()))
    message = f"is not a known column ({known}); ignored"
    close = difflib.get_close_matches(header_key(text), list(lookup), n=1, cutoff=0.5)
    if not close:
        return message
    field_name = lookup[close[0]]
    spelled = next(
        (alias for alias, f in lookup.items() if f == field_name and not alias.isascii()),
        field_name,
    )
    message += f"; did you mean {field_name} ({spelled})?"
    if field_name in headers:
        return message
    info = _MODELS[table].model_fields[field_name]
    if info.is_required():
        return message
    default = info.get_default(call_default_factory=True)
    shown = {None: "empty", True: "true", False: "false", (): "empty"}.get(default, default)
    if isinstance(default, StrEnum):
        shown = default.value
    return message + f" Without it every row takes the default {field_name} ({shown})"


def _convert(cells: list[str], parser: _Parser) -> tuple[dict[str, object], dict[str, str]]:
    """Parse each *distinct* cell text once: most columns repeat a few values."""
    values: dict[str, object] = {}
    errors: dict[str, str] = {}
    for text in pd.unique(pd.Series(cells, dtype=object)):
        if text:
            try:
                values[text] = parser(text)
            except _CellError as exc:
                errors[text] = str(exc)
    return values, errors


def _bounds(model: type[BaseModel], name: str) -> tuple[Any, Any]:
    low = high = None
    for item in model.model_fields[name].metadata:
        low = getattr(item, "ge", low)
        high = getattr(item, "le", high)
    return low, high


def _range_message(model: type[BaseModel], name: str, text: str, context: Mapping[str, Any]) -> str:
    low, high = _bounds(model, name)
    low = context.get("ge", low) if low is None else low
    high = context.get("le", high) if high is None else high
    if low is not None and high is not None:
        return f'"{text}" is out of range: it must be between {low} and {high}'
    if low is not None:
        return f'"{text}" is too small: it must be at least {low}'
    return f'"{text}" is too large: it must be at most {high}'


_LIMIT_ERRORS = frozenset({"greater_than_equal", "less_than_equal", "greater_than", "less_than"})


def _model_message(table: _Table, data: Mapping[str, Any]) -> tuple[str | None, str]:
    """Column and message for a model-level (cross-field) error of one row."""
    if table.name == "teams":
        return table.header("incumbent_locals"), (
            f"there are more local members ({data.get('incumbent_locals')}) than members"
            f" ({data.get('incumbents')}, column {table.header('incumbents')})"
        )
    if table.name == "departments":
        return table.header("min_send"), (
            f"the minimum {data.get('min_send')} is more than the maximum"
            f" {data.get('max_send')} in column {table.header('max_send')}"
        )
    if table.name == "groups":
        return table.header("min_members"), (
            f"the minimum {data.get('min_members')} is more than the maximum"
            f" {data.get('max_members')} in column {table.header('max_members')}"
        )
    return None, "is not valid"


def _build_models(table: _Table, log: _Log) -> None:
    """Validate every row with the pydantic model; keep (row, model) of the valid ones."""
    model = _MODELS[table.name]
    parsers = _PARSERS[table.name]
    required = set(_required(table.name))
    missing = required - table.headers.keys()
    columns = []
    for name, header in table.headers.items():
        parser = parsers[name]
        values, errors = _convert(table.cells[name], parser) if parser else ({}, {})
        columns.append((name, header, table.cells[name], parser is not None, values, errors))
    label = table.label
    bad_value = object()
    for index, row in enumerate(table.rows):
        data: dict[str, Any] = {}
        raw: dict[str, str] = {}
        reported = set(missing)
        for name, header, cells, parsed, values, errors in columns:
            text = cells[index]
            if not text:
                if name in required:
                    log.error(label, row, header, "is empty, but this column is required")
                    reported.add(name)
                continue
            raw[name] = text
            if not parsed:
                data[name] = text
                continue
            value = values.get(text, bad_value)
            if value is bad_value:
                log.error(label, row, header, errors[text])
                reported.add(name)
            elif value != ():  # a list of only separators: the default, like an empty cell
                data[name] = value
        # Validate even a row with a bad cell, to report its other problems too.
        try:
            instance = model(**data)
            if not reported - missing:
                table.models.append((row, instance))
        except ValidationError as exc:
            for error in exc.errors():
                location = error["loc"]
                if not location:
                    column, message = _model_message(table, data)
                    log.error(label, row, column, message)
                    continue
                name = str(location[0])
                if name in reported:
                    continue
                reported.add(name)
                text = raw.get(name, "")
                if error["type"] in _LIMIT_ERRORS:
                    message = _range_message(model, name, text, error.get("ctx", {}))
                else:
                    message = f'"{text}" is not valid: {error["msg"]}'
                log.error(label, row, table.header(name), message)


# ----------------------------------------------------------------------------------------
# Checks across rows and tables


def _check_unique(table: _Table, names: tuple[str, ...], what: str, log: _Log) -> None:
    """Report every repeat of a key (one column, or a pair of columns), naming both rows."""
    if any(name not in table.cells for name in names):
        return
    keys = pd.Series(list(zip(*(table.cells[name] for name in names), strict=True)))
    repeated = keys.duplicated(keep=False).to_numpy()
    first: dict[tuple[str, ...], int] = {}
    for position in repeated.nonzero()[0]:
        key = keys.iat[position]
        if not all(key):
            continue
        row = table.rows[position]
        if key in first:
            shown = " and ".join(f'"{part}"' for part in key)
            log.error(
                table.label,
                row,
                table.header(names[-1]),
                f"{what} {shown} is given twice: rows {first[key]} and {row}",
            )
        else:
            first[key] = row


def _check_reference(
    table: _Table,
    name: str,
    target: _Table,
    known: set[str],
    log: _Log,
) -> None:
    """Every non-empty ``name`` of ``table`` must be an id of ``target``."""
    for row, model in table.models:
        value = getattr(model, name)
        if value and value not in known:
            log.error(
                table.label,
                row,
                table.header(name),
                f'"{value}" is not an id in {target.label}',
            )


def _warn_references(
    table: _Table, name: str, known: set[str], what: str, target: str, effect: str, log: _Log
) -> None:
    """One warning per unknown value of ``name`` (a str or a tuple of str), with its rows."""
    unknown: dict[str, list[int]] = defaultdict(list)
    for row, model in table.models:
        value = getattr(model, name)
        for item in (value,) if isinstance(value, str) else value or ():
            if item not in known:
                unknown[item].append(row)
    for item, rows in unknown.items():
        log.warn(
            table.label,
            rows[0] if len(rows) == 1 else None,
            table.header(name),
            f'{what} "{item}" is not in {target} ({_rows_text(rows)}); {effect}',
        )


def _check_team_members(teams: _Table, candidates: _Table, log: _Log) -> None:
    """A team cannot have more members (or locals) posted away than it has at all."""
    members: dict[str, list[int]] = defaultdict(list)
    locals_: Counter[str] = Counter()
    region = {team.id: team.region for _, team in teams.models}
    for row, candidate in candidates.models:
        team_id = candidate.current_team
        if team_id in region:
            members[team_id].append(row)
            locals_[team_id] += candidate.home_region == region[team_id]
    for row, team in teams.models:
        rows = members.get(team.id, [])
        if len(rows) > team.incumbents:
            log.error(
                teams.label,
                row,
                teams.header("incumbents"),
                f'team "{team.id}" has {team.incumbents} members, but {len(rows)} cadres in'
                f" {candidates.label} name it as their current team ({_rows_text(rows)})",
            )
        if locals_[team.id] > team.incumbent_locals:
            log.error(
                teams.label,
                row,
                teams.header("incumbent_locals"),
                f'team "{team.id}" has {team.incumbent_locals} local members, but'
                f" {locals_[team.id]} cadres from {team.region} in {candidates.label}"
                " name it as their current team",
            )


def _check_groups(posts: _Table, groups: _Table | None, log: _Log) -> None:
    """Rule 7's references: every group a post names exists (error); every group is
    named by some post (warning: it has no posts, so no members)."""
    known = groups.ids() if groups else set()
    named: set[str] = set()
    for row, post in posts.models:
        named.update(post.groups)
        for group_id in dict.fromkeys(post.groups):
            if group_id not in known:
                where = groups.label if groups else "the instance (there is no groups table)"
                log.error(posts.label, row, posts.header("groups"),
                          f'group "{group_id}" is not an id in {where}')  # fmt: skip
    if groups is None:
        return
    for row, group in groups.models:
        if group.id not in named:
            message = f'group "{group.id}" is named by no post in {posts.label}; it stays empty'
            log.warn(groups.label, row, groups.header("id"), message)


def _check_exceptions(exceptions: _Table, candidates: _Table | None, log: _Log) -> None:
    """An exception names a known cadre, and each (cadre, rule) is given once."""
    if candidates is not None:
        _check_reference(exceptions, "candidate_id", candidates, candidates.ids(), log)
    first: dict[tuple[str, ExceptionRule], int] = {}
    for row, exception in exceptions.models:
        key = (exception.candidate_id, exception.rule)
        if key in first:
            log.error(
                exceptions.label,
                row,
                exceptions.header("rule"),
                f'the exception "{exception.rule.value}" for cadre "{exception.candidate_id}"'
                f" is given twice: rows {first[key]} and {row}",
            )
        else:
            first[key] = row


def _cross_checks(tables: dict[str, _Table], log: _Log) -> None:
    for name in ("candidates", "posts", "teams", "departments", "groups"):
        if name in tables:
            _check_unique(tables[name], ("id",), "id", log)
    candidates, posts = tables.get("candidates"), tables.get("posts")
    teams, departments = tables.get("teams"), tables.get("departments")
    affinities = tables.get("affinities")
    # Known ids come from the cells, so that a row with a bad value elsewhere
    # does not also make every reference to it "unknown".
    post_ids = posts.ids() if posts else set()
    team_ids = teams.ids() if teams else set()
    if posts and teams:
        _check_reference(posts, "team", teams, team_ids, log)
    if candidates and departments:
        _check_reference(candidates, "department", departments, departments.ids(), log)
    if candidates and teams:
        _warn_references(
            candidates,
            "current_team",
            team_ids,
            "team",
            teams.label,
            "that team is not tracked by the local-ratio rule",
            log,
        )
        _check_team_members(teams, candidates, log)
    for table, column in ((posts, "team"), (candidates, "current_team")):
        if table and not teams and any(getattr(model, column) for _, model in table.models):
            log.warn(
                table.label,
                None,
                table.header(column),
                "names teams, but there is no teams table; the local-ratio rule is not checked",
            )
    if candidates and posts:
        _warn_references(
            candidates,
            "preferences",
            post_ids,
            "post",
            posts.label,
            "it keeps its place in the list",
            log,
        )
    groups, exceptions = tables.get("groups"), tables.get("exceptions")
    if posts:
        _check_groups(posts, groups, log)
    if exceptions:
        _check_exceptions(exceptions, candidates, log)
    if affinities:
        _check_unique(affinities, ("candidate_id", "post_id"), "the pair", log)
        if candidates:
            _check_reference(affinities, "candidate_id", candidates, candidates.ids(), log)
        if posts:
            _check_reference(affinities, "post_id", posts, post_ids, log)


# ----------------------------------------------------------------------------------------
# Rules


_RULE_KEYS: dict[str, str] = {
    header_key(name): name for name in Rules.model_fields if name not in ("age_caps", "weights")
}
_WEIGHT_KEYS: dict[str, str] = {header_key(name): name for name in Weights.model_fields}


class _RuleError(ValueError):
    pass


def _rule_bool(value: object) -> bool:
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value_key(value) in BOOLEAN_ALIASES:
        return BOOLEAN_ALIASES[value_key(value)]
    raise _RuleError(f"{value!r} is not true or false")


def _rule_int(value: object) -> int:
    if isinstance(value, int) and not isinstance(value, bool):
        number = value
    elif isinstance(value, str) and _INT.fullmatch(value.strip()):
        number = int(value.strip().split(".")[0])
    else:
        raise _RuleError(f"{value!r} is not a whole number")
    if number < 0:
        raise _RuleError(f"{value!r} is negative")
    return number


def _rule_number(value: object) -> Fraction:
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        try:
            return Fraction(str(value))  # str() first: 0.1 is 1/10, not the binary float
        except (ValueError, OverflowError):
            raise _RuleError(f"{value!r} is not a finite number") from None
    if isinstance(value, str) and _RATIO.fullmatch(value.strip().lstrip("+-")):
        return _parse_ratio_any(value.strip())
    raise _RuleError(f"{value!r} is not a number (write e.g. 30, 2.5 or 1/3)")


def _parse_ratio_any(text: str) -> Fraction:
    try:
        number = Fraction(text.rstrip("%"))
    except ZeroDivisionError:
        raise _RuleError(f"{text!r} divides by zero") from None
    return number / 100 if text.endswith("%") else number


def _rule_ratio(value: object) -> Fraction:
    ratio = _rule_number(value)
    if not 0 <= ratio <= 1:
        raise _RuleError(f"{value!r} is not a ratio between 0 and 1")
    return ratio


def _rule_education(value: object) -> Education:
    if isinstance(value, str) and value_key(value) in EDUCATION_ALIASES:
        return Education(EDUCATION_ALIASES[value_key(value)])
    raise _RuleError(
        f"{value!r} is not a level of education; use one of {accepted(EDUCATION_ALIASES)}"
    )


_RULE_PARSERS: dict[str, Callable[[object], object]] = {
    "min_education": _rule_education,
    "local_ratio": _rule_ratio,
    "veto_disciplinary": _rule_bool,
    "require_willing": _rule_bool,
    "must_place_years": _rule_int,
}


def _rules_from(
    data: Mapping[str, Any], label: str, rows: Mapping[str, int], log: _Log
) -> Rules | None:
    """Convert a mapping of rule keys (from TOML or a key/value sheet) to ``Rules``."""
    values: dict[str, Any] = {}
    ok = True

    def fail(key: str, message: str) -> None:
        nonlocal ok
        ok = False
        log.error(label, rows.get(key), key, message)

    def table(key: str, value: object, lookup: Mapping[str, str], what: str) -> dict[str, Any]:
        if not isinstance(value, dict):
            fail(key, f"must be a table of {what} (e.g. {key}.{next(iter(lookup.values()))})")
            return {}
        converted: dict[str, Any] = {}
        for inner, item in value.items():
            name = lookup.get(header_key(str(inner)))
            if name is None:
                known = ", ".join(dict.fromkeys(lookup.values()))
                fail(f"{key}.{inner}", f"is not a known {what}; use one of {known}")
                continue
            try:
                converted[name] = (_rule_int if key == "age_caps" else _rule_number)(item)
            except _RuleError as exc:
                fail(f"{key}.{inner}", str(exc))
        return converted

    for key, value in data.items():
        normal = header_key(str(key))
        if normal == "agecaps":
            caps = table(str(key), value, AGE_CAP_RANK_ALIASES, "rank")
            values["age_caps"] = {**Rules().age_caps, **{Rank(r): cap for r, cap in caps.items()}}
        elif normal == "weights":
            values["weights"] = Weights(**table(str(key), value, _WEIGHT_KEYS, "weight"))
        elif normal in _RULE_KEYS:
            try:
                values[_RULE_KEYS[normal]] = _RULE_PARSERS[_RULE_KEYS[normal]](value)
            except _RuleError as exc:
                fail(str(key), str(exc))
        else:
            known = ", ".join([*_RULE_KEYS.values(), "age_caps", "weights"])
            fail(str(key), f"is not a known rule; use one of {known}")
    if not ok:
        return None
    try:
        return Rules(**values)
    except ValidationError as exc:  # cannot happen after the checks above; kept as a guard
        log.error(label, None, None, f"invalid rules: {exc}")
        return None


def _rules_toml(path: Path, log: _Log) -> Rules | None:
    try:
        text = path.read_bytes().decode("utf-8-sig")
        data = tomllib.loads(text)
    except OSError as exc:
        log.error(path.name, None, None, f"cannot be read ({exc.strerror or exc})")
        return None
    except UnicodeDecodeError:
        log.error(path.name, None, None, "is not UTF-8 text")
        return None
    except tomllib.TOMLDecodeError as exc:
        found = re.search(r"line (\d+)", str(exc))
        row = int(found.group(1)) if found else None
        log.error(path.name, row, None, f"is not valid TOML ({exc})")
        return None
    return _rules_from(data, path.name, {}, log)


def _rules_sheet(source: _Source, log: _Log) -> Rules | None:
    frame = _load_frame(source, log)
    if frame is None:
        return None
    frame, filled = _clean(frame)
    if frame.shape[1] < 2:
        log.error(source.label, None, None, "must have two columns: key and value")
        return None
    if not filled.any():
        return Rules()
    data: dict[str, Any] = {}
    rows: dict[str, int] = {}
    for index in range(int(filled.argmax()) + 1, len(frame)):
        key, value = frame.iat[index, 0], frame.iat[index, 1]
        if not key or not value:
            continue
        rows[key] = index + 1
        head, _, tail = key.partition(".")
        if tail:
            data.setdefault(head, {})
            if isinstance(data[head], dict):
                data[head][tail] = value
                rows.setdefault(head, index + 1)
        else:
            data[key] = value
    return _rules_from(data, source.label, rows, log)


# ----------------------------------------------------------------------------------------
# Entry points


def read_rules(path: str | Path) -> Rules:
    """Read a ``rules.toml`` on its own (e.g. a what-if variant); raise :class:`InputError`."""
    log = _Log()
    rules = _rules_toml(Path(path), log)
    if rules is None or log.errors:
        raise InputError(log.errors)
    return rules


def read_instance(path: str | Path) -> Instance:
    """Read and validate the instance in folder or ``.xlsx`` workbook ``path``.

    Raises
    ------
    InputError
        With every problem of every file, if anything is wrong. Warnings (soft
        problems) are in the returned instance's ``warnings`` instead.
    """
    path = Path(path)
    log = _Log()
    if path.is_dir():
        sources = _folder_sources(path, log)
        name = path.resolve().name
    elif path.is_file() and path.suffix.lower() in (".xlsx", ".xlsm"):
        sources = _workbook_sources(path, log)
        name = path.stem
    elif path.exists():
        log.error(path.name, None, None, "is not a folder of CSV files or an .xlsx workbook")
        raise InputError(log.errors)
    else:
        log.error(str(path), None, None, "does not exist")
        raise InputError(log.errors)

    tables: dict[str, _Table] = {}
    for table_name in TABLES:
        source = sources.tables.get(table_name)
        if source is None:
            if table_name in ("candidates", "posts") and path.is_dir():
                log.error(f"{table_name}.csv", None, None, f"is missing from {path}")
            elif table_name in ("candidates", "posts") and sources.readable:
                log.error(path.name, None, None, f"has no sheet {table_name}")
            continue
        frame = _load_frame(source, log)
        if frame is None:
            continue
        table = _raw_table(table_name, source, frame, log)
        if table is not None:
            _build_models(table, log)
            tables[table_name] = table
    _cross_checks(tables, log)

    rules = Rules()
    if sources.rules_toml is not None:
        rules = _rules_toml(sources.rules_toml, log) or rules
    elif sources.rules_frame is not None:
        rules = _rules_sheet(sources.rules_frame, log) or rules

    if log.errors:
        raise InputError(_in_file_order(log.errors))

    def models(table_name: str) -> tuple[Any, ...]:
        table = tables.get(table_name)
        return tuple(model for _, model in table.models) if table else ()

    instance = Instance(
        name=name,
        candidates=models("candidates"),
        posts=models("posts"),
        teams=models("teams"),
        departments=models("departments"),
        affinities=models("affinities"),
        groups=models("groups"),
        exceptions=models("exceptions"),
        rules=rules,
        warnings=tuple(str(warning) for warning in _in_file_order(log.warnings)),
    )
    _check_objective_limit(instance, tables, sources.rules_label or "rules", log)
    if log.errors:
        raise InputError(log.errors)
    return instance


def _check_objective_limit(
    instance: Instance, tables: dict[str, _Table], rules_label: str, log: _Log
) -> None:
    """Refuse numbers the solver cannot represent exactly (:mod:`matcher.io.limits`)."""
    excess = objective_excess(instance)
    if excess is None:
        return
    if excess.what == "weights":
        log.error(rules_label, None, "weights", excess.describe())
        return
    table = tables["affinities" if excess.what == "bonus" else "posts"]
    for row, model in table.models:
        key = (model.candidate_id, model.post_id) if excess.what == "bonus" else (model.id,)
        if key == excess.key:
            message = f'"{excess.value}" is too large: {excess.describe()}'
            log.error(table.label, row, table.header(excess.what), message)
            return


def read_rows(
    table_name: str, rows: list[dict[str, str]], label: str
) -> tuple[list[tuple[int, Any]], list[InputIssue], list[InputIssue]]:
    """Validate rows given as text cells (e.g. from a changes file) like rows of a CSV table.

    The same headers, aliases, cell parsers, models and repeated-id check as
    :func:`read_instance`, so a row added later is held to the same rules as one
    read from the file. Issues number the rows like a CSV: ``rows[i]`` is row
    ``i + 2``. Returns the valid (row, model) pairs, the errors and the warnings.
    """
    log = _Log()
    headers = list(dict.fromkeys(key for row in rows for key in row))
    frame = pd.DataFrame([headers] + [[row.get(key, "") for key in headers] for row in rows])
    table = _raw_table(table_name, _Source(label, _constant(frame)), frame, log)
    if table is None:
        return [], log.errors, log.warnings
    _build_models(table, log)
    _check_unique(table, ("id",), "id", log)
    return table.models, log.errors, log.warnings
