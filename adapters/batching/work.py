"""A request inside the scheduler (Job) and one of its items waiting for a batch (WaitingItem)."""

from __future__ import annotations

import asyncio
import contextlib
import time
from dataclasses import dataclass, field
from typing import Generic

from adapters.batching.runner import RequestT, ResultT, RowT


@dataclass(frozen=True, slots=True)
class Outcome(Generic[ResultT]):
    """A request's answer: one result and one token length per item, in item order."""

    results: list[ResultT]
    lengths: list[int]


@dataclass(eq=False, slots=True, kw_only=True)
class Job(Generic[RequestT, ResultT]):
    request: RequestT
    size: int
    loop: asyncio.AbstractEventLoop
    future: asyncio.Future[Outcome[ResultT]]
    submitted: float = field(default_factory=time.perf_counter)
    # Why the requester stopped waiting ("cancelled", "deadline", "failed"); its items are then dropped.
    gone: str | None = None
    drop_counted: bool = False
    results: list[ResultT | None] = field(default_factory=list)
    lengths: list[int] = field(default_factory=list)
    remaining: int = 0

    def expect(self, lengths: list[int]) -> None:
        """Called once tokenised: the item count and lengths the answer will have."""
        self.lengths = lengths
        self.results = [None] * len(lengths)
        self.remaining = len(lengths)

    def deliver(self, index: int, result: ResultT) -> None:
        """One item's result (model thread only); the last one answers the request."""
        if self.gone:
            return
        self.results[index] = result
        self.remaining -= 1
        if self.remaining == 0:
            self.settle(Outcome(results=self.results, lengths=self.lengths))  # type: ignore[arg-type]

    def settle(self, answer: Outcome[ResultT] | BaseException) -> None:
        """Answer the request on its own event loop, from any thread."""
        # A closed event loop raises RuntimeError: nobody is waiting any more.
        with contextlib.suppress(RuntimeError):
            self.loop.call_soon_threadsafe(_resolve, self.future, answer)


def _resolve(future: asyncio.Future[Outcome[ResultT]], answer: Outcome[ResultT] | BaseException) -> None:
    if future.done():
        return
    if isinstance(answer, BaseException):
        future.set_exception(answer)
    else:
        future.set_result(answer)


@dataclass(eq=False, slots=True)
class WaitingItem(Generic[RequestT, RowT, ResultT]):
    job: Job[RequestT, ResultT]
    index: int
    length: int
    row: RowT
