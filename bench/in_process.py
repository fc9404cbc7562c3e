"""Engines in the bench's own process, composed as the server composes them (settings → container).

Going through the application's container instead of an engine module keeps the bench on the same
routing, dtype and batching choices the server makes, whatever the engines' modules are called.
"""

from __future__ import annotations

import asyncio
import contextlib
import gc
import time
from collections.abc import AsyncIterator, Mapping
from dataclasses import dataclass, field
from typing import Any

# Benchmarks measure throughput, not the per-request token policy.
NO_BUDGET = 10**12


@contextlib.asynccontextmanager
async def served(env: Mapping[str, str]) -> AsyncIterator[Any]:
    """The model registry (embed / score by model id) for these settings, loaded; released on exit."""
    from application.container import build_container
    from application.settings import load_settings

    container = build_container(load_settings(dict(env)))
    lifecycle = container.lifecycle()
    await lifecycle.start()
    try:
        yield container.registry()
    finally:
        await lifecycle.stop()
        del container, lifecycle
        release_device_memory()


def release_device_memory() -> None:
    """Drop what the last engine left on a GPU before the next loads (nothing to do on a CPU)."""
    import torch

    gc.collect()
    if torch.cuda.is_available():
        torch.cuda.empty_cache()


@dataclass(slots=True)
class Load:
    texts: int = 0
    tokens: int = 0
    seconds: float = 0.0
    latencies: list[float] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        from bench.stats import percentile

        return {
            "texts": self.texts, "tokens": self.tokens, "seconds": round(self.seconds, 3),
            "texts_per_s": round(self.texts / self.seconds, 1) if self.seconds else 0.0,
            "tokens_per_s": round(self.tokens / self.seconds, 1) if self.seconds else 0.0,
            "p50_ms": round(percentile(self.latencies, 50) * 1000, 2) if self.latencies else None,
            "p99_ms": round(percentile(self.latencies, 99) * 1000, 2) if self.latencies else None,
            "requests": len(self.latencies),
        }  # fmt: skip


async def embed_load(registry: Any, model: str, requests: list[list[str]], *, clients: int, seconds: float) -> Load:
    """`clients` callers, each sending its next request when the last is answered, for about `seconds`."""
    load = Load()
    pending = iter(requests)
    started = time.perf_counter()

    async def caller() -> None:
        for texts in pending:
            sent = time.perf_counter()
            batch = await registry.embed(model, texts, truncate=True, max_tokens=NO_BUDGET)
            load.latencies.append(time.perf_counter() - sent)
            load.texts += len(batch.vectors)
            load.tokens += sum(batch.token_counts)
            if time.perf_counter() - started > seconds:
                return

    await asyncio.gather(*(caller() for _ in range(clients)))
    load.seconds = time.perf_counter() - started
    return load
