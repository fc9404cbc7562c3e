"""Embedding types other than float32, as Cohere and Voyage define them; a wire concern like base64.

- int8 / uint8: scalar quantisation with one fixed scale per vector size, so values from different
  requests compare: ±4/√d (four standard deviations of a unit vector's component) maps to ±127,
  clipped; uint8 is int8 + 128. Cosines survive to ~1e-4.
- binary / ubinary: one bit per dimension (1 where the value is positive), packed 8 per byte, most
  significant bit first; binary is the packed byte − 128 as int8, ubinary the byte itself.
"""

from __future__ import annotations

import base64
import math
import struct
from collections.abc import Sequence
from typing import Literal

Dtype = Literal["float", "int8", "uint8", "binary", "ubinary"]
DTYPES: tuple[Dtype, ...] = ("float", "int8", "uint8", "binary", "ubinary")
_STRUCT = {"float": "f", "int8": "b", "binary": "b", "uint8": "B", "ubinary": "B"}


def quantize(vector: Sequence[float], dtype: Dtype) -> list[float] | list[int]:
    if dtype == "float":
        return list(vector)
    if dtype in ("int8", "uint8"):
        scale = 127 * math.sqrt(len(vector)) / 4
        offset = 128 if dtype == "uint8" else 0
        return [max(-128, min(127, round(x * scale))) + offset for x in vector]
    packed = _pack_bits(vector)
    return [b - 128 for b in packed] if dtype == "binary" else packed


def pack_base64(values: Sequence[float] | Sequence[int], dtype: Dtype) -> str:
    """Little-endian float32, or the int8/uint8 bytes, as numpy's frombuffer reads them back."""
    return base64.b64encode(struct.pack(f"<{len(values)}{_STRUCT[dtype]}", *values)).decode("ascii")


def _pack_bits(vector: Sequence[float]) -> list[int]:
    packed = []
    for start in range(0, len(vector), 8):
        byte = 0
        for offset, value in enumerate(vector[start : start + 8]):
            if value > 0:
                byte |= 0x80 >> offset
        packed.append(byte)
    return packed
