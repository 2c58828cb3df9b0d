"""Text cells that a spreadsheet shows as text, never runs (formula injection, OWASP).

Excel and WPS run a cell whose text starts with ``=``, ``+``, ``-`` or ``@``
(and, through DDE, one starting with a tab or a carriage return). A cadre's
name, a post's name or an id comes from the planner's files and goes back
into the files the tool writes, so a name like ``=HYPERLINK(...)`` would
become a live formula on the next open. Every writer of the tool escapes its
text cells with :func:`safe_text` (CSV) or types them as strings
(:func:`text_cells_as_strings`, xlsx); the reader undoes the CSV escape with
:func:`unescape_text`, so a file written by the tool reads back as the
original text.

Only *text* is escaped, decided by the value's type: a number (a fit of -3, a
bonus of -5) stays a number, and so does a numeric column of a table.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Final

import pandas as pd

__all__ = [
    "FORMULA_PREFIXES",
    "safe_frame",
    "safe_text",
    "text_cells_as_strings",
    "unescape_frame",
    "unescape_text",
    "write_csv",
]

FORMULA_PREFIXES: Final = ("=", "+", "-", "@", "\t", "\r")
"""First characters that make a spreadsheet treat a cell as a formula."""

ESCAPE: Final = "'"
"""Excel's own "this is text" mark; Excel and WPS hide it, other readers show it."""


def safe_text(value: Any) -> Any:
    """``value`` with a leading ``'`` if it is text a spreadsheet would run; else unchanged."""
    if isinstance(value, str) and value.startswith(FORMULA_PREFIXES):
        return ESCAPE + value
    return value


def unescape_text(text: str) -> str:
    """Undo :func:`safe_text`: ``'=x`` is ``=x``; any other text (``'abc``) is kept as it is."""
    if text.startswith(ESCAPE) and text[1:2] and text[1:].startswith(FORMULA_PREFIXES):
        return text[1:]
    return text


def safe_frame(frame: pd.DataFrame) -> pd.DataFrame:
    """A copy with every text cell and header escaped; numeric columns are left untouched."""
    escaped = frame.copy()
    for column in escaped.columns:
        if not pd.api.types.is_numeric_dtype(escaped[column]):  # text, or mixed
            escaped[column] = escaped[column].map(safe_text)
    escaped.columns = [safe_text(column) for column in escaped.columns]
    return escaped


def write_csv(frame: pd.DataFrame, path: Path, encoding: str = "utf-8-sig") -> None:
    """Write ``frame`` as CSV with its text escaped (:func:`safe_frame`), without the index.

    Lines end in ``\n`` as always, except in a table holding a text with a
    carriage return: Python's CSV writer quotes only the characters of the line
    ending, so such a table ends its lines in ``\r\n`` and the cell is quoted,
    not split into two rows.
    """
    escaped = safe_frame(frame)
    text = [escaped[c] for c in escaped.columns if not pd.api.types.is_numeric_dtype(escaped[c])]
    has_cr = any(isinstance(v, str) and "\r" in v for column in text for v in column)
    has_cr = has_cr or any("\r" in str(column) for column in escaped.columns)
    escaped.to_csv(path, index=False, encoding=encoding, lineterminator="\r\n" if has_cr else "\n")


def unescape_frame(frame: pd.DataFrame) -> pd.DataFrame:
    """Undo :func:`safe_frame` on a table read as text (every cell a ``str``).

    Only the cells that start with the escape are looked at (a column-wide test):
    cell by cell it took 1.6 s of 7.7 on a 640,000-row affinities table.
    """
    unescaped = frame.copy()
    for column in unescaped.columns:
        cells = unescaped[column]
        if pd.api.types.is_numeric_dtype(cells):
            continue
        escaped = cells.map(type).eq(str) & cells.astype(str).str.startswith(ESCAPE)
        if escaped.any():
            unescaped.loc[escaped, column] = cells[escaped].map(unescape_text)
    unescaped.columns = [
        unescape_text(column) if isinstance(column, str) else column for column in unescaped.columns
    ]
    return unescaped


def text_cells_as_strings(sheet: Any) -> None:
    """Type every text cell of an openpyxl worksheet as a string, so none runs as a formula.

    openpyxl stores a value starting with ``=`` as a formula (``t`` absent, an
    ``<f>`` element); typed ``s`` it is a plain shared string shown as written.
    Numbers keep their type.
    """
    for row in sheet.iter_rows():
        for cell in row:
            if isinstance(cell.value, str):
                cell.data_type = "s"
