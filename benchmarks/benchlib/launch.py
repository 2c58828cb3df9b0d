"""Run one solver process and measure it from outside: exit, wall time and its own peak memory."""

from __future__ import annotations

import os
import resource
import subprocess
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

POLL_SECONDS = 0.05


@dataclass(frozen=True)
class Launched:
    """How a worker process ended, as seen by the parent."""

    exit_code: int
    wall: float
    peak_mib: float
    """``ru_maxrss`` of this child alone (``wait4``), not the running max over all children."""
    killed: bool
    log_tail: str


def memory_cap(gib: float) -> Callable[[], None] | None:
    """An address-space limit for the child, so a runaway baseline fails instead of the machine.

    The machine is shared; a textbook model at national size could otherwise
    exhaust RAM for everyone. ``None`` (no limit) when ``gib`` is 0.
    """
    if gib <= 0:
        return None
    limit = int(gib * 2**30)

    def apply() -> None:
        resource.setrlimit(resource.RLIMIT_AS, (limit, limit))

    return apply


def launch(command: list[str], log: Path, hard_limit: float, memory_gib: float) -> Launched:
    """Run ``command`` to the end (or kill it after ``hard_limit`` s), output into ``log``.

    ``os.wait4`` reaps the child with its own resource usage: ``RUSAGE_CHILDREN``
    would report the largest child so far, which hides a small one after a big one.
    """
    start = time.perf_counter()
    with log.open("wb") as sink:
        process = subprocess.Popen(
            command, stdout=sink, stderr=subprocess.STDOUT, preexec_fn=memory_cap(memory_gib)
        )
    killed = False
    while True:
        pid, status, usage = os.wait4(process.pid, os.WNOHANG)
        if pid:
            break
        if not killed and time.perf_counter() - start > hard_limit:
            process.kill()
            killed = True
        time.sleep(POLL_SECONDS)
    process.returncode = os.waitstatus_to_exitcode(status)  # reaped here, not by Popen
    return Launched(
        exit_code=process.returncode,
        wall=time.perf_counter() - start,
        peak_mib=usage.ru_maxrss / 1024,  # kilobytes on Linux
        killed=killed,
        log_tail=_tail(log),
    )


def _tail(log: Path, lines: int = 3) -> str:
    """The last lines of a worker's output: on a failure, usually the exception."""
    text = log.read_text(encoding="utf-8", errors="replace").strip().splitlines()
    return " | ".join(text[-lines:])
