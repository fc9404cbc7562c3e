"""Blocking work on a thread of its own that ends with it.

Loading a model runs torch on all cores, and libgomp keeps a team of OpenMP workers for every thread
that did so, for as long as that thread lives. asyncio's executor threads live on, so a model loaded
there would leave an idle team behind that slows every later forward pass (see
adapters/cpu/core_share.py). A thread that ends takes its team with it.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import threading
from collections.abc import Callable
from typing import TypeVar

T = TypeVar("T")


async def run_in_own_thread(work: Callable[[], T], *, name: str) -> T:
    """`work()` on a new thread that ends when it returns; its result or exception, awaited."""
    loop = asyncio.get_running_loop()
    done: asyncio.Future[T] = loop.create_future()

    def body() -> None:
        try:
            outcome: Callable[[], None] = functools.partial(_succeed, done, work())
        except BaseException as exc:  # handed to the awaiting task, which decides
            outcome = functools.partial(_fail, done, exc)
        with contextlib.suppress(RuntimeError):  # the loop closed meanwhile: nobody is waiting
            loop.call_soon_threadsafe(outcome)

    threading.Thread(target=body, name=name, daemon=True).start()
    return await done


def _succeed(done: asyncio.Future[T], result: T) -> None:
    if not done.cancelled():
        done.set_result(result)


def _fail(done: asyncio.Future[T], error: BaseException) -> None:
    if not done.cancelled():
        done.set_exception(error)
