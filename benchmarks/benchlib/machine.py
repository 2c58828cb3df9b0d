"""The machine and software a run was made on, for the summary next to its numbers."""

from __future__ import annotations

import os
import platform
import subprocess
from importlib import metadata
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent.parent


def describe() -> dict[str, str]:
    """Cores, CPU, RAM, OS and versions; read without importing ortools or highspy."""
    return {
        "cores": str(os.cpu_count()),
        "cpu": _cpuinfo("model name"),
        "ram": f"{_meminfo_gib():.1f} GiB",
        "os": platform.platform(),
        "python": platform.python_version(),
        **{name: _version(name) for name in ("ortools", "highspy", "numpy", "matcher")},
        "commit": _commit(),
        "load average at start": " ".join(f"{x:.2f}" for x in os.getloadavg()),
    }


def _version(package: str) -> str:
    try:
        return metadata.version(package)
    except metadata.PackageNotFoundError:
        return "not installed"


def _cpuinfo(key: str) -> str:
    for line in Path("/proc/cpuinfo").read_text().splitlines():
        if line.startswith(key):
            return line.split(":", 1)[1].strip()
    return platform.processor() or "unknown"


def _meminfo_gib() -> float:
    for line in Path("/proc/meminfo").read_text().splitlines():
        if line.startswith("MemTotal:"):
            return int(line.split()[1]) / 2**20
    return float("nan")


def _commit() -> str:
    """HEAD, and whether ``src/`` differs from it: results belong to the code that made them.

    ``--no-optional-locks`` keeps git from touching the index of a shared tree.
    """
    git = ["git", "--no-optional-locks", "-C", str(REPO)]
    try:
        head = subprocess.run(
            [*git, "rev-parse", "--short", "HEAD"], capture_output=True, text=True, check=True
        ).stdout.strip()
        dirty = subprocess.run([*git, "diff", "--quiet", "HEAD", "--", "src"]).returncode
    except (OSError, subprocess.CalledProcessError):
        return "unknown"
    return head + (" with uncommitted changes in src/" if dirty else "")
