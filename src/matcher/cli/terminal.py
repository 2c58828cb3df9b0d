"""The solve's progress as one updating line on a terminal (rich); nothing elsewhere.

On a pipe, a file or a test :func:`live_progress` shows nothing, so the
events (``matcher.solve.events``) never change what a run prints there.
"""

from __future__ import annotations

import contextlib
import sys
import time
from collections.abc import Iterator
from fractions import Fraction

from rich.console import Console
from rich.live import Live
from rich.text import Text

from matcher.io.labels import TIER_ZH
from matcher.solve.events import (
    CPSAT,
    DIAGNOSIS,
    DONE,
    FIRST_PLAN,
    IMPROVE,
    LP,
    PREPARE,
    RESTRICTED,
    TEAM_BOUND,
    Listener,
    ProgressEvent,
)

PHASE_EN = {
    PREPARE: "eligible pairs", FIRST_PLAN: "first plan", LP: "LP relaxation",
    TEAM_BOUND: "team bound",
    RESTRICTED: "search near the LP", CPSAT: "CP-SAT search", IMPROVE: "neighbourhood search",
    DIAGNOSIS: "naming the conflict", DONE: "done",
}  # fmt: skip
PHASE_ZH = {
    PREPARE: "计算可选人岗", FIRST_PLAN: "初始方案", LP: "线性松弛", TEAM_BOUND: "班子上界",
    RESTRICTED: "局部搜索",
    CPSAT: "CP-SAT 搜索", IMPROVE: "邻域改进", DIAGNOSIS: "查找冲突规则", DONE: "完成",
}  # fmt: skip


class ProgressLine:
    """The latest event as one line: phase, time, best coverage and fit, bound, gap."""

    def __init__(self, lang: str = "en") -> None:
        self.zh = lang == "zh"
        self.started = time.monotonic()
        self.event: ProgressEvent | None = None

    def update(self, event: ProgressEvent) -> None:
        self.event = event

    def text(self, elapsed: float) -> str:
        """E.g. ``CP-SAT search · 2.8 s · coverage 182 (bound 182) · fit 19336 (bound 19338) ·
        gap 0.01%``; a tier's bound is shown only once the tiers above it are closed (until
        coverage is proven, a fit bound promises nothing)."""
        phase = self.event.phase if self.event else PREPARE
        parts = [(PHASE_ZH if self.zh else PHASE_EN).get(phase, phase),
                 f"用时 {elapsed:.1f} 秒" if self.zh else f"{elapsed:.1f} s"]  # fmt: skip
        event = self.event
        if event is None:
            return " · ".join(parts)
        tiers: list[tuple[str, int | Fraction | None, int | Fraction | None]] = [
            ("coverage", event.coverage, event.coverage_bound)
        ]
        if event.kept_bound:  # a re-plan's keep tier; a plain solve has none
            tiers.append(("kept", event.kept, event.kept_bound))
        tiers.append(("fit", event.fit, event.fit_bound))
        closed_above = True
        for name, value, bound in tiers:
            parts.append(self._tier(name, value, bound if closed_above else None))
            closed_above = closed_above and (value is None or bound is None or bound <= value)
        if event.gap is not None:
            parts.append(f"差距 {event.gap:.2%}" if self.zh else f"gap {event.gap:.2%}")
        return " · ".join(part for part in parts if part)

    def _tier(self, name: str, value: int | Fraction | None, bound: int | Fraction | None) -> str:
        """``coverage 180 (bound 182)``, ``coverage bound 182`` or ``覆盖度 180（上界 182）``."""
        label = TIER_ZH[name] if self.zh else name
        if value is None:
            if bound is None:
                return ""
            return f"{label}上界 {_number(bound)}" if self.zh else f"{label} bound {_number(bound)}"
        if bound is None:
            return f"{label} {_number(value)}"
        if self.zh:
            return f"{label} {_number(value)}（上界 {_number(bound)}）"
        return f"{label} {_number(value)} (bound {_number(bound)})"

    def __rich__(self) -> Text:
        return Text(self.text(time.monotonic() - self.started), no_wrap=True, overflow="ellipsis")


def _number(value: int | Fraction) -> str:
    if isinstance(value, int) or value.denominator == 1:
        return str(value)
    return f"{float(value):.2f}"


@contextlib.contextmanager
def live_progress(
    console: Console, lang: str = "en", *, enabled: bool = True
) -> Iterator[Listener | None]:
    """A listener drawing one updating line on ``console``; None (silence) when it is not a
    terminal or not ``enabled`` (e.g. when the CP-SAT log already shows the search).

    The line is transient: it is erased when the solve ends, so what the command
    prints afterwards is the same as without it.
    """
    if not (enabled and console.is_terminal):
        yield None
        return
    line = ProgressLine(lang)
    with Live(line, console=console, transient=True, refresh_per_second=4,
              redirect_stdout=False, redirect_stderr=False):  # fmt: skip
        yield line.update


def stderr_console() -> Console:
    """Standard error, a terminal only if it really is one.

    Rich also treats ``FORCE_COLOR`` (set by many CI systems) as a terminal: right
    for colours, but a redrawn progress line would only clutter a log.
    """
    isatty = getattr(sys.stderr, "isatty", None)
    return Console(stderr=True, force_terminal=bool(isatty and isatty()), highlight=False)
