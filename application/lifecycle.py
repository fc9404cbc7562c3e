"""Starting, stopping and the readiness of the served models, as the entrypoints see them."""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass

from adapters.registry import ModelRegistry, State

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class Readiness:
    ready: bool
    state: str
    detail: str | None = None


class Lifecycle:
    """Loads models in the background so liveness answers at once; draining turns readiness off first."""

    def __init__(self, registry: ModelRegistry) -> None:
        self._registry = registry
        self._draining = False
        self._task: asyncio.Task[None] | None = None

    async def start(self) -> None:
        """Load every model; raises what loading raised (the caller decides whether that is fatal)."""
        await self._registry.start()

    def start_in_background(self) -> asyncio.Task[None]:
        self._task = asyncio.create_task(self._registry.start())
        return self._task

    def begin_drain(self) -> None:
        self._draining = True

    async def stop(self) -> None:
        self._draining = True
        if self._task is not None and not self._task.done():
            self._task.cancel()
        await self._registry.stop()

    @property
    def draining(self) -> bool:
        return self._draining

    def readiness(self) -> Readiness:
        if self._draining:
            return Readiness(False, "draining")
        state = self._registry.state
        if state is State.READY:
            return Readiness(True, "ready")
        return Readiness(False, state.value, self._registry.failure)
