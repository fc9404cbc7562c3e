"""The padded forward a GPU runs answers what the packed CPU forward does (forced padded here, on a CPU).

On CUDA the sentence-transformers engine runs the model's own padded forward (left padding and the last
token for Qwen3, right padding and mean pooling for BERT); on a CPU it packs rows. Both behind the same
scheduler, on one mixed-length request (short, long, truncated), must give the same vectors.
"""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from adapters.engines import sentence_transformers
from adapters.engines.base import ModelSpec
from tests.support.served import served_embedder

TEXTS = [
    "a",
    "What is the capital of France?",
    "Rivers carve valleys over millions of years, " * 6,
    "short one",
    "Instruct: Given a web search query, retrieve relevant passages\nQuery:how do rivers shape land",
    "tokens past the model's limit are cut off, and the last one must still be the end of text " * 30,
    "résumé naïve café — 東京 🚀",
]


def vectors(directory: Path, *, pack: bool) -> tuple[list[list[float]], bool]:
    spec = ModelSpec(id="m", path=str(directory), device="cpu", dtype="float32", batch_size=32)
    served = served_embedder(sentence_transformers.load(spec, pack=pack))
    try:
        batch = asyncio.run(served.embed(TEXTS, truncate=True))
        return batch.vectors, served.engine._packed is not None  # type: ignore[attr-defined]
    finally:
        asyncio.run(served.close())


@pytest.mark.parametrize("model", ["qwen3", "minilm"])
def test_the_padded_forward_equals_the_packed_one(
    model: str, qwen3_embedder_dir: Path, bundled_model_path: Path
) -> None:
    directory = qwen3_embedder_dir if model == "qwen3" else bundled_model_path
    packed, was_packed = vectors(directory, pack=True)
    padded, was_padded = vectors(directory, pack=False)
    assert was_packed and not was_padded, "one of each forward ran"
    for i, (a, b) in enumerate(zip(packed, padded, strict=True)):
        cosine = sum(x * y for x, y in zip(a, b, strict=True))
        assert cosine >= 0.99999, f"text {i}: cosine {cosine}"
