"""The Qwen3-Reranker engine behind the serving core: capabilities, routing, lifecycle, options."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from adapters.engines.base import ModelSpec
from adapters.engines.qwen3_reranker import load
from domain.errors import Unavailable
from domain.models import Capability
from tests.support.served import served_reranker


@pytest.fixture(scope="module")
def spec(qwen3_reranker_dir: Path) -> ModelSpec:
    return ModelSpec(id="tiny-reranker", path=str(qwen3_reranker_dir), device="cpu", dtype="float32")


def test_info_and_capabilities(spec: ModelSpec) -> None:
    model = served_reranker(load(spec))
    try:
        assert model.info.id == "tiny-reranker"
        assert model.info.capabilities == frozenset({Capability.RERANK})
        assert model.info.max_tokens == 512  # the tiny checkpoint's positions cap the recipe's 8192
        assert model.info.vocab_size == 151669
        empty = asyncio.run(model.score("q", [], instruction=None, truncate=True))
        assert list(empty.scores) == [] and empty.token_count == 0
    finally:
        asyncio.run(model.close())
    with pytest.raises(Unavailable):
        asyncio.run(model.score("q", ["d"], instruction=None, truncate=True))


def test_concurrent_requests_share_one_worker(spec: ModelSpec) -> None:
    model = served_reranker(load(spec))

    async def both() -> list[list[float]]:
        results = await asyncio.gather(
            *(model.score("q", ["a", "b c"], instruction=None, truncate=True) for _ in range(4))
        )
        return [list(r.scores) for r in results]

    try:
        first, *rest = asyncio.run(both())
        assert all(r == first for r in rest)
    finally:
        asyncio.run(model.close())


def test_a_small_request_is_not_stuck_behind_a_big_one(qwen3_reranker_dir: Path) -> None:
    # A budget of one row per forward makes the big request 40 worker jobs; they take turns with the
    # small request's few jobs, so the small one finishes first.
    model = served_reranker(load(ModelSpec(id="x", path=str(qwen3_reranker_dir), device="cpu"), token_budget=1))
    finished: list[str] = []

    async def run(name: str, documents: list[str]) -> None:
        await model.score("q", documents, instruction=None, truncate=True)
        finished.append(name)

    async def both() -> None:
        big = asyncio.create_task(run("big", [f"document {i}" for i in range(40)]))
        await asyncio.sleep(0)  # let the big request queue its first job
        await asyncio.gather(big, run("small", ["one"]))

    try:
        asyncio.run(both())
        assert finished == ["small", "big"]
    finally:
        asyncio.run(model.close())


def test_unsupported_dtype_is_refused(qwen3_reranker_dir: Path) -> None:
    with pytest.raises(ValueError, match="int8"):
        load(ModelSpec(id="x", path=str(qwen3_reranker_dir), device="cpu", dtype="int8"))


def test_bf16_scores_stay_close_to_fp32(spec: ModelSpec) -> None:
    from dataclasses import replace

    docs = ["the cat sat on the mat", "stock markets fell sharply", "a kitten is a young cat " * 5, "x"]
    scores = {}
    for dtype in ("float32", "bfloat16"):  # bf16 is what DTYPES=auto runs on a CPU with hardware bf16
        model = served_reranker(load(replace(spec, dtype=dtype)))
        try:
            scores[dtype] = asyncio.run(model.score("what is a cat?", docs, instruction=None, truncate=True)).scores
        finally:
            asyncio.run(model.close())
    assert max(abs(a - b) for a, b in zip(scores["float32"], scores["bfloat16"], strict=True)) < 0.02
