"""A per-request deadline around a use-case call, shared by the HTTP server and the RunPod worker."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable
from typing import TypeVar

from domain.errors import DeadlineExceeded

T = TypeVar("T")


async def within(seconds: float, work: Awaitable[T]) -> T:
    """`await work`, cancelled after `seconds` (queue wait included) with DeadlineExceeded.

    Cancelling reaches the engine's queue, which drops the request's items instead of computing
    an answer nobody will read.
    """
    try:
        async with asyncio.timeout(seconds) as scope:
            return await work
    except TimeoutError:
        # A TimeoutError raised inside `work` itself is not ours to rename.
        if not scope.expired():
            raise
        raise DeadlineExceeded(
            f"the request did not finish within {seconds:g}s; retry later or send fewer items"
        ) from None
