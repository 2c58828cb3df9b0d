"""The planner's CSV files as Excel and WPS save them on Chinese Windows (issue 17, part 2).

GBK (code page 936) and UTF-16 with a BOM are read, with one warning naming
the encoding assumed; the city instance solves to the same plan from either.
"""

from __future__ import annotations

import codecs
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from matcher.cli.commands import main
from matcher.io.reader import InputError, read_instance
from matcher.io.text import decode_text

CITY = Path(__file__).parent.parent / "instances" / "city"


def test_decode_order() -> None:
    assert decode_text("干部".encode()) == ("干部", None)
    assert decode_text(codecs.BOM_UTF8 + "干部".encode()) == ("干部", None)
    assert decode_text("干部".encode("utf-16")) == ("干部", "UTF-16")
    assert decode_text(codecs.BOM_UTF16_BE + "干部".encode("utf-16-be")) == ("干部", "UTF-16")
    assert decode_text("干部".encode("gbk")) == ("干部", "GB18030 (GBK)")
    with pytest.raises(UnicodeDecodeError):
        decode_text(b"id\n\xff\xff\n")


def _city_with_candidates(tmp_path: Path, encoding: str, tabs: bool = False) -> Path:
    folder = tmp_path / "city"
    shutil.copytree(CITY, folder)
    text = (CITY / "candidates.csv").read_text(encoding="utf-8-sig")
    assert not text.isascii()  # Chinese names: the encoding matters
    if tabs:
        assert "\t" not in text and '"' not in text
        text = text.replace(",", "\t")
    (folder / "candidates.csv").write_bytes(text.encode(encoding))
    return folder


def _solve(instance: Path, out: Path) -> tuple[bytes, str]:
    result = CliRunner().invoke(main, ["solve", str(instance), "--out", str(out)])
    assert result.exit_code == 0, result.output
    return (out / "assignments.csv").read_bytes(), result.stderr


@pytest.mark.parametrize(
    ("encoding", "tabs", "assumed"),
    [("gbk", False, "GB18030 (GBK)"), ("utf-16", False, "UTF-16"), ("utf-16", True, "UTF-16")],
)
def test_city_in_gbk_or_utf16_solves_to_the_same_plan(
    tmp_path: Path, encoding: str, tabs: bool, assumed: str
) -> None:
    instance = read_instance(_city_with_candidates(tmp_path, encoding, tabs))
    assert instance == read_instance(CITY).model_copy(
        update={"name": "city", "warnings": instance.warnings}
    )
    warnings = [w for w in instance.warnings if "candidates.csv" in w]
    assert warnings == [f"candidates.csv: is not UTF-8; read as {assumed}. If names look"
                        " garbled, save it as 'CSV UTF-8'"]  # fmt: skip
    expected, _ = _solve(CITY, tmp_path / "utf8")
    got, stderr = _solve(tmp_path / "city", tmp_path / "other")
    assert got == expected
    assert stderr.count(f"read as {assumed}") == 1


def test_file_in_no_known_encoding_is_refused_with_exit_2(tmp_path: Path) -> None:
    folder = tmp_path / "city"
    shutil.copytree(CITY, folder)
    (folder / "posts.csv").write_bytes(b"id,kind\nP\xff\xff,grassroots\n")
    with pytest.raises(InputError) as caught:
        read_instance(folder)
    assert [(i.file, i.message[:30]) for i in caught.value.issues] == [
        ("posts.csv", "is neither UTF-8, UTF-16 nor G")
    ]
    result = CliRunner().invoke(main, ["solve", str(folder), "--out", str(tmp_path / "plan")])
    assert result.exit_code == 2
    assert "posts.csv: is neither UTF-8" in result.stderr
    assert not (tmp_path / "plan").exists()
