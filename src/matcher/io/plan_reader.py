"""A plan's assignments read back, as written by the tool or edited by hand.

``matcher check``, ``explain``, ``report`` and ``replan`` take a plan as any of:

* a plan folder: its ``assignments.csv``, or its ``plan.xlsx`` when there is no CSV;
* ``plan.xlsx`` (or any workbook): its ``assignments`` sheet, or its only sheet;
* a lone ``assignments.csv`` (any name), in UTF-8, UTF-16 or GBK (:mod:`matcher.io.text`).

Headers may be English or Chinese (``--lang zh`` output, :data:`HEADERS_ZH`,
and the aliases of the affinities table: ``干部编号``, ``岗位编号``); only
``candidate_id`` and ``post_id`` are read, every other column may be edited,
added or dropped. The header is the first non-empty row; rows left blank
(a row cleared by hand) are skipped; rows are numbered as in Excel. Cells the
tool escaped against formula injection (``'=...``) read back as the original
text (:mod:`matcher.io.cells`).
"""

from __future__ import annotations

import csv
import io
from pathlib import Path
from typing import Final

import pandas as pd

from matcher.io.aliases import COLUMN_ALIASES, header_key
from matcher.io.cells import unescape_frame
from matcher.io.labels import HEADERS_ZH
from matcher.io.reader import InputError, InputIssue
from matcher.io.text import CELL_EDGES, decode_text

__all__ = ["read_plan"]

ASSIGNMENTS_CSV: Final = "assignments.csv"
PLAN_XLSX: Final = "plan.xlsx"
_SHEETS: Final = frozenset(header_key(name) for name in ("assignments", "assignment", "安排"))
_COLUMNS: Final = ("candidate_id", "post_id")
_WORKBOOK_SUFFIXES: Final = (".xlsx", ".xlsm")


def _header_lookup() -> dict[str, str]:
    lookup = {header_key(column): column for column in _COLUMNS}
    lookup.update({header_key(HEADERS_ZH[column]): column for column in _COLUMNS})
    for key, field in COLUMN_ALIASES["affinities"].items():
        if field in _COLUMNS:
            lookup.setdefault(key, field)
    return lookup


_HEADERS: Final = _header_lookup()


def _fail(file: str, message: str, row: int | None = None, column: str | None = None) -> None:
    raise InputError([InputIssue(file, row, column, message)])


def _csv_frame(path: Path) -> pd.DataFrame:
    try:
        text, _ = decode_text(path.read_bytes())
    except UnicodeDecodeError:
        _fail(path.name, "is neither UTF-8, UTF-16 nor GBK text")
    first = text.split("\n", 1)[0]
    sep = "\t" if "\t" in first and "," not in first else ","
    try:  # the csv module, not pandas: blank lines above the header are fine
        rows = list(csv.reader(io.StringIO(text, newline=""), delimiter=sep))
    except csv.Error as error:
        _fail(path.name, f"cannot be read as CSV ({error})")
    width = max((len(row) for row in rows), default=0)
    return pd.DataFrame([row + [""] * (width - len(row)) for row in rows], dtype=object)


def _workbook_frame(path: Path) -> tuple[str, pd.DataFrame]:
    try:
        sheets: dict[str, pd.DataFrame] = pd.read_excel(
            path, sheet_name=None, header=None, dtype=str, na_filter=False
        )
    except Exception as error:  # openpyxl raises many types for a damaged file
        _fail(path.name, f"cannot be read as an .xlsx workbook ({error})")
    named = [name for name in sheets if header_key(str(name)) in _SHEETS]
    if not named and len(sheets) == 1:
        named = list(sheets)
    if not named:
        _fail(path.name, f"has no sheet assignments (sheets: {', '.join(map(str, sheets))})")
    return f"{path.name}, sheet {named[0]}", sheets[named[0]]


def _source(path: Path) -> tuple[str, pd.DataFrame]:
    """The label for messages and the raw cells of the plan at ``path``."""
    if path.is_dir():
        if (path / ASSIGNMENTS_CSV).is_file():
            path = path / ASSIGNMENTS_CSV
        elif (path / PLAN_XLSX).is_file():
            path = path / PLAN_XLSX
        else:
            _fail(str(path), f"holds neither {ASSIGNMENTS_CSV} nor {PLAN_XLSX}")
    elif not path.exists():
        _fail(str(path), "does not exist")
    try:
        if path.suffix.lower() in _WORKBOOK_SUFFIXES:
            return _workbook_frame(path)
        return path.name, _csv_frame(path)
    except OSError as error:
        _fail(path.name, f"cannot be read ({error.strerror or error})")
    raise AssertionError  # unreachable: _fail raises


def read_plan(plan: Path) -> list[tuple[str, str]]:
    """The (candidate_id, post_id) pairs of a plan folder, workbook or assignments file.

    Raises :class:`InputError` naming the file, row and column of every problem.
    """
    label, frame = _source(Path(plan))
    frame = unescape_frame(frame.fillna("").astype(str))
    frame = frame.apply(lambda column: column.str.strip(CELL_EDGES))
    filled = frame.ne("").any(axis=1).to_numpy(dtype=bool)
    if not filled.any():
        _fail(label, "is empty: it has no header row")
    top = int(filled.argmax())
    positions: dict[str, int] = {}
    for position, text in enumerate(frame.iloc[top].tolist()):
        column = _HEADERS.get(header_key(text))
        if column is not None:
            positions.setdefault(column, position)
    missing = [
        InputIssue(label, top + 1, column, f"required column is missing (or {HEADERS_ZH[column]})")
        for column in _COLUMNS
        if column not in positions
    ]
    if missing:
        raise InputError(missing)
    headers = frame.iloc[top].tolist()
    pairs: list[tuple[str, str]] = []
    issues: list[InputIssue] = []
    for index in range(top + 1, len(frame)):
        if not filled[index]:
            continue
        cells = [frame.iat[index, positions[column]] for column in _COLUMNS]
        for column, value in zip(_COLUMNS, cells, strict=True):
            if not value:
                issues.append(InputIssue(label, index + 1, headers[positions[column]], "is empty"))
        if all(cells):
            pairs.append((cells[0], cells[1]))
    if issues:
        raise InputError(issues)
    return pairs
