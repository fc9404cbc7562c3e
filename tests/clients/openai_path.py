"""The reference every dialect's vectors are held to: our OpenAI route, asked for floats over plain HTTP."""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import httpx


def openai_vectors(base: str, model: str, texts: Sequence[str], **fields: Any) -> list[list[float]]:
    body = {"model": model, "input": list(texts), "encoding_format": "float", **fields}
    response = httpx.post(f"{base}/v1/embeddings", json=body, timeout=30)
    response.raise_for_status()
    return [d["embedding"] for d in response.json()["data"]]


def cosine(a: Sequence[float], b: Sequence[float]) -> float:
    dot = math.fsum(x * y for x, y in zip(a, b, strict=True))
    return dot / math.sqrt(math.fsum(x * x for x in a) * math.fsum(y * y for y in b))


def dequantized_cosine(values: Sequence[int], reference: Sequence[float], offset: int = 0) -> float:
    return cosine([v - offset for v in values], reference)


def assert_same_vectors(ours: Sequence[Sequence[float]], reference: Sequence[Sequence[float]]) -> None:
    """Same vectors up to float32 rounding (clients that take base64 get float32)."""
    assert len(ours) == len(reference)
    for a, b in zip(ours, reference, strict=True):
        assert cosine(a, b) >= 0.999999
