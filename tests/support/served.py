"""Engines as the server runs them: behind the serving core (queue bound, token budget, metrics, NaN guard)."""

from __future__ import annotations

from adapters.engines.base import Engine
from adapters.serving.core import EmbeddingCore, RerankCore, serving


def served(engine: Engine, queue_size: int = 48_000) -> EmbeddingCore | RerankCore:
    return serving(engine, queue_size)


def served_embedder(engine: Engine, queue_size: int = 48_000) -> EmbeddingCore:
    core = serving(engine, queue_size)
    assert isinstance(core, EmbeddingCore), f"{engine.info.id} does not embed"
    return core


def served_reranker(engine: Engine, queue_size: int = 48_000) -> RerankCore:
    core = serving(engine, queue_size)
    assert isinstance(core, RerankCore), f"{engine.info.id} does not rerank"
    return core
