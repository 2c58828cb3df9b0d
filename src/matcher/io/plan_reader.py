"""A plan's assignments read back: ``assignments.csv`` in either language's headers."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from matcher.io.labels import HEADERS_ZH
from matcher.io.reader import InputError, InputIssue


def read_plan(plan_dir: Path) -> list[tuple[str, str]]:
    """The (candidate_id, post_id) pairs of ``plan_dir/assignments.csv``."""
    path = plan_dir / "assignments.csv" if plan_dir.is_dir() else plan_dir
    name = path.name
    try:
        frame = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8-sig")
    except FileNotFoundError as error:
        raise InputError([InputIssue(str(path), None, None, "does not exist")]) from error
    except (OSError, ValueError, pd.errors.ParserError) as error:
        raise InputError([InputIssue(name, None, None, f"cannot be read: {error}")]) from error
    frame = frame.rename(columns={zh: en for en, zh in HEADERS_ZH.items()})
    issues = [
        InputIssue(name, 1, column, "required column is missing")
        for column in ("candidate_id", "post_id")
        if column not in frame.columns
    ]
    if issues:
        raise InputError(issues)
    for row, (cand, post) in enumerate(
        zip(frame["candidate_id"], frame["post_id"], strict=False), start=2
    ):
        for column, value in (("candidate_id", cand), ("post_id", post)):
            if not value.strip():
                issues.append(InputIssue(name, row, column, "is empty"))
    if issues:
        raise InputError(issues)
    return [
        (c.strip(), p.strip())
        for c, p in zip(frame["candidate_id"], frame["post_id"], strict=False)
    ]
