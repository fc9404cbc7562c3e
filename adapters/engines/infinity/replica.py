"""What we change in an infinity model replica: our padder as `encode_pre`, batch metrics, crash reporting.

infinity runs `encode_pre`, `encode_core` and `encode_post` on its own worker threads; an exception
there ends the thread and leaves every waiting caller hanging, so each stage reports it first.
`encode_pre` sees a batch's items (how long each waited), `encode_core` runs its forward; batches go
from one to the other in order, so the waits of each batch are handed over through a FIFO.
"""

from __future__ import annotations

import collections
import functools
import time
from collections.abc import Callable
from typing import Any

from adapters.engines.infinity.tokens import carriers, padding_encode_pre
from adapters.serving.metrics import record_batch


def instrument(replica: Any, tokenizer: Any, model_id: str, on_crash: Callable[[BaseException], None]) -> None:
    """Swap in our padder for `encode_pre`, record each batch, and report any exception of the three stages."""
    pad = padding_encode_pre(tokenizer)
    core = replica.encode_core
    waits: collections.deque[list[float]] = collections.deque()

    def encode_pre(items: list[Any]) -> Any:
        now = time.perf_counter()
        waits.append([now - item.queued_at for item in carriers(items)])
        return pad(items)

    def encode_core(features: Any) -> Any:
        started = time.perf_counter()
        out = core(features)
        ids = features["input_ids"]
        record_batch(
            model_id,
            seconds=time.perf_counter() - started,
            rows=int(ids.shape[0]),
            tokens=int(ids.numel()),
            waits=waits.popleft() if waits else [],
        )
        return out

    replica.encode_pre, replica.encode_core = encode_pre, encode_core
    for stage in ("encode_pre", "encode_core", "encode_post"):
        setattr(replica, stage, _reporting(getattr(replica, stage), on_crash))


def _reporting(fn: Callable[..., Any], on_crash: Callable[[BaseException], None]) -> Callable[..., Any]:
    @functools.wraps(fn)
    def stage(*args: Any, **kwargs: Any) -> Any:
        try:
            return fn(*args, **kwargs)
        except Exception as exc:
            on_crash(exc)
            raise

    return stage
