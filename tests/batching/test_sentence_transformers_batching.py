"""The bundled model through the sentence-transformers engine: batching across requests changes no vector."""

from __future__ import annotations

import asyncio
import math
import random
from collections.abc import Iterator, Sequence
from pathlib import Path

import pytest

from adapters.batching import BatchingOptions
from adapters.engines import sentence_transformers
from adapters.engines.base import ModelSpec
from adapters.serving.core import EmbeddingCore
from bench.corpus import mixed_corpus
from tests.support.served import served_embedder


def cosine(a: Sequence[float], b: Sequence[float]) -> float:
    dot = math.fsum(x * y for x, y in zip(a, b, strict=True))
    return dot / math.sqrt(math.fsum(x * x for x in a) * math.fsum(y * y for y in b))


def load(path: Path, dtype: str = "float32") -> EmbeddingCore:
    spec = ModelSpec(id=f"bundled-{dtype}", path=str(path), batch_size=32, device="cpu", dtype=dtype)
    return served_embedder(sentence_transformers.load(spec, batching=BatchingOptions(token_budget=2048)))


@pytest.fixture(scope="module")
def engine(bundled_model_path: Path) -> Iterator[EmbeddingCore]:
    import torch

    # One torch thread: these tests check results, not speed, and many tiny forwards on a shared
    # machine's oversubscribed cores crawl when torch's threads wait for each other.
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    model = load(bundled_model_path)
    yield model
    asyncio.run(model.close())
    torch.set_num_threads(threads)


def short_requests(count: int) -> list[list[str]]:
    """Mixed short texts (kept short so 500 requests run in seconds on two cores)."""
    texts = mixed_corpus(1200, median_words=6, high=60)
    rng = random.Random(5)
    return [[texts[rng.randrange(len(texts))] for _ in range(rng.randint(1, 3))] for _ in range(count)]


def test_500_concurrent_requests_equal_one_at_a_time(engine: EmbeddingCore) -> None:
    requests = short_requests(500)

    async def scenario() -> tuple[list, list]:  # type: ignore[type-arg]
        together = await asyncio.gather(*(engine.embed(r, truncate=True) for r in requests))
        alone = [await engine.embed(r, truncate=True) for r in requests]
        return together, alone

    together, alone = asyncio.run(scenario())
    for request, batched, single in zip(requests, together, alone, strict=True):
        assert len(batched.vectors) == len(request)
        assert batched.token_counts == single.token_counts
        for a, b in zip(batched.vectors, single.vectors, strict=True):
            assert cosine(a, b) >= 0.99999


def test_a_packed_model_batches_by_real_tokens(engine: EmbeddingCore) -> None:
    from prometheus_client import REGISTRY

    def counted() -> float:
        return REGISTRY.get_sample_value("embedrank_batch_tokens_sum", {"model": engine.info.id}) or 0.0

    requests = short_requests(200)

    async def scenario() -> list:  # type: ignore[type-arg]
        return await asyncio.gather(*(engine.embed(r, truncate=True) for r in requests))

    before = counted()
    answers = asyncio.run(scenario())
    # On a CPU the bundled model runs packed, so its batches are planned (and counted) by real tokens;
    # planned by padded tokens, these mixed lengths would count more.
    assert counted() - before == sum(sum(answer.token_counts) for answer in answers)


@pytest.mark.parametrize(("dtype", "floor"), [("bfloat16", 0.999), ("int8", 0.9)])
def test_lower_precision_stays_close_to_fp32(engine: EmbeddingCore, bundled_model_path: Path, dtype: str, floor: float):  # type: ignore[no-untyped-def]
    texts = mixed_corpus(24)
    reference = asyncio.run(engine.embed(texts, truncate=True)).vectors
    model = load(bundled_model_path, dtype)
    try:
        vectors = asyncio.run(model.embed(texts, truncate=True)).vectors
    finally:
        asyncio.run(model.close())
    assert min(cosine(a, b) for a, b in zip(reference, vectors, strict=True)) >= floor


@pytest.mark.parametrize("side", ["right", "left"])
def test_pad_rows_equals_the_tokenizers_own_padding(bundled_model_path: Path, side: str) -> None:
    from transformers import AutoTokenizer

    tokenizer = AutoTokenizer.from_pretrained(str(bundled_model_path), padding_side=side)
    rows = tokenizer(["a", "a longer text here", "mid length"])["input_ids"]
    expected = tokenizer.pad({"input_ids": rows}, padding=True, return_tensors="pt")
    ids, mask = sentence_transformers.pad_rows(rows, tokenizer.pad_token_id, left=side == "left")
    assert ids.tolist() == expected["input_ids"].tolist()
    assert mask.tolist() == expected["attention_mask"].tolist()
