"""Will a command fit in memory? An estimate from the size, made before anything is built.

Measured (benchmarks/results/2026-12-03-commands.md): a solve over listed pairs peaks at
about ``BASE_BYTES + BYTES_PER_LISTED_PAIR × pairs`` (2,000 × 500 custom: 671,637 pairs,
463 MB; 4,000 × 1,000: 2,642,103 pairs, 1,035 MB, i.e. 297 bytes a pair); without
listing them (``model.implicit``) national seed 1 peaked at 1.1 GB for 500M cells.
The pairs are not counted before they are listed, so every cell is taken as a pair:
an estimate from above, which only a model that could never fit exceeds.
"""

from __future__ import annotations

import resource
from pathlib import Path

from matcher.instance import Instance
from matcher.solve import pipeline

BYTES_PER_LISTED_PAIR = 300
BYTES_PER_UNLISTED_CELL = 2
BASE_BYTES = 300 * 2**20


def lists_every_pair(instance: Instance) -> bool:
    """Whether ``prepare`` lists every eligible pair (rule 7's groups always do)."""
    cells = instance.num_candidates * instance.num_posts
    return bool(instance.groups) or cells <= pipeline.IMPLICIT_ABOVE_CELLS


def estimated_bytes(instance: Instance, listed: bool | None = None) -> int:
    """Peak memory of solving ``instance``: listed (``listed`` or as ``prepare`` decides)."""
    cells = instance.num_candidates * instance.num_posts
    listed = lists_every_pair(instance) if listed is None else listed
    per_cell = BYTES_PER_LISTED_PAIR if listed else BYTES_PER_UNLISTED_CELL
    return BASE_BYTES + cells * per_cell


def available_bytes() -> int | None:
    """The least of the address-space limit, the cgroup's limit and the memory available."""
    found = []
    soft, _ = resource.getrlimit(resource.RLIMIT_AS)
    if soft != resource.RLIM_INFINITY:
        found.append(soft)
    for path in ("/sys/fs/cgroup/memory.max", "/sys/fs/cgroup/memory/memory.limit_in_bytes"):
        try:
            text = Path(path).read_text().strip()
        except OSError:
            continue
        if text.isdigit() and int(text) < 1 << 60:
            found.append(int(text))
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemAvailable:"):
                found.append(int(line.split()[1]) * 1024)
    except (OSError, ValueError, IndexError):
        pass
    return min(found) if found else None


def too_big(instance: Instance, command: str, listed: bool | None = None,
            copies: int = 1) -> str | None:  # fmt: skip
    """A message saying why ``command`` cannot run in the memory here, or None if it fits."""
    available = available_bytes()
    listed = lists_every_pair(instance) if listed is None else listed
    needed = copies * estimated_bytes(instance, listed)
    if available is None or needed <= available:
        return None
    cells = instance.num_candidates * instance.num_posts
    why = (
        "rule 7's groups (format v1.1) are solved over every eligible pair listed"
        if listed and instance.groups
        else "every eligible pair is listed"
        if listed
        else "the pairs are priced block by block"
    )
    per = BYTES_PER_LISTED_PAIR if listed else BYTES_PER_UNLISTED_CELL
    times = f"{copies} at once × " if copies > 1 else ""
    return (
        f"{command}: {instance.num_candidates:,} cadres × {instance.num_posts:,} posts"
        f" ({cells:,} cells) needs about {needed / 2**30:.1f} GiB ({times}{per} bytes a cell,"
        f" measured, as {why}), but only {available / 2**30:.1f} GiB is available here"
        " (memory limit or free memory). Nothing was started. Run it on a machine or under"
        " a limit with more memory"
        + (", or without groups" if listed and instance.groups else "")
        + (", or with fewer variants at once (--workers-pool)" if copies > 1 else "")
        + "."
    )
