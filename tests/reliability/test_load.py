"""64 concurrent clients against a real `embedrank serve` (fake engine, loopback): nothing lost, no 5xx;
with a tiny queue, only 200 or 429, and the server recovers."""

from __future__ import annotations

import asyncio
from pathlib import Path

import httpx
import pytest

from tests.reliability.load import MIXED, run_load
from tests.reliability.servers import embedrank_serve

pytestmark = pytest.mark.timeout(120)
CLIENTS = 64


def test_64_clients_nothing_lost_no_5xx(tmp_path: Path) -> None:
    with embedrank_serve({}, tmp_path / "server.log") as served:
        tally = asyncio.run(run_load(served.base, CLIENTS, seconds=6, bodies=MIXED))
        assert served.process.poll() is None
    assert not tally.failures, tally.failures
    assert tally.answered == tally.sent and tally.sent > CLIENTS * 5
    assert set(tally.statuses) <= {200, 400}, tally.statuses
    assert tally.statuses[400] > 0 and tally.statuses[200] > tally.statuses[400]


def test_overload_with_a_tiny_queue_is_only_200_or_429_and_recovers(tmp_path: Path) -> None:
    env = {"INFINITY_QUEUE_SIZE": "4", "FAKE_DELAY_MS": "50"}
    with embedrank_serve(env, tmp_path / "server.log") as served:
        bodies = [("/v1/embeddings", {"model": "fake-embed", "input": "x"})]
        tally = asyncio.run(run_load(served.base, CLIENTS, seconds=4, bodies=bodies))
        assert not tally.failures, tally.failures
        assert tally.answered == tally.sent
        assert set(tally.statuses) == {200, 429}, tally.statuses
        assert tally.retry_after_missing == 0
        # Recovered: once the burst is over every request is served again.
        for _ in range(5):
            assert httpx.post(f"{served.base}/v1/embeddings", json=bodies[0][1], timeout=10).status_code == 200
        assert httpx.get(f"{served.base}/ready").status_code == 200
