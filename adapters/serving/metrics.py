"""Engine-side Prometheus metrics (TEI's `te_*` set is the model). Label sets are bounded: model ids
come from configuration, never from requests."""

from __future__ import annotations

from prometheus_client import Counter, Gauge, Histogram

QUEUE_DEPTH = Gauge("embedrank_queue_depth", "Items waiting in a model's queue", ["model"])
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
REJECTED = Counter("embedrank_rejected_total", "Requests refused before model work", ["model", "reason"])
NON_FINITE = Counter("embedrank_non_finite_outputs_total", "Outputs with NaN or infinity, never sent", ["model"])
