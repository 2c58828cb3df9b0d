"""Convert J. E. Beasley's OR-Library assignment instances to format v1, with known optima.

    python benchmarks/orlib.py OUT_DIR [--only assign100,assignp800] [--source DIR]

The files are read where they lie (``../shared/external/orlib-assign`` from the
repository root by default) and never copied into the repository.

* ``assignN.txt`` (dense): ``n``, then ``n × n`` costs row by row: the cost of
  cadre ``i`` in post ``j``.
* ``assignpN.txt`` (sparse): ``n``, then ``i j cost`` triples (1-based); unlisted
  pairs are not allowed.
* ``assignopt.txt``: the published minimum cost of each (its ``real1..3`` lines
  are not OR-Library's and are ignored).

Each file becomes a folder with ``n`` cadres and ``n`` posts of one seat, every
fit weight 0 except ``affinity = 1``, and attributes that make every pair
eligible (one department absent from the posts' units, nobody vetoed, age 30 as
a general cadre, a bachelor's degree, posts open to every rank, no teams,
quotas or must-place). Coverage is then ``n`` and the maximised fit is:

* dense: ``bonus = −cost`` on every pair, so the best fit is ``−optimum``;
* sparse: ``bonus = 100·n + 1 − cost`` on listed pairs, so the best fit is
  ``n·(100·n + 1) − optimum``.

How the sparse files' unlisted pairs are kept out: format v1 has no attribute
that can exclude an arbitrary set of pairs (own-unit excludes one unit per
cadre; birthplace avoidance would need the excluded posts listed per cadre,
as many cells as ``forbid`` rows). Two encodings, both with the same optimum:

* ``forbid``: one ``forbid`` row per unlisted pair. Measured: assignp800 has
  125,000 listed pairs and 515,000 forbidden ones (a 12 MB affinities.csv);
  assignp5000 would need 24.9 million rows (~600 MB), not a reasonable input.
* ``open``: unlisted pairs stay eligible with bonus 0. The big constant makes
  them useless: costs are at most 100, so a plan of listed pairs has fit at
  least ``n·(100n + 1) − 100n`` while any plan using an unlisted pair has fit
  at most ``(n − 1)·(100n + 1)``, which is smaller. The file holds only the
  listed pairs, but the solver faces all ``n²`` pairs.

Measured on assignp800 (``matcher solve``, 60 s limit, 2-core machine): both
reach the published optimum and prove it; ``forbid`` took 5.3 s wall and 645 MB
peak (reading 515,000 forbid rows dominates), ``open`` 1.7 s and 387 MB. So
``open`` is the default, and ``--sparse forbid`` stays for cross-checking that
the two encodings agree.
"""

from __future__ import annotations

import argparse
import csv
import re
import sys
from collections.abc import Iterator
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parent.parent
DEFAULT_SOURCE = REPO.parent / "shared" / "external" / "orlib-assign"
MAX_COST = 100
"""OR-Library's costs lie in 1..100; the sparse bonus relies on it (checked on reading)."""
NAME = re.compile(r"assign(p?)(\d+)")

RULES_TOML = """# OR-Library assignment problem: fit is the affinity bonus alone
min_education = "associate"
veto_disciplinary = true
require_willing = false
must_place_years = 0

[weights]
score = 0
development = 0
reserve = 0
party = 0
dept_priority = 0
category_match = 0
preference = 0
affinity = 1
"""
CANDIDATE_HEADER = ("id", "department", "rank", "age", "education", "birthplace", "home_region")
POST_HEADER = ("id", "kind", "unit", "region", "seats", "priority")


def parse_name(name: str) -> tuple[bool, int]:
    """``assignp800`` → (sparse, 800)."""
    match = NAME.fullmatch(name)
    if not match:
        raise ValueError(f"not an OR-Library assignment name: {name!r}")
    return bool(match[1]), int(match[2])


def read_costs(path: Path) -> tuple[int, np.ndarray, np.ndarray, np.ndarray]:
    """``(n, rows, cols, costs)`` with 0-based indices: every pair of a dense file, the
    listed pairs of a sparse one (its name starts ``assignp``)."""
    numbers = np.array(path.read_text().split(), dtype=np.int64)
    n = int(numbers[0])
    body = numbers[1:]
    if path.stem.startswith("assignp"):
        if body.size % 3:
            raise ValueError(f"{path}: the triples do not come in threes")
        triples = body.reshape(-1, 3)
        rows, cols, costs = triples[:, 0] - 1, triples[:, 1] - 1, triples[:, 2]
    else:
        if body.size != n * n:
            raise ValueError(f"{path}: {body.size} costs, expected {n}×{n}")
        rows, cols = np.divmod(np.arange(n * n), n)
        costs = body
    if rows.min() < 0 or cols.min() < 0 or max(rows.max(), cols.max()) >= n:
        raise ValueError(f"{path}: an index lies outside 1..{n}")
    if costs.min() < 0 or costs.max() > MAX_COST:
        raise ValueError(f"{path}: costs must lie in 0..{MAX_COST}")
    if np.unique(rows * n + cols).size != rows.size:
        raise ValueError(f"{path}: a pair is listed twice")
    return n, rows, cols, costs


