"""The serving policy both entrypoints apply to every request or job, in one place.

- admission: once draining has begun, new work is refused with Unavailable (HTTP 503, a FAILED job)
- deadline: REQUEST_TIMEOUT seconds, queueing included → DeadlineExceeded (HTTP 504, a FAILED job with
  `deadline_exceeded`); cancelling reaches the engine's queue, which drops the work
- drain: on SIGTERM, refuse new work and wait up to DRAIN_TIMEOUT for admitted work, then stop engines
"""

from __future__ import annotations

import contextlib
from collections.abc import Awaitable, Iterator
from typing import TypeVar

from application.deadline import within
from application.lifecycle import Lifecycle

T = TypeVar("T")


class ServingPolicy:
    def __init__(self, lifecycle: Lifecycle, request_timeout: float, drain_timeout: float) -> None:
        self._lifecycle = lifecycle
        self.request_timeout = request_timeout
        self.drain_timeout = drain_timeout

    @contextlib.contextmanager
    def admit(self) -> Iterator[None]:
        """Hold this around one request or job (its whole response included)."""
        with self._lifecycle.admit():
            yield

    async def within_deadline(self, work: Awaitable[T]) -> T:
        return await within(self.request_timeout, work)

    async def run(self, work: Awaitable[T]) -> T:
        """Admission and the deadline around one unit of work (a RunPod job)."""
        with self.admit():
            return await self.within_deadline(work)

    def begin_drain(self) -> None:
        """Safe to call from a signal handler: it only flips flags."""
        self._lifecycle.begin_drain()

    async def drain(self) -> bool:
        """Refuse new work and wait for admitted work; False when DRAIN_TIMEOUT passed first."""
        self.begin_drain()
        return await self._lifecycle.wait_idle(self.drain_timeout)

    @property
    def in_flight(self) -> int:
        return self._lifecycle.in_flight
