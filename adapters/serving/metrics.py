"""Engine-side Prometheus metrics, the same names for every engine (TEI's `te_*` set is the model).

Label sets are bounded: model ids come from configuration, never from requests. The serving core
records admission, tokenisation, rejections and non-finite outputs; each engine records the batches it
runs through `record_batch`, wherever its batching happens (our scheduler, infinity's, a worker thread).
"""

from __future__ import annotations

from collections.abc import Iterable

from prometheus_client import Counter, Gauge, Histogram

QUEUE_DEPTH = Gauge("embedrank_queue_depth", "Items admitted and not yet answered, per model", ["model"])
QUEUE_WAIT = Histogram("embedrank_queue_wait_seconds", "Time an item waited before its batch ran", ["model"])
TOKENIZATION = Histogram("embedrank_tokenization_seconds", "Time spent tokenising a request", ["model"])
INFERENCE = Histogram("embedrank_inference_seconds", "Time one model forward batch took", ["model"])
BATCH_SIZE = Histogram(
    "embedrank_batch_size", "Items per forward batch", ["model"], buckets=(1, 2, 4, 8, 16, 32, 64, 128, 256, 512)
)
BATCH_TOKENS = Histogram(
    "embedrank_batch_tokens",
    "Tokens per forward batch (padding included, unless the engine packs its rows)",
    ["model"],
    buckets=(64, 256, 1024, 4096, 8192, 16384, 32768, 65536),
)
REJECTED = Counter("embedrank_rejected_total", "Requests refused or dropped before model work", ["model", "reason"])
NON_FINITE = Counter("embedrank_non_finite_outputs_total", "Outputs with NaN or infinity, never sent", ["model"])


def record_batch(model: str, *, seconds: float, rows: int, tokens: int, waits: Iterable[float]) -> None:
    """One forward batch an engine ran: its time, rows, tokens, and how long each of its items waited."""
    INFERENCE.labels(model).observe(seconds)
    BATCH_SIZE.labels(model).observe(rows)
    BATCH_TOKENS.labels(model).observe(tokens)
    wait = QUEUE_WAIT.labels(model)
    for seconds_waited in waits:
        wait.observe(max(0.0, seconds_waited))
