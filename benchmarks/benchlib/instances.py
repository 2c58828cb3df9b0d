"""Which instances a run covers: named tiers and explicit sizes, generated per seed."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from matcher.synthetic.generate import DEFAULT_RULES_TOML, TIERS, generate_tables, write_instance


@dataclass(frozen=True)
class Size:
    """A row group of the results: a tier name (or ``CxP`` for an explicit size) and its size."""

    label: str
    candidates: int
    posts: int

    @property
    def text(self) -> str:
        return f"{self.candidates}x{self.posts}"


def tiers(names: str) -> list[Size]:
    """``city,province`` → sizes from ``matcher.synthetic.generate.TIERS`` (never disagreeing)."""
    sizes = []
    for name in filter(None, (part.strip() for part in names.split(","))):
        if name not in TIERS:
            raise ValueError(f"unknown tier {name!r}; known: {', '.join(sorted(TIERS))}")
        sizes.append(Size(name, *TIERS[name]))
    return sizes


def explicit(text: str) -> Size:
    """``2000x600`` → 2,000 candidates and 600 posts, labelled by the size itself."""
    match = re.fullmatch(r"(\d+)x(\d+)", text.strip())
    if not match:
        raise ValueError(f"size must look like 2000x600, not {text!r}")
    return Size(text.strip(), int(match[1]), int(match[2]))


def generate(size: Size, seed: int, folder: Path) -> Path:
    """Write the seeded instance with the default rules, exactly as ``matcher generate`` does."""
    write_instance(generate_tables(size.candidates, size.posts, seed), folder, DEFAULT_RULES_TOML)
    return folder
