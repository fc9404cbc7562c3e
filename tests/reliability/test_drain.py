"""SIGTERM with requests in flight: /ready turns 503 at once, new requests get 503, every in-flight request
is answered 200, and the process exits 0."""

from __future__ import annotations

import asyncio
import re
import signal
import threading
import time
from pathlib import Path

import httpx
import pytest

from application.container import build_container
from domain.errors import Unavailable
from tests.conftest import fake_settings
from tests.reliability.servers import embedrank_serve

pytestmark = pytest.mark.timeout(90)
IN_FLIGHT = 8
BODY = {"model": "fake-embed", "input": "slow"}


def in_flight(base: str) -> float:
    text = httpx.get(f"{base}/metrics", timeout=5).text
    match = re.search(r"^embedrank_http_requests_in_flight (\S+)$", text, flags=re.MULTILINE)
    return float(match.group(1)) - 1 if match else 0.0  # minus this /metrics request


def test_sigterm_drains_in_flight_requests_and_exits_0(tmp_path: Path) -> None:
    env = {"FAKE_DELAY_MS": "2000", "DRAIN_TIMEOUT": "20"}
    with embedrank_serve(env, tmp_path / "server.log") as served:
        statuses: list[int] = []
        lock = threading.Lock()

        def one() -> None:
            status = httpx.post(f"{served.base}/v1/embeddings", json=BODY, timeout=30).status_code
            with lock:
                statuses.append(status)

        threads = [threading.Thread(target=one) for _ in range(IN_FLIGHT)]
        for thread in threads:
            thread.start()
        deadline = time.monotonic() + 10
        while in_flight(served.base) < IN_FLIGHT:
            assert time.monotonic() < deadline, "requests never got in flight"
            time.sleep(0.05)

        signalled = time.monotonic()
        served.process.send_signal(signal.SIGTERM)
        ready = httpx.get(f"{served.base}/ready", timeout=5)
        assert ready.status_code == 503 and ready.json()["status"] == "draining"
        refused = httpx.post(f"{served.base}/v1/embeddings", json=BODY, timeout=5)
        assert refused.status_code == 503 and refused.json()["error"]["code"] == "unavailable"
        assert time.monotonic() - signalled < 1.5  # all of this while the in-flight ones still run

        for thread in threads:
            thread.join(30)
        assert statuses == [200] * IN_FLIGHT
        assert served.process.wait(15) == 0
    log = served.log_text()
    assert "draining" in log and "Traceback" not in log


def test_the_drain_helper_refuses_new_work_and_waits_for_admitted_work() -> None:
    # The same helper the RunPod worker uses around each job.
    lifecycle = build_container(fake_settings()).lifecycle()

    async def scenario() -> None:
        finished: list[str] = []

        async def job(name: str, seconds: float) -> None:
            with lifecycle.admit():
                await asyncio.sleep(seconds)
                finished.append(name)

        running = asyncio.ensure_future(job("admitted", 0.3))
        await asyncio.sleep(0.05)
        lifecycle.begin_drain()
        assert not lifecycle.readiness().ready
        with pytest.raises(Unavailable), lifecycle.admit():
            pass
        assert lifecycle.in_flight == 1
        assert await lifecycle.wait_idle(5)
        assert finished == ["admitted"] and lifecycle.in_flight == 0
        await running

    asyncio.run(scenario())


def test_wait_idle_gives_up_at_its_timeout() -> None:
    lifecycle = build_container(fake_settings()).lifecycle()

    async def scenario() -> None:
        with lifecycle.admit():
            started = time.monotonic()
            assert not await lifecycle.wait_idle(0.2)
            assert 0.15 < time.monotonic() - started < 1

    asyncio.run(scenario())
