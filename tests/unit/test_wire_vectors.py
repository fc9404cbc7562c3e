"""Vectors on the wire: float32 values exactly, in their shortest form; base64 as the OpenAI SDK decodes it."""

from __future__ import annotations

import base64
import re
from array import array

import msgspec
import numpy as np

from domain.models import EmbeddingsResult, Usage
from entrypoints.convert import embeddings_response


def _vectors() -> list[array[float]]:
    rng = np.random.default_rng(1)
    matrix = rng.standard_normal((8, 256)).astype(np.float32)
    matrix /= np.linalg.norm(matrix, axis=1, keepdims=True)
    return [array("f", row.tobytes()) for row in matrix] + [array("f", [0.1, -0.0, 1e-8, 0.5])]


def _body(encoding: str) -> bytes:
    result = EmbeddingsResult(model="m", vectors=list(_vectors()), usage=Usage.of(3))
    return msgspec.json.encode(embeddings_response(result, encoding))


def test_float_json_reads_back_as_the_same_float32_values_in_their_shortest_form() -> None:
    body = _body("float")
    data = msgspec.json.decode(body)["data"]
    for item, vector in zip(data, _vectors(), strict=True):
        assert np.array_equal(np.asarray(item["embedding"], dtype=np.float32), np.asarray(vector))
    # float64 renderings of float32 values take 17 significant digits; the shortest form at most 9.
    arrays = re.findall(rb'"embedding":\[([^\]]*)\]', body)
    numbers = [n for written in arrays for n in written.split(b",")]
    assert len(numbers) == sum(len(v) for v in _vectors())
    assert max(_significant_digits(n) for n in numbers) <= 9
    assert b"0.1," in body and b"0.1000000014" not in body


def test_base64_is_little_endian_float32_bytes() -> None:
    data = msgspec.json.decode(_body("base64"))["data"]
    for item, vector in zip(data, _vectors(), strict=True):
        decoded = np.frombuffer(base64.b64decode(item["embedding"]), dtype="<f4")
        assert np.array_equal(decoded, np.asarray(vector))


def test_a_plain_list_of_floats_serialises_the_same_way() -> None:
    as_list = EmbeddingsResult(model="m", vectors=[[0.25, -0.5]], usage=Usage.of(1))
    assert msgspec.json.decode(msgspec.json.encode(embeddings_response(as_list, "float")))["data"][0][
        "embedding"
    ] == [0.25, -0.5]


def _significant_digits(number: bytes) -> int:
    mantissa = number.lstrip(b"-").split(b"e")[0].replace(b".", b"")
    return len(mantissa.lstrip(b"0")) or 1
