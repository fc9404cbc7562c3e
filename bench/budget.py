"""A wall-clock budget for a whole bench command, shared with its child processes as an absolute time.

A GPU machine may be lent for minutes at a time, so a run must end by its deadline whatever happens:
each measured point gets the time it asks for or its share of what is left, and work that no longer
fits is skipped and named in the report, never left to run past the end.
"""

from __future__ import annotations

import time
from collections.abc import Callable

MIN_POINT_S = 0.5  # shorter than this a point measures start-up, not throughput


class Budget:
    def __init__(self, deadline: float, *, clock: Callable[[], float] = time.time) -> None:
        self.deadline = deadline
        self._clock = clock
        self.skipped: list[str] = []

    @classmethod
    def of(cls, seconds: float, *, clock: Callable[[], float] = time.time) -> Budget:
        return cls(clock() + seconds, clock=clock)

    def left(self, reserve: float = 0.0) -> float:
        """Seconds until the deadline, less `reserve` kept for later work."""
        return self.deadline - reserve - self._clock()

    def point_seconds(self, wanted: float, points_left: int, *, reserve: float = 0.0) -> float | None:
        """`wanted`, or this point's even share of what is left; None when not even MIN_POINT_S is."""
        share = self.left(reserve) / max(1, points_left)
        return min(wanted, share) if share >= MIN_POINT_S else None

    def allows(self, name: str, seconds: float, *, reserve: float = 0.0) -> bool:
        """Whether `seconds` of work still fit; if not, `name` is recorded as skipped."""
        if self.left(reserve) >= seconds:
            return True
        self.skipped.append(name)
        return False
