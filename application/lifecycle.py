"""Starting, stopping and the readiness of the served models, as the entrypoints see them."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from adapters.registry import ModelRegistry, State
from application.in_flight import InFlight

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class Readiness:
    ready: bool
    state: str
    detail: str | None = None


class Lifecycle:
    """Loads models in the background so liveness answers at once; draining turns readiness off first.

    Draining, for every entrypoint (HTTP server, RunPod worker):

    1. `begin_drain()` at the first sign of shutdown (SIGTERM): readiness turns 503 and `admit()`
       refuses new work with Unavailable (503 over HTTP, a FAILED job on RunPod).
    2. `await wait_idle(timeout)`: work admitted earlier finishes, up to the timeout.
    3. `await stop()`: the engines are released.
    """

    def __init__(self, registry: ModelRegistry) -> None:
        self._registry = registry
        self._draining = False
        self._task: asyncio.Task[None] | None = None
        self._in_flight = InFlight()

    async def start(self) -> None:
        """Load every model; raises what loading raised (the caller decides whether that is fatal)."""
        self._reopen()
        await self._registry.start()

    def start_in_background(self) -> asyncio.Task[None]:
        self._reopen()
        self._task = asyncio.create_task(self._registry.start())
        return self._task

    def _reopen(self) -> None:
        # A start after a stop (an ASGI lifespan run twice, as test tools do) serves again.
        self._draining = False
        self._in_flight = InFlight()

    def begin_drain(self) -> None:
        """Safe to call from a signal handler: it only flips flags."""
        if not self._draining:
            log.info("draining: readiness is now 503 and new work is refused")
        self._draining = True
        self._in_flight.close()

    @contextmanager
    def admit(self) -> Iterator[None]:
        """Hold this around one request or job; raises Unavailable once draining has begun."""
        with self._in_flight.admit():
            yield

    @property
    def in_flight(self) -> int:
        return self._in_flight.count

    async def wait_idle(self, timeout: float) -> bool:
        """Wait until admitted work has finished; False when `timeout` seconds passed first."""
        return await self._in_flight.wait_idle(timeout)

    async def stop(self) -> None:
        self.begin_drain()
        if self._task is not None and not self._task.done():
            self._task.cancel()
        await self._registry.stop()

    def readiness(self) -> Readiness:
        if self._draining:
            return Readiness(False, "draining")
        state = self._registry.state
        if state is State.READY:
            return Readiness(True, "ready")
        return Readiness(False, state.value, self._registry.failure)
