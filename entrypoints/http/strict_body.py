"""Strict JSON decoding of request bodies.

Litestar converts bodies leniently ("64" would pass as 64); the API promises strict types, so the
raw body is decoded again with msgspec's strict rules. The body is cached by Litestar, so this costs
one extra parse of a small document.
"""

from __future__ import annotations

import re
from typing import TypeVar

import msgspec
from litestar import Request

from domain.errors import InvalidInput
from domain.use_cases.validation import field_of

T = TypeVar("T")
_PATH = re.compile(r" - at `\$\.?([^`]*)`$")


async def decode_strict(request: Request, type_: type[T]) -> T:
    try:
        return msgspec.json.decode(await request.body(), type=type_, strict=True)
    except msgspec.ValidationError as exc:
        raise invalid_body(str(exc)) from None


def invalid_body(message: str) -> InvalidInput:
    """An InvalidInput whose param is the JSON path msgspec reports (`$.input[0]` → `input[0]`)."""
    match = _PATH.search(message)
    path = match.group(1) or None if match else None
    text = _PATH.sub("", message)
    if path is None:
        return InvalidInput(text)
    return InvalidInput(f"{text} (at '{path}')", param=field_of(path))
