"""Strict JSON decoding of request bodies.

Litestar converts bodies leniently ("64" would pass as 64); the API promises strict types, so the
raw body is decoded again with msgspec's strict rules (entrypoints/strict.py). The body is cached by
Litestar, so this costs one extra parse of a small document.
"""

from __future__ import annotations

from typing import TypeVar

from litestar import Request

from entrypoints.strict import decode_json

T = TypeVar("T")


async def decode_strict(request: Request, type_: type[T]) -> T:
    return decode_json(await request.body(), type_)
