"""Engines under contract: every engine loads the same spec and must keep the same promises."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from adapters.engines.base import Engine, ModelSpec
from adapters.serving.core import EmbeddingCore, serving

EngineFactory = Callable[[ModelSpec], Engine]


def _fake(spec: ModelSpec) -> Engine:
    from adapters.engines import fake

    return fake.load(spec)


def _sentence_transformers(spec: ModelSpec) -> Engine:
    from adapters.engines import sentence_transformers

    return sentence_transformers.load(spec)


def _infinity(spec: ModelSpec) -> Engine:
    from adapters.engines import infinity

    return infinity.load(spec)


ENGINES: dict[str, EngineFactory] = {
    "fake": _fake,
    "sentence-transformers": _sentence_transformers,
    "infinity": _infinity,
}


@pytest.fixture(scope="session", params=sorted(ENGINES))
def embedder(request: pytest.FixtureRequest, bundled_model_path: Path) -> Iterator[EmbeddingCore]:
    spec = ModelSpec(id="bundled", path=str(bundled_model_path), batch_size=4, device="cpu", dtype="float32")
    model = serving(ENGINES[request.param](spec), spec.queue_size)
    assert isinstance(model, EmbeddingCore)
    yield model
    asyncio.run(model.close())
