"""Strict decoding shared by both entrypoints: "64" is not a number and "yes" is not a boolean.

Errors name the JSON path msgspec reports, as the field the client must fix.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any, TypeVar

import msgspec

from domain.errors import InvalidInput
from domain.use_cases.validation import field_of

T = TypeVar("T")
_PATH = re.compile(r" - at `\$\.?([^`]*)`$")


def decode_json(body: bytes, type_: type[T]) -> T:
    """A request body (JSON bytes) as `type_`."""
    try:
        return msgspec.json.decode(body, type=type_, strict=True)
    except msgspec.ValidationError as exc:
        raise invalid_body(str(exc)) from None


def decode_value(value: Mapping[str, Any], type_: type[T]) -> T:
    """An already-parsed JSON object (a RunPod job's input) as `type_`."""
    try:
        return msgspec.convert(value, type=type_, strict=True)
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
