"""A progress line on stderr: rewritten in place on a terminal, a line every few seconds in CI logs."""

from __future__ import annotations

import sys
import time


class Progress:
    def __init__(self, label: str, total: int, unit: str = "texts") -> None:
        self._label, self._total, self._unit = label, total, unit
        self._done = 0
        self._started = self._shown = time.perf_counter()
        self._tty = sys.stderr.isatty()

    def advance(self, count: int = 1) -> None:
        self._done += count
        now = time.perf_counter()
        if now - self._shown >= (0.25 if self._tty else 5.0):
            self._shown = now
            self._show(now, end="\r" if self._tty else "\n")

    def finish(self) -> None:
        self._show(time.perf_counter(), end="\n")

    def _show(self, now: float, end: str) -> None:
        elapsed = max(now - self._started, 1e-9)
        rate = self._done / elapsed
        line = f"  {self._label}: {self._done}/{self._total} {self._unit}, {rate:.1f}/s, {elapsed:.1f}s"
        print(line.ljust(78), end=end, file=sys.stderr, flush=True)


def say(message: str) -> None:
    print(message, file=sys.stderr, flush=True)
