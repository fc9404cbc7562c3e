"""The serving core: the one path every engine's requests take, whatever the engine.

admission (queue bound) → tokenise (timed) → token budget (refused before any model work) →
the engine's forward → finiteness (NaN or infinity never leaves; counted). Engines add only what is
their own: load, tokenise, forward (adapters/engines/base.py).
"""

from __future__ import annotations

import logging
import math
import time
from collections.abc import Awaitable, Callable, Sequence
from typing import TypeVar

from adapters.engines.base import EmbeddingEngine, Engine, RerankEngine, Tokens
from adapters.serving import metrics
from adapters.serving.admission import Admission
from domain.errors import EngineFailed, NonFiniteOutput
from domain.models import Capability, EmbedInput, EncodedBatch, ModelInfo, ScoredBatch
from domain.use_cases.validation import over_budget

log = logging.getLogger(__name__)
R = TypeVar("R")


class ServingCore:
    """What the embedding and reranking paths share: the queue, the budget, the metrics, failure marks."""

    def __init__(self, engine: Engine, queue_size: int, on_engine_failed: Callable[[str], None] | None = None) -> None:
        self.info: ModelInfo = engine.info
        self._engine = engine
        self._admission = Admission(engine.info.id, queue_size)
        self._on_engine_failed = on_engine_failed

    @property
    def engine(self) -> Engine:
        return self._engine

    async def close(self) -> None:
        await self._engine.close()

    async def _serve(
        self,
        items: int,
        tokenize: Callable[[], Awaitable[Tokens]],
        forward: Callable[[Tokens], Awaitable[Sequence[R]]],
        *,
        max_tokens: int | None,
        param: str,
    ) -> tuple[Tokens, Sequence[R]]:
        model = self.info.id
        with self._admission.hold(items):
            started = time.perf_counter()
            tokens = await tokenize()
            metrics.TOKENIZATION.labels(model).observe(time.perf_counter() - started)
            if max_tokens is not None and tokens.count > max_tokens:
                metrics.REJECTED.labels(model, "token_budget").inc()
                raise over_budget(str(tokens.count), max_tokens, param)
            try:
                results = await forward(tokens)
            except EngineFailed as exc:
                if self._on_engine_failed is not None:
                    self._on_engine_failed(f"model '{model}': {exc.message}")
                raise
        if len(results) != len(tokens.lengths):
            raise RuntimeError(f"engine of model '{model}' answered {len(results)} results for {len(tokens.lengths)}")
        return tokens, results

    def _non_finite(self, item: str) -> NonFiniteOutput:
        metrics.NON_FINITE.labels(model=self.info.id).inc()
        log.error("model %s produced NaN or infinity for %s; the result was dropped", self.info.id, item)
        return NonFiniteOutput(
            f"model '{self.info.id}' produced a non-finite value (NaN or infinity) for {item}; "
            "the result was not sent. This is a server-side model fault, not a problem with the request"
        )


class EmbeddingCore(ServingCore):
    def __init__(
        self, engine: EmbeddingEngine, queue_size: int, on_engine_failed: Callable[[str], None] | None = None
    ) -> None:
        super().__init__(engine, queue_size, on_engine_failed)
        self._embedder = engine

    async def embed(
        self, inputs: Sequence[EmbedInput], *, truncate: bool, max_tokens: int | None = None
    ) -> EncodedBatch:
        if not inputs:
            return EncodedBatch(vectors=[], token_counts=[])
        tokens, vectors = await self._serve(
            len(inputs),
            lambda: self._embedder.tokenize(inputs, truncate=truncate),
            self._embedder.forward,
            max_tokens=max_tokens,
            param="input",
        )
        for i, vector in enumerate(vectors):
            # One C-level sum per vector: NaN and infinity propagate; unit vectors cannot overflow.
            if not math.isfinite(sum(vector)):
                raise self._non_finite(f"input[{i}]")
        return EncodedBatch(vectors=vectors, token_counts=list(tokens.lengths))


class RerankCore(ServingCore):
    def __init__(
        self, engine: RerankEngine, queue_size: int, on_engine_failed: Callable[[str], None] | None = None
    ) -> None:
        super().__init__(engine, queue_size, on_engine_failed)
        self._reranker = engine

    async def score(
        self,
        query: str,
        documents: Sequence[str],
        *,
        instruction: str | None,
        truncate: bool,
        max_tokens: int | None = None,
    ) -> ScoredBatch:
        if not documents:
            return ScoredBatch(scores=[], token_count=0)
        tokens, scores = await self._serve(
            len(documents),
            lambda: self._reranker.tokenize_pairs(query, documents, instruction=instruction, truncate=truncate),
            self._reranker.score_pairs,
            max_tokens=max_tokens,
            param="documents",
        )
        for i, score in enumerate(scores):
            if not math.isfinite(score):
                raise self._non_finite(f"documents[{i}]")
        return ScoredBatch(scores=list(scores), token_count=tokens.count)


def serving(
    engine: Engine, queue_size: int, on_engine_failed: Callable[[str], None] | None = None
) -> EmbeddingCore | RerankCore:
    """The core for a loaded engine, by what it can do."""
    if engine.info.can(Capability.EMBED):
        return EmbeddingCore(engine, queue_size, on_engine_failed)  # type: ignore[arg-type]
    return RerankCore(engine, queue_size, on_engine_failed)  # type: ignore[arg-type]
