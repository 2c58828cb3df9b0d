"""An instance's tables written as the CSV files of format v1."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from matcher.io.cells import write_csv


def write_instance(
    tables: dict[str, pd.DataFrame], folder: Path, rules_toml: str | None = None
) -> None:
    """Write the tables as UTF-8 CSV files (and ``rules.toml`` if given) into ``folder``.

    Text a spreadsheet would run as a formula is written with a leading ``'``
    (:mod:`matcher.io.cells`), which the reader takes off again.
    """
    folder.mkdir(parents=True, exist_ok=True)
    for name, frame in tables.items():
        write_csv(frame, folder / f"{name}.csv", encoding="utf-8")
    if rules_toml is not None:
        (folder / "rules.toml").write_text(rules_toml, encoding="utf-8")
