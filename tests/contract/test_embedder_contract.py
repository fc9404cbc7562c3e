"""The Embedder contract, run against every engine on the bundled all-MiniLM-L6-v2."""

from __future__ import annotations

import asyncio
import math

import pytest

from adapters.serving.core import EmbeddingCore
from domain.errors import InvalidInput

TEXTS = ["short", "a somewhat longer sentence about retrieval and ranking", "mid length text here"]


def embed(model: EmbeddingCore, inputs, truncate: bool = True):  # type: ignore[no-untyped-def]
    return asyncio.run(model.embed(inputs, truncate=truncate))


def cosine(a, b) -> float:  # type: ignore[no-untyped-def]
    return sum(x * y for x, y in zip(a, b, strict=True)) / math.sqrt(sum(x * x for x in a) * sum(y * y for y in b))


def test_one_unit_vector_per_input_in_order(embedder: EmbeddingCore) -> None:
    batch = embed(embedder, TEXTS)
    assert len(batch.vectors) == len(TEXTS) == len(batch.token_counts)
    for vector in batch.vectors:
        assert len(vector) == embedder.info.dimension
        assert math.isclose(math.sqrt(sum(x * x for x in vector)), 1.0, rel_tol=1e-5)
    alone = [embed(embedder, [t]).vectors[0] for t in TEXTS]
    for together, single in zip(batch.vectors, alone, strict=True):
        assert cosine(together, single) >= 0.99999


def test_token_counts_are_positive_and_grow_with_length(embedder: EmbeddingCore) -> None:
    counts = embed(embedder, TEXTS).token_counts
    assert all(isinstance(c, int) and c > 0 for c in counts)
    assert counts[1] > counts[0]


def test_over_long_input(embedder: EmbeddingCore) -> None:
    text = "word " * (embedder.info.max_tokens * 2)
    assert embed(embedder, [text]).token_counts[0] == embedder.info.max_tokens
    with pytest.raises(InvalidInput, match=r"input\[1\]"):
        embed(embedder, ["fine", text], truncate=False)


def test_token_ids_are_accepted(embedder: EmbeddingCore) -> None:
    batch = embed(embedder, [(101, 7592, 2088, 102)])
    assert batch.token_counts == [4]
    assert len(batch.vectors[0]) == embedder.info.dimension
