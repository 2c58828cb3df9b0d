"""Decoding the planner's CSV files as they come from Excel or WPS on Chinese Windows.

Format v1 asks for UTF-8, but "Save as CSV" on a Chinese Windows writes GBK
(code page 936) and "Unicode text" writes UTF-16 with a byte-order mark. The
reader takes them as they are, in this order:

1. UTF-8, with or without a BOM (the format's own encoding; plain ASCII is
   UTF-8 too);
2. UTF-16 when the file starts with a UTF-16 BOM (``FF FE`` or ``FE FF``);
3. GB18030, the superset of GBK and GB2312 that Windows' code page 936 files
   decode under.

Anything but UTF-8 is reported in one warning naming the encoding assumed,
so a planner who sees garbled names knows where they came from. A file that
decodes under none of them raises :class:`UnicodeDecodeError` (the reader
refuses it, naming the file).
"""

from __future__ import annotations

import codecs
import re
import unicodedata

__all__ = ["CELL_EDGES", "assumed_message", "decode_text", "readable"]

_UTF16_BOMS = (codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)


def decode_text(data: bytes) -> tuple[str, str | None]:
    """The text of ``data`` and, when it was not UTF-8, the encoding assumed.

    Raises ``UnicodeDecodeError`` when no encoding of the list fits.
    """
    try:
        return data.decode("utf-8-sig"), None
    except UnicodeDecodeError as error:
        utf8_error = error
    if data.startswith(_UTF16_BOMS):
        try:
            return data.decode("utf-16"), "UTF-16"  # the BOM gives the byte order
        except UnicodeDecodeError:
            pass
    try:
        return data.decode("gb18030"), "GB18030 (GBK)"
    except UnicodeDecodeError:
        raise utf8_error from None


def assumed_message(encoding: str) -> str:
    """The warning for a file read in ``encoding`` instead of UTF-8."""
    return f"is not UTF-8; read as {encoding}. If names look garbled, save it as 'CSV UTF-8'"


# Characters a cell may carry at its edges that no planner typed or can see: every
# whitespace (str.isspace: the ideographic space U+3000, NBSP ...) and the zero-width
# ones a copy from a web page or a BOM left mid-file brings (U+200B-U+200D, U+2060,
# U+FEFF). ``str.strip()`` alone keeps the latter, so an id "P1" + U+200B read as a
# different id from "P1" and every message about it showed two equal-looking ids.
CELL_EDGES = "".join(ch for ch in map(chr, range(0x3001)) if ch.isspace()) + (
    "\u200b\u200c\u200d\u2060\ufeff"
)

_SHOWN_QUOTED = 60
"""Longest quoted cell text shown whole in a message; longer ones are cut (:func:`readable`)."""


def _visible(ch: str) -> str:
    # A character a terminal shows as nothing, or that moves the cursor or flips the
    # direction of the text (NUL, BOM, zero-width space, U+202E), is named instead; so
    # are a tab (it looks like spaces) and a line break in a cell (Alt+Enter), which cut
    # a one-line issue in two, the second half naming no file.
    if unicodedata.category(ch) not in ("Cc", "Cf", "Cs", "Co", "Cn", "Zl", "Zp"):
        return ch
    return f"<U+{ord(ch):04X}>"


def _cut(match: re.Match[str]) -> str:
    text = match.group(1)
    return f'"{text[:40]}…" ({len(text)} characters)'


def readable(text: str) -> str:
    """``text`` (a message, a file label or a header) as a terminal can show it.

    Invisible characters become ``<U+XXXX>``; a quoted cell longer than 60
    characters is cut to its first 40 and its length (a 200,000-character cell
    made a 200,000-character message). Anything still longer than 500 characters
    is cut there.
    """
    shown = "".join(map(_visible, text))
    shown = re.sub(f'"([^"]{{{_SHOWN_QUOTED + 1},}})"', _cut, shown)
    return shown if len(shown) <= 500 else f"{shown[:480]}… ({len(shown)} characters)"
