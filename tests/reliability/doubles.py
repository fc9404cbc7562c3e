"""Test-double engines for the serving core: slow, queued, overloaded, broken; each records what it did."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Sequence

from adapters.engines.base import ModelSpec, Tokens
from adapters.engines.fake import FakeEmbedder, FakeReranker
from domain.errors import EngineFailed, Overloaded


class QueuedModel(FakeEmbedder):
    """One forward at a time, the others wait in line; `ran` lists the first input of each that ran."""

    def __init__(self, spec: ModelSpec, release: threading.Event) -> None:
        super().__init__(spec)
        self._turn = asyncio.Lock()
        self._release = release
        self.ran: list[str] = []

    async def forward(self, tokens: Tokens) -> Sequence[Sequence[float]]:
        async with self._turn:
            self.ran.append(str(tokens.rows[0]))
            while not self._release.is_set():  # set from the test's thread: poll, don't await
                await asyncio.sleep(0.01)
            return await super().forward(tokens)


class OverloadedFirst(FakeEmbedder):
    """Refuses the first `refusals` forwards with Overloaded, then serves; counts every call."""

    def __init__(self, spec: ModelSpec, refusals: int) -> None:
        super().__init__(spec)
        self.refusals = refusals
        self.calls = 0

    async def forward(self, tokens: Tokens) -> Sequence[Sequence[float]]:
        self.calls += 1
        if self.calls <= self.refusals:
            raise Overloaded("queue full", retry_after=0.01)
        return await super().forward(tokens)


class NonFiniteEmbedder(FakeEmbedder):
    """Puts NaN in the second vector."""

    async def forward(self, tokens: Tokens) -> Sequence[Sequence[float]]:
        vectors = [list(v) for v in await super().forward(tokens)]
        vectors[min(1, len(vectors) - 1)][3] = float("nan")
        return vectors


class NonFiniteReranker(FakeReranker):
    """Puts infinity in the first score."""

    async def score_pairs(self, tokens: Tokens) -> Sequence[float]:
        scores = await super().score_pairs(tokens)
        return [float("inf"), *scores[1:]]


def non_finite(spec: ModelSpec) -> NonFiniteEmbedder | NonFiniteReranker:
    return NonFiniteReranker(spec) if "rerank" in spec.id else NonFiniteEmbedder(spec)


class DeadWorker(FakeEmbedder):
    """Its worker died: every forward raises EngineFailed."""

    async def forward(self, tokens: Tokens) -> Sequence[Sequence[float]]:
        raise EngineFailed("the engine's worker process exited")
