"""Checks on a request body before anything decodes it: content type, then JSON nesting depth.

Litestar decodes the body (recursively, in C) to fill the handler's `data` before the handler runs;
a body like `[[[[...` thousands deep would overflow that recursion. So the depth is measured on the raw
bytes first, with C-speed bytes operations only.
"""

from __future__ import annotations

import re

from litestar import Request
from litestar.exceptions import HTTPException

from domain.errors import InvalidInput

# A JSON string, escapes included (unrolled so the regex engine never backtracks).
_STRING = re.compile(rb'"[^"\\]*(?:\\.[^"\\]*)*"', re.DOTALL)
_NOT_BRACKETS = bytes(b for b in range(256) if b not in b"[]{}")
_ONE_KIND = bytes.maketrans(b"{}", b"[]")


class BodyGuard:
    """A Litestar `before_request` hook for routes that take a JSON body."""

    def __init__(self, max_depth: int) -> None:
        self._max_depth = max_depth

    async def __call__(self, request: Request) -> None:
        if request.method != "POST":
            return
        check_content_type(request.headers.get("content-type"))
        if json_depth_exceeds(await request.body(), self._max_depth):
            raise InvalidInput(f"the JSON body is nested deeper than {self._max_depth} levels")


def check_content_type(value: str | None) -> None:
    """No Content-Type is read as JSON (as FastAPI does); any other type than JSON is 415."""
    if value is None:
        return
    media = value.split(";", 1)[0].strip().lower()
    if media == "application/json" or (media.startswith("application/") and media.endswith("+json")):
        return
    raise HTTPException(status_code=415, detail="the request body must be JSON: send 'Content-Type: application/json'")


def json_depth_exceeds(body: bytes, max_depth: int) -> bool:
    """Whether brackets nest deeper than `max_depth`, strings ignored. Exact for valid JSON."""
    if body.count(b"[") + body.count(b"{") <= max_depth:
        return False  # the common case: no need to look closer
    brackets = _STRING.sub(b"", body).translate(_ONE_KIND, _NOT_BRACKETS)
    # Each pass removes the innermost level of every nest, so `max_depth` passes empty a valid body
    # that is not too deep; whatever "[]" is left sits deeper.
    for _ in range(max_depth):
        reduced = brackets.replace(b"[]", b"")
        if reduced == brackets:
            break
        brackets = reduced
    # Unclosed openers (invalid JSON) are counted too: the decoder would still recurse into them.
    return b"[]" in brackets or brackets.count(b"[") > max_depth
