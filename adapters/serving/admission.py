"""The queue bound (INFINITY_QUEUE_SIZE): items admitted and not yet answered, per model."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager

from adapters.serving import metrics
from domain.errors import Overloaded

# What a refused client is told to wait: the queue drains in about a batch's time.
RETRY_AFTER_SECONDS = 1.0


class Admission:
    """Refuses a request at once (Overloaded → 429 + Retry-After) when its items would overfill the
    model's queue, before any tokenising. An idle model takes any one request, so a request larger
    than the whole queue is slow, never impossible."""

    def __init__(self, model_id: str, capacity: int) -> None:
        self._model = model_id
        self._capacity = max(1, capacity)
        self._held = 0
        self._lock = threading.Lock()  # requests may arrive from more than one event loop's thread

    @contextmanager
    def hold(self, items: int) -> Iterator[None]:
        with self._lock:
            if self._held and self._held + items > self._capacity:
                metrics.REJECTED.labels(self._model, "queue_full").inc()
                raise Overloaded(
                    f"model '{self._model}' has {self._held} items queued (limit {self._capacity}); retry shortly",
                    retry_after=RETRY_AFTER_SECONDS,
                )
            self._held += items
            metrics.QUEUE_DEPTH.labels(self._model).set(self._held)
        try:
            yield
        finally:
            with self._lock:
                self._held -= items
                metrics.QUEUE_DEPTH.labels(self._model).set(self._held)
