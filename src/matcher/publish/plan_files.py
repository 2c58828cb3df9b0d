"""Output v1: ``assignments.csv``, ``unassigned.csv``, ``summary.json`` (and ``plan.xlsx``).

A plan is written all or nothing (:mod:`matcher.io.atomic`): every file goes to
a temporary name in the target folder first and is renamed into place only when
all are complete, with ``summary.json`` last. A crash or Ctrl-C leaves the
previous plan (or nothing), never half of a new one, and other files in the
folder are never touched. Text a spreadsheet would run as a formula is escaped
(:mod:`matcher.io.cells`): a leading ``'`` in CSV, a string cell in ``plan.xlsx``.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pandas as pd

from matcher.analysis.alternates import Alternate
from matcher.check.checker import CheckReport
from matcher.instance import Instance
from matcher.io.atomic import write_all_atomically
from matcher.io.cells import text_cells_as_strings, write_csv
from matcher.io.labels import HEADERS_ZH, VALUES_ZH
from matcher.prepare.fit import FIT_TERMS as FIT_COLUMNS
from matcher.solve.pipeline import Prepared


def exact_number(value: Any) -> int | float:
    """An exact fraction as an int when whole, else a float (for CSV and JSON)."""
    return int(value) if value.denominator == 1 else float(value)


def assignments_table(
    instance: Instance, plan: list[tuple[str, str]], report: CheckReport
) -> pd.DataFrame:
    """One row per assignment with names, kind, region and the fit term by term.

    With documented exceptions in the instance (format v1.1) a last column,
    ``exceptions``, names the rules each assignment relies on an exception for
    (``;``-separated, empty otherwise); without any the table is that of v1.
    """
    with_exceptions = bool(instance.exceptions)
    cands = {c.id: c for c in instance.candidates}
    posts = {p.id: p for p in instance.posts}
    rows = []
    for cand_id, post_id in sorted(plan, key=lambda pair: (pair[1], pair[0])):
        cand, post = cands[cand_id], posts[post_id]
        terms = report.fit_by_assignment[(cand_id, post_id)]
        rows.append(
            {
                "candidate_id": cand_id,
                "candidate_name": cand.name,
                "department": cand.department,
                "post_id": post_id,
                "post_name": post.name,
                "kind": post.kind.value,
                "unit": post.unit,
                "region": post.region,
                "team": post.team or "",
                "priority": post.priority,
                "fit": exact_number(terms.total),
                **{f"fit_{name}": exact_number(getattr(terms, name)) for name in FIT_COLUMNS},
            }
        )
        if with_exceptions:
            relied = report.exceptions_by_assignment.get((cand_id, post_id), ())
            rows[-1]["exceptions"] = ";".join(relied)
    columns = [
        "candidate_id", "candidate_name", "department", "post_id", "post_name", "kind", "unit",
        "region", "team", "priority", "fit", *(f"fit_{name}" for name in FIT_COLUMNS),
    ]  # fmt: skip
    if with_exceptions:
        columns.append("exceptions")
    return pd.DataFrame(rows, columns=columns)


def unassigned_table(
    instance: Instance,
    plan: list[tuple[str, str]],
    eligible_posts: dict[str, int],
    eligible_cadres: dict[str, int],
) -> pd.DataFrame:
    """Cadres not placed and seats left empty, with how many eligible partners each had."""
    placed = {cand_id for cand_id, _ in plan}
    filled = Counter(post_id for _, post_id in plan)
    rows = []
    for cand in instance.candidates:
        if cand.id not in placed:
            rows.append(
                {
                    "type": "cadre",
                    "id": cand.id,
                    "name": cand.name,
                    "unit": cand.department,
                    "empty_seats": "",
                    "eligible": eligible_posts.get(cand.id, 0),
                }
            )
    for post in instance.posts:
        empty = post.seats - filled[post.id]
        if empty > 0:
            rows.append(
                {
                    "type": "seat",
                    "id": post.id,
                    "name": post.name,
                    "unit": post.unit,
                    "empty_seats": empty,
                    "eligible": eligible_cadres.get(post.id, 0),
                }
            )
    return pd.DataFrame(rows, columns=["type", "id", "name", "unit", "empty_seats", "eligible"])


def alternates_table(instance: Instance, alternates: list[Alternate]) -> pd.DataFrame:
    """The shortlist: for each filled seat, the next cadres who could take it, cheapest first."""
    cands = {c.id: c for c in instance.candidates}
    posts = {p.id: p for p in instance.posts}
    rows = [
        {
            "post_id": alt.post_id,
            "post_name": posts[alt.post_id].name,
            "candidate_id": alt.holder_id,
            "candidate_name": cands[alt.holder_id].name,
            "rank": alt.rank,
            "alternate_id": alt.alternate_id,
            "alternate_name": cands[alt.alternate_id].name,
            "alternate_fit": exact_number(alt.alternate_fit),
            "fit_cost": exact_number(alt.fit_cost),
        }
        for alt in alternates
    ]
    columns = ["post_id", "post_name", "candidate_id", "candidate_name", "rank", "alternate_id",
               "alternate_name", "alternate_fit", "fit_cost"]  # fmt: skip
    return pd.DataFrame(rows, columns=columns)


def eligible_counts(prepared: Prepared) -> tuple[dict[str, int], dict[str, int]]:
    """Eligible posts per cadre and eligible cadres per post, by id (for ``unassigned``)."""
    instance, space = prepared.enc.instance, prepared.space
    # degrees count every eligible pair, also where the space lists only some
    posts = zip((c.id for c in instance.candidates), space.cand_degree.tolist(), strict=True)
    cadres = zip((p.id for p in instance.posts), space.post_degree.tolist(), strict=True)
    return {id: n for id, n in posts if n}, {id: n for id, n in cadres if n}


def plan_tables(
    instance: Instance,
    plan: list[tuple[str, str]],
    report: CheckReport,
    eligible_posts: dict[str, int],
    eligible_cadres: dict[str, int],
    alternates: list[Alternate],
    lang: str,
) -> dict[str, pd.DataFrame]:
    """The three tables of every written plan (solve, re-plan, each scenario), in ``lang``.

    One function for every command, so their files cannot drift apart.

    Parameters
    ----------
    instance
        The instance the plan is for.
    plan
        (cadre id, post id) pairs.
    report
        The checker's report on the plan: its fit terms fill the assignments table.
    eligible_posts, eligible_cadres
        Eligible posts per cadre id and eligible cadres per post id (``eligible_counts``),
        shown for whoever is left unassigned.
    alternates
        The shortlist per assignment.
    lang
        ``"zh"`` for Chinese headers and values (``io.labels``), else English.

    Returns
    -------
    dict of str to DataFrame
        ``assignments``, ``unassigned`` and ``alternates``, ready for ``write_plan``.
    """
    tables = {
        "assignments": assignments_table(instance, plan, report),
        "unassigned": unassigned_table(instance, plan, eligible_posts, eligible_cadres),
        "alternates": alternates_table(instance, alternates),
    }
    if lang == "zh":
        tables = {name: in_chinese(frame) for name, frame in tables.items()}
    return tables


def in_chinese(frame: pd.DataFrame) -> pd.DataFrame:
    """The same table with Chinese headers and kind/type values."""
    translated = frame.copy()
    for column in ("kind", "type"):
        if column in translated:
            translated[column] = translated[column].map(lambda v: VALUES_ZH.get(v, v))
    return translated.rename(columns=HEADERS_ZH)


def write_plan(
    out_dir: Path,
    tables: dict[str, pd.DataFrame],
    summary: dict[str, Any],
    *,
    xlsx: bool = False,
) -> list[Path]:
    """Write the plan's files into ``out_dir`` atomically; returns the paths written.

    Atomically, so an interrupted run never leaves a half-written plan beside an old one.

    Parameters
    ----------
    out_dir
        The folder, created if missing.
    tables
        From ``plan_tables``: each becomes ``<name>.csv`` (UTF-8 with a BOM, for Excel).
    summary
        ``summary.json``'s content (``publish.summary.plan_summary``).
    xlsx
        Also write the tables and summary as one ``plan.xlsx`` workbook.

    Returns
    -------
    list of Path
        The files written.
    """
    out_dir.mkdir(parents=True, exist_ok=True)

    def csv_writer(frame: pd.DataFrame) -> Callable[[Path], None]:
        def write(path: Path) -> None:
            # BOM: Excel reads UTF-8; text a spreadsheet would run is escaped
            write_csv(frame, path)

        return write

    def write_summary(path: Path) -> None:
        path.write_text(json.dumps(summary, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")

    def write_workbook(path: Path) -> None:
        _write_workbook(path, tables, summary)

    writers = [(f"{name}.csv", csv_writer(frame)) for name, frame in tables.items()]
    if xlsx:
        writers.append(("plan.xlsx", write_workbook))
    writers.append(("summary.json", write_summary))  # last: a complete summary marks a plan
    staged = [(out_dir / name, write) for name, write in writers]
    write_all_atomically(staged)
    return [path for path, _ in staged]


def _write_workbook(path: Path, tables: dict[str, pd.DataFrame], summary: dict[str, Any]) -> None:
    flat = {key: json.dumps(value, ensure_ascii=False) if isinstance(value, dict | list) else value
            for key, value in summary.items()}  # fmt: skip
    with pd.ExcelWriter(path, engine="openpyxl") as book:
        for name, frame in tables.items():
            frame.to_excel(book, sheet_name=name, index=False)
        pd.DataFrame({"key": list(flat), "value": list(flat.values())}).to_excel(
            book, sheet_name="summary", index=False
        )
        for sheet in book.sheets.values():
            text_cells_as_strings(sheet)  # a name like "=1+1" is shown, never run
