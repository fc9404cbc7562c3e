"""A request inside the scheduler (Job) and one of its rows waiting for a batch (WaitingItem)."""

from __future__ import annotations

import asyncio
import contextlib
import time
from dataclasses import dataclass, field
from typing import Generic

from adapters.batching.runner import ResultT, RowT


@dataclass(eq=False, slots=True, kw_only=True)
class Job(Generic[ResultT]):
    loop: asyncio.AbstractEventLoop
    future: asyncio.Future[list[ResultT]]
    remaining: int
    submitted: float = field(default_factory=time.perf_counter)
    # Why the requester stopped waiting ("cancelled", "failed"); its rows are then dropped.
    gone: str | None = None
    drop_counted: bool = False
    results: list[ResultT | None] = field(default_factory=list)

    def deliver(self, index: int, result: ResultT) -> None:
        """One row's result (model thread only); the last one answers the request."""
        if self.gone:
            return
        self.results[index] = result
        self.remaining -= 1
        if self.remaining == 0:
            self.settle(self.results)  # type: ignore[arg-type]

    def settle(self, answer: list[ResultT] | BaseException) -> None:
        """Answer the request on its own event loop, from any thread."""
        # A closed event loop raises RuntimeError: nobody is waiting any more.
        with contextlib.suppress(RuntimeError):
            self.loop.call_soon_threadsafe(_resolve, self.future, answer)


def _resolve(future: asyncio.Future[list[ResultT]], answer: list[ResultT] | BaseException) -> None:
    if future.done():
        return
    if isinstance(answer, BaseException):
        future.set_exception(answer)
    else:
        future.set_result(answer)


@dataclass(eq=False, slots=True)
class WaitingItem(Generic[RowT, ResultT]):
    job: Job[ResultT]
    index: int
    length: int
    row: RowT