def published_optima(source: Path = DEFAULT_SOURCE) -> dict[str, int]:
    """``assignopt.txt`` as name → minimum cost; lines that are not ``assign…`` are skipped."""
    optima = {}
    for line in (source / "assignopt.txt").read_text().splitlines():
        parts = line.split()
        if len(parts) == 2 and NAME.fullmatch(parts[0]):
            optima[parts[0]] = int(parts[1])
    return optima


def sparse_bonus_base(n: int) -> int:
    """``100·n + 1``: larger than any plan's total cost, so listed pairs always win."""
    return MAX_COST * n + 1


def expected_fit(name: str, source: Path = DEFAULT_SOURCE) -> int:
    """The fit an optimal plan of the converted instance has, from the published optimum."""
    sparse, n = parse_name(name)
    optimum = published_optima(source)[name]
    return n * sparse_bonus_base(n) - optimum if sparse else -optimum


def convert(name: str, out: Path, source: Path = DEFAULT_SOURCE, sparse_mode: str = "open") -> Path:
    """Write ``out/name`` (format v1) from ``source/name.txt``; returns the folder."""
    n, rows, cols, costs = read_costs(source / f"{name}.txt")
    sparse = name.startswith("assignp")
    folder = out / name
    folder.mkdir(parents=True, exist_ok=True)
    _write(folder / "candidates.csv", CANDIDATE_HEADER,
           ((_cid(i), "D0", "general", 30, "bachelor", "R0", "R0") for i in range(n)))  # fmt: skip
    _write(folder / "posts.csv", POST_HEADER,
           ((_pid(j), "grassroots", "U0", "R1", 1, 1) for j in range(n)))  # fmt: skip
    (folder / "rules.toml").write_text(RULES_TOML, encoding="utf-8")
    bonus = sparse_bonus_base(n) - costs if sparse else -costs
    mode = "dense"
    if sparse:
        if sparse_mode not in ("forbid", "open"):
            raise ValueError(f"sparse mode must be forbid or open, not {sparse_mode!r}")
        mode = sparse_mode
    _write(folder / "affinities.csv", ("candidate_id", "post_id", "bonus", "forbid"),
           _affinity_rows(n, rows, cols, bonus, forbid_rest=mode == "forbid"))  # fmt: skip
    (folder / "README.md").write_text(
        f"# {name} (OR-Library assignment, converted by benchmarks/orlib.py)\n\n"
        f"{n} cadres, {n} posts of one seat, {rows.size} listed pairs, encoding `{mode}`.\n"
        f"An optimal plan has coverage {n} and fit {expected_fit(name, source)}.\n",
        encoding="utf-8",
    )
    return folder


def _affinity_rows(
    n: int, rows: np.ndarray, cols: np.ndarray, bonus: np.ndarray, forbid_rest: bool
) -> Iterator[tuple[str, str, int, str]]:
    """Listed pairs with their bonus, then (``forbid_rest``) a forbid row per unlisted pair."""
    post_ids = [_pid(j) for j in range(n)]
    for i, j, value in zip(rows.tolist(), cols.tolist(), bonus.tolist(), strict=True):
        yield _cid(i), post_ids[j], value, "false"
    if forbid_rest:
        listed = np.zeros((n, n), dtype=bool)
        listed[rows, cols] = True
        for i in range(n):
            cadre = _cid(i)
            for j in np.flatnonzero(~listed[i]).tolist():
                yield cadre, post_ids[j], 0, "true"


def _cid(index: int) -> str:
    return f"C{index + 1:05d}"


def _pid(index: int) -> str:
    return f"P{index + 1:05d}"


def _write(path: Path, header: tuple[str, ...], rows: object) -> None:
    with path.open("w", newline="", encoding="utf-8") as sink:
        writer = csv.writer(sink)
        writer.writerow(header)
        writer.writerows(rows)  # type: ignore[arg-type]


def available(source: Path = DEFAULT_SOURCE) -> list[str]:
    """The instance names in ``source`` that have a published optimum, dense first."""
    optima = published_optima(source)
    names = [path.stem for path in source.glob("assign*.txt") if path.stem in optima]
    return sorted(names, key=lambda name: (parse_name(name)[0], parse_name(name)[1]))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("out", type=Path, help="folder to write one instance folder per file into")
    parser.add_argument("--only", default="", help="comma-separated names, e.g. assign100")
    parser.add_argument("--source", type=Path, default=DEFAULT_SOURCE, help="OR-Library folder")
    parser.add_argument(
        "--sparse",
        default="open",
        choices=("forbid", "open"),
        help="how sparse files exclude unlisted pairs (see the docstring)",
    )
    args = parser.parse_args(argv)
    names = [n.strip() for n in args.only.split(",") if n.strip()] or available(args.source)
    for name in names:
        folder = convert(name, args.out, args.source, args.sparse)
        print(f"{folder}: expected fit {expected_fit(name, args.source)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
