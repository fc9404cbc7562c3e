"""Test-double models for the registry: slow, queued, overloaded, broken; each records what it did."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Sequence

from adapters.engines.base import ModelSpec
from adapters.engines.fake import FakeModel
from domain.errors import EngineFailed, Overloaded
from domain.models import EmbedInput, EncodedBatch, ScoredBatch


class QueuedModel(FakeModel):
    """One request at a time, the others wait in line; `ran` lists the first input of each that ran."""

    def __init__(self, spec: ModelSpec, release: threading.Event) -> None:
        super().__init__(spec)
        self._turn = asyncio.Lock()
        self._release = release
        self.ran: list[str] = []

    async def embed(self, inputs: Sequence[EmbedInput], *, truncate: bool) -> EncodedBatch:
        async with self._turn:
            self.ran.append(str(inputs[0]))
            while not self._release.is_set():  # set from the test's thread: poll, don't await
                await asyncio.sleep(0.01)
            return await super().embed(inputs, truncate=truncate)


class OverloadedFirst(FakeModel):
    """Refuses the first `refusals` calls with Overloaded, then serves; counts every call."""

    def __init__(self, spec: ModelSpec, refusals: int) -> None:
        super().__init__(spec)
        self.refusals = refusals
        self.calls = 0

    async def embed(self, inputs: Sequence[EmbedInput], *, truncate: bool) -> EncodedBatch:
        self.calls += 1
        if self.calls <= self.refusals:
            raise Overloaded("queue full", retry_after=0.01)
        return await super().embed(inputs, truncate=truncate)


class NonFinite(FakeModel):
    """Puts NaN in the second vector, and infinity in the first score."""

    async def embed(self, inputs: Sequence[EmbedInput], *, truncate: bool) -> EncodedBatch:
        batch = await super().embed(inputs, truncate=truncate)
        vectors = [list(v) for v in batch.vectors]
        vectors[min(1, len(vectors) - 1)][3] = float("nan")
        return EncodedBatch(vectors=vectors, token_counts=batch.token_counts)

    async def score(
        self, query: str, documents: Sequence[str], *, instruction: str | None, truncate: bool
    ) -> ScoredBatch:
        scored = await super().score(query, documents, instruction=instruction, truncate=truncate)
        return ScoredBatch(scores=[float("inf"), *scored.scores[1:]], token_count=scored.token_count)


class DeadWorker(FakeModel):
    """Its worker died: every call raises EngineFailed."""

    async def embed(self, inputs: Sequence[EmbedInput], *, truncate: bool) -> EncodedBatch:
        raise EngineFailed("the engine's worker process exited")
