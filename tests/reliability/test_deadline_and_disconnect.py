"""A request past REQUEST_TIMEOUT is 504; a client that leaves has its queued work dropped."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable

import httpx
import pytest
from litestar.testing import TestClient

from adapters.engines import fake
from adapters.engines.base import Engine, ModelSpec
from tests.reliability.conftest import E, assert_openai_error, fake_app
from tests.reliability.doubles import QueuedModel
from tests.reliability.servers import in_thread


def test_deadline_is_504_with_the_error_json(client_for: Callable[..., TestClient]) -> None:
    client = client_for(REQUEST_TIMEOUT="0.2", FAKE_DELAY_MS="3000")
    started = time.perf_counter()
    error = assert_openai_error(client.post(E, json={"model": "fake-embed", "input": "x"}), 504)
    assert time.perf_counter() - started < 2
    assert error["code"] == "deadline_exceeded" and "0.2s" in error["message"]


def test_deadline_frees_the_queue(client_for: Callable[..., TestClient]) -> None:
    # The timed-out request's items leave the fake engine's 1-item queue: the next one is admitted.
    client = client_for(REQUEST_TIMEOUT="0.2", FAKE_DELAY_MS="1000", INFINITY_QUEUE_SIZE="1")
    assert client.post(E, json={"model": "fake-embed", "input": "x"}).status_code == 504
    assert client.post(E, json={"model": "fake-embed", "input": "y"}).status_code == 504  # not 429


@pytest.mark.timeout(60)
def test_a_client_that_disconnects_has_its_queued_work_dropped() -> None:
    release = threading.Event()
    models: dict[str, Engine] = {}

    def load(spec: ModelSpec) -> Engine:
        models[spec.id] = QueuedModel(spec, release) if spec.id == "fake-embed" else fake.load(spec)
        return models[spec.id]

    app, _ = fake_app(load)
    with in_thread(app) as base:
        first: list[int] = []
        holder = threading.Thread(
            target=lambda: first.append(
                httpx.post(f"{base}{E}", json={"model": "fake-embed", "input": "first"}, timeout=30).status_code
            )
        )
        holder.start()
        _wait_for(lambda: models["fake-embed"].ran == ["first"])  # type: ignore[union-attr]

        # The second request queues behind the first; its client gives up and closes the connection.
        with pytest.raises(httpx.ReadTimeout):
            httpx.post(f"{base}{E}", json={"model": "fake-embed", "input": "second"}, timeout=0.5)
        time.sleep(0.3)  # the server notices the disconnect and cancels the handler
        release.set()
        holder.join(10)

        assert first == [200]
        assert models["fake-embed"].ran == ["first"]  # type: ignore[union-attr]
        metrics = httpx.get(f"{base}/metrics").text
        assert 'route="/v1/embeddings",status="499"' in metrics


def _wait_for(condition: Callable[[], bool], timeout: float = 10) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "condition not met in time"
        time.sleep(0.02)
