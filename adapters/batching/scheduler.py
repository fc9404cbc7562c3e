"""One queue per model; batches by token budget; the model runs on threads of its own.

A request's path: `submit` on the event loop with rows already tokenised (the serving core tokenises
and bounds the queue) → the waiting items → a model thread (`plan_batch`, `runner.run`) → its results,
in item order, back on the request's own event loop. There is one model thread unless
`options.model_threads` asks for more (CPUs: see adapters/cpu/core_share.py); then the first takes work
whenever there is some and the others only while it is busy, so a lone batch always runs on the first
(the one an engine gives every core).
Items of a request whose awaiting task was cancelled (client gone, deadline passed) are dropped before
the model.
"""

from __future__ import annotations

import asyncio
import threading
import time
from collections import deque
from collections.abc import Callable, Sequence
from typing import Any, Generic

from adapters.batching.options import BatchingOptions
from adapters.batching.plan import padded_tokens, plan_batch, plan_packed_batch
from adapters.batching.runner import BatchRunner, Prepared, ResultT, RowT
from adapters.batching.work import Job, WaitingItem
from adapters.serving import metrics
from adapters.serving.metrics import record_batch
from domain.errors import Unavailable


class BatchScheduler(Generic[RowT, ResultT]):
    """Batches the rows of every request sent to one model."""

    def __init__(
        self,
        runner: BatchRunner[RowT, ResultT],
        *,
        name: str,
        max_rows: int,
        options: BatchingOptions | None = None,
    ) -> None:
        self._runner = runner
        self._name = name
        self._max_rows = max(1, max_rows)
        self._options = options or BatchingOptions()
        self._waiting: deque[WaitingItem[RowT, ResultT]] = deque()
        self._ready = threading.Condition()
        self._closed = False
        self._busy = 0  # model threads inside `run`
        self._first_busy = False  # the first model thread is inside `run`: the others may take work
        self._worked = False  # a batch ran since the runner's last `on_idle`
        self._threads = [
            threading.Thread(target=self._run_forever, args=(n == 0,), name=f"{name}-model-{n}", daemon=True)
            for n in range(max(1, self._options.model_threads))
        ]
        for thread in self._threads:
            thread.start()

    async def submit(self, rows: Sequence[Prepared[RowT]]) -> list[ResultT]:
        """One result per row, in row order. Raises Unavailable once closed, and whatever `run` raised."""
        if self._closed:
            raise Unavailable(f"model '{self._name}' is shutting down")
        if not rows:
            return []
        loop = asyncio.get_running_loop()
        job: Job[ResultT] = Job(loop=loop, future=loop.create_future(), remaining=len(rows))
        job.results = [None] * len(rows)
        with self._ready:
            self._waiting.extend(WaitingItem(job, i, p.length, p.row) for i, p in enumerate(rows))
            self._ready.notify_all()  # the first model thread must hear it, whichever else waits
        try:
            return await job.future
        except asyncio.CancelledError:
            job.gone = "cancelled"
            raise

    async def close(self) -> None:
        """Finish the work already accepted, then stop the model threads."""
        with self._ready:
            self._closed = True
            self._ready.notify_all()
        await asyncio.to_thread(self._join)

    def _join(self) -> None:
        for thread in self._threads:
            thread.join()

    # The model threads: the only ones that run the model (one unless options.model_threads says more).
    def _run_forever(self, first: bool) -> None:
        while True:
            with self._ready:
                while not self._may_take(first) and not self._closed:
                    if not self._ready.wait(self._options.idle_seconds) and self._quiet_since_work():
                        self._ready.release()
                        try:
                            self._runner.on_idle()
                        finally:
                            self._ready.acquire()
                if not self._waiting:
                    return
                batch = self._next_batch()
                self._busy += 1
                self._first_busy = self._first_busy or first
                if self._waiting:
                    self._ready.notify_all()  # work is left: another model thread may take it meanwhile
            hand_over = None
            try:
                if batch:
                    hand_over = self._run(batch)
            finally:
                with self._ready:
                    self._busy -= 1
                    self._worked = True
                    if first:
                        self._first_busy = False  # what is left waits for the first, which loops to take it
            # Only now do the callers hear back: a caller's next lone request must find the first thread free.
            if hand_over is not None:
                hand_over()

    def _may_take(self, first: bool) -> bool:
        """Work is waiting and this thread may take it: the first always, the others while it is busy."""
        return bool(self._waiting) and (first or self._first_busy)

    def _quiet_since_work(self) -> bool:
        """Nothing ran for `idle_seconds` since the last batch: once per lull, the runner may tidy up."""
        if self._busy or not self._worked:
            return False
        self._worked = False
        return True

    def _next_batch(self) -> list[WaitingItem[RowT, ResultT]]:
        window: list[WaitingItem[RowT, ResultT]] = []
        while self._waiting and len(window) < self._options.lookahead:
            item = self._waiting.popleft()
            if item.job.gone:
                self._count_drop(item.job)
            else:
                window.append(item)
        chosen = set(self._plan([item.length for item in window]))
        # Items not chosen go back to the front, still in arrival order.
        self._waiting.extendleft(reversed([item for k, item in enumerate(window) if k not in chosen]))
        return [window[k] for k in sorted(chosen)]

    def _plan(self, lengths: list[int]) -> list[int]:
        options = self._options
        if options.packed:
            return plan_packed_batch(lengths, token_budget=options.token_budget, max_rows=self._max_rows)
        return plan_batch(
            lengths, token_budget=options.token_budget, max_rows=self._max_rows, min_efficiency=options.min_efficiency
        )

    def _batch_tokens(self, lengths: list[int]) -> int:
        """What the token budget counts: real tokens for an engine that packs its rows, else padded ones."""
        return sum(lengths) if self._options.packed else padded_tokens(lengths)

    def _run(self, batch: Sequence[WaitingItem[RowT, ResultT]]) -> Callable[[], None]:
        """Run the batch; what it returns hands the results (or the failure) to the waiting callers."""
        started = time.perf_counter()
        try:
            results = self._runner.run([item.row for item in batch])
            if len(results) != len(batch):
                raise RuntimeError(f"the runner returned {len(results)} results for {len(batch)} rows")
        except Exception as exc:
            failure = exc
            return lambda: self._fail(batch, failure)
        record_batch(
            self._name,
            seconds=time.perf_counter() - started,
            rows=len(batch),
            tokens=self._batch_tokens([item.length for item in batch]),
            waits=[started - item.job.submitted for item in batch],
        )
        return lambda: self._deliver(batch, results)

    @staticmethod
    def _deliver(batch: Sequence[WaitingItem[RowT, ResultT]], results: Sequence[ResultT]) -> None:
        for item, result in zip(batch, results, strict=True):
            item.job.deliver(item.index, result)

    @staticmethod
    def _fail(batch: Sequence[WaitingItem[RowT, ResultT]], failure: Exception) -> None:
        for job in {id(item.job): item.job for item in batch}.values():
            job.gone = job.gone or "failed"
            job.settle(failure)

    def _count_drop(self, job: Job[Any]) -> None:
        if job.gone == "cancelled" and not job.drop_counted:
            job.drop_counted = True
            metrics.REJECTED.labels(self._name, job.gone).inc()
