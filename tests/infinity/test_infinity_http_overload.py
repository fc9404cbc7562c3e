"""INFINITY_QUEUE_SIZE through the HTTP server: a full queue answers 429 with Retry-After at once."""

from __future__ import annotations

import asyncio

import httpx
import pytest

from application.container import build_container
from application.settings import load_settings
from entrypoints.http.app import create_app
from tests.reliability.servers import in_thread

MODEL = "sentence-transformers/all-MiniLM-L6-v2"


@pytest.mark.slow
def test_tiny_queue_gives_429_not_a_hang() -> None:
    settings = load_settings({"ENGINE": "infinity", "DEVICE": "cpu", "INFINITY_QUEUE_SIZE": "4"})
    body = {"model": MODEL, "input": ["a sentence to embed " * 20] * 2}

    async def burst(base: str) -> list[httpx.Response]:
        async with httpx.AsyncClient(base_url=base, timeout=60) as client:
            return await asyncio.gather(*(client.post("/v1/embeddings", json=body) for _ in range(24)))

    with in_thread(create_app(build_container(settings)), timeout=120) as base:
        responses = asyncio.run(asyncio.wait_for(burst(base), timeout=90))
        statuses = [r.status_code for r in responses]
        assert set(statuses) <= {200, 429} and 200 in statuses and 429 in statuses, statuses
        refused = next(r for r in responses if r.status_code == 429)
        assert int(refused.headers["retry-after"]) >= 1
        assert refused.json()["error"]["code"] == "overloaded"
        recovered = httpx.post(f"{base}/v1/embeddings", json=body, timeout=60)
        assert recovered.status_code == 200
