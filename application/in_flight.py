"""Counting work in progress, so that a shutdown can refuse new work and wait for the rest."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Iterator
from contextlib import contextmanager

from domain.errors import Unavailable

SHUTTING_DOWN = "the server is shutting down; retry the request (another instance will take it)"


class InFlight:
    """A counter of admitted work that can be closed to new work.

    Not bound to an event loop (tests run several loops over one container): `wait_idle` polls.
    """

    POLL_SECONDS = 0.05

    def __init__(self) -> None:
        self._count = 0
        self._closed = False

    @property
    def count(self) -> int:
        return self._count

    def close(self) -> None:
        self._closed = True

    @contextmanager
    def admit(self) -> Iterator[None]:
        if self._closed:
            raise Unavailable(SHUTTING_DOWN)
        self._count += 1
        try:
            yield
        finally:
            self._count -= 1

    async def wait_idle(self, timeout: float) -> bool:
        deadline = time.monotonic() + timeout
        while self._count > 0:
            if time.monotonic() >= deadline:
                return False
            await asyncio.sleep(self.POLL_SECONDS)
        return True
