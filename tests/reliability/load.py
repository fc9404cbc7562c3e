"""A closed-loop load generator: N clients, each sending its next request when the last is answered."""

from __future__ import annotations

import asyncio
import collections
import time
from dataclasses import dataclass, field
from typing import Any

import httpx


@dataclass
class Tally:
    sent: int = 0
    statuses: collections.Counter[int] = field(default_factory=collections.Counter)
    failures: collections.Counter[str] = field(default_factory=collections.Counter)  # no HTTP answer at all
    latencies: list[float] = field(default_factory=list)
    retry_after_missing: int = 0

    @property
    def answered(self) -> int:
        return sum(self.statuses.values())

    def percentile(self, q: float) -> float:
        ordered = sorted(self.latencies)
        return ordered[min(len(ordered) - 1, int(q * len(ordered)))] if ordered else 0.0


async def run_load(base: str, clients: int, seconds: float, bodies: list[tuple[str, dict[str, Any]]]) -> Tally:
    tally = Tally()
    stop_at = time.monotonic() + seconds
    limits = httpx.Limits(max_connections=clients, max_keepalive_connections=clients)
    async with httpx.AsyncClient(base_url=base, limits=limits, timeout=30) as http:

        async def client(n: int) -> None:
            i = n
            while time.monotonic() < stop_at:
                path, body = bodies[i % len(bodies)]
                i += clients
                tally.sent += 1
                started = time.perf_counter()
                try:
                    response = await http.post(path, json=body)
                except httpx.HTTPError as exc:
                    tally.failures[type(exc).__name__] += 1
                    continue
                tally.latencies.append(time.perf_counter() - started)
                tally.statuses[response.status_code] += 1
                if response.status_code == 429:
                    if "retry-after" not in response.headers:
                        tally.retry_after_missing += 1
                    await asyncio.sleep(0.01)

        await asyncio.gather(*(client(n) for n in range(clients)))
    return tally


MIXED = [
    ("/v1/embeddings", {"model": "fake-embed", "input": "hello world"}),
    ("/v1/embeddings", {"model": "fake-embed", "input": ["a b", "c d e", "f"], "encoding_format": "base64"}),
    ("/v1/rerank", {"model": "fake-rerank", "query": "capital of France", "documents": ["Paris", "Rome", "France"]}),
    ("/v2/rerank", {"model": "fake-rerank", "query": "q", "documents": ["a", "q b"], "top_n": 1}),
    ("/v1/embeddings", {"model": "fake-embed", "input": ""}),  # a 400 in the mix: answered, never lost
]
