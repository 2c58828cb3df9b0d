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

__all__ = ["decode_text"]

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
