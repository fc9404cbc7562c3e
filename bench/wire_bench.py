"""Bytes and serialisation time of an embeddings response: 64 vectors of 1024 float32 values.

`python -m bench.wire_bench` compares how the wire used to carry vectors (each value a Python float,
written in float64's 17 digits; base64 packed value by value) with what it does now (float32 values
written in their shortest round-tripping form; base64 from the vector's bytes in one call).
"""

from __future__ import annotations

import base64
import functools
import struct
import time
from array import array
from collections.abc import Callable

import msgspec
import numpy as np

from domain.models import EmbeddingsResult, Usage
from entrypoints.convert import embeddings_response

ROWS, WIDTH, REPEATS = 64, 1024, 50


def _vectors() -> list[array[float]]:
    rng = np.random.default_rng(0)
    matrix = rng.standard_normal((ROWS, WIDTH)).astype(np.float32)
    matrix /= np.linalg.norm(matrix, axis=1, keepdims=True)
    return [array("f", row.tobytes()) for row in matrix]


def _before(vectors: list[array[float]], encoding: str) -> bytes:
    if encoding == "base64":
        data = [base64.b64encode(struct.pack(f"<{len(v)}f", *v)).decode("ascii") for v in vectors]
    else:
        data = [list(v) for v in vectors]  # type: ignore[misc]
    body = {"object": "list", "model": "m", "data": [{"object": "embedding", "index": i, "embedding": e}
            for i, e in enumerate(data)], "usage": {"prompt_tokens": 1, "total_tokens": 1}}  # fmt: skip
    return msgspec.json.encode(body)


def _after(vectors: list[array[float]], encoding: str) -> bytes:
    result = EmbeddingsResult(model="m", vectors=list(vectors), usage=Usage.of(1))
    return msgspec.json.encode(embeddings_response(result, encoding))


def _time(encode: Callable[[], bytes]) -> tuple[float, int]:
    size = len(encode())
    started = time.perf_counter()
    for _ in range(REPEATS):
        encode()
    return (time.perf_counter() - started) / REPEATS * 1000, size


def main() -> None:
    vectors = _vectors()
    for encoding in ("float", "base64"):
        before_ms, before_bytes = _time(functools.partial(_before, vectors, encoding))
        after_ms, after_bytes = _time(functools.partial(_after, vectors, encoding))
        decoded = msgspec.json.decode(_after(vectors, encoding))["data"][0]["embedding"]
        if encoding == "float":
            assert np.array_equal(np.asarray(decoded, dtype=np.float32), np.asarray(vectors[0])), "not exact"
        print(
            f"{encoding:>6}: before {before_bytes:>9,} bytes {before_ms:6.2f} ms | "
            f"after {after_bytes:>9,} bytes {after_ms:6.2f} ms | bytes x{after_bytes / before_bytes:.2f}, "
            f"time x{after_ms / before_ms:.2f}"
        )


if __name__ == "__main__":
    main()
