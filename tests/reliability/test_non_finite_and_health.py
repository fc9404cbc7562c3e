"""NaN or infinity never leaves in a 200; readiness tells the truth about loading, draining, dead engines."""

from __future__ import annotations

from collections.abc import Callable

from litestar.testing import TestClient
from prometheus_client import REGISTRY

from adapters.engines import fake
from tests.reliability.conftest import E, R, assert_openai_error, fake_app
from tests.reliability.doubles import DeadWorker, non_finite


def non_finite_count(model: str) -> float:
    return REGISTRY.get_sample_value("embedrank_non_finite_outputs_total", {"model": model}) or 0.0


def test_nan_vector_is_a_500_and_counted(client_for: Callable[..., TestClient]) -> None:
    client = client_for(non_finite)
    before = non_finite_count("fake-embed")
    error = assert_openai_error(client.post(E, json={"model": "fake-embed", "input": ["a", "b"]}), 500)
    assert error["code"] == "non_finite_output" and "input[1]" in error["message"]
    assert non_finite_count("fake-embed") == before + 1


def test_infinite_score_is_a_500_and_counted(client_for: Callable[..., TestClient]) -> None:
    client = client_for(non_finite)
    before = non_finite_count("fake-rerank")
    body = {"model": "fake-rerank", "query": "q", "documents": ["a", "b"]}
    error = assert_openai_error(client.post(R, json=body), 500)
    assert error["code"] == "non_finite_output" and "documents[0]" in error["message"]
    assert non_finite_count("fake-rerank") == before + 1


def test_nan_through_cosine_rerank_is_caught_too(client_for: Callable[..., TestClient]) -> None:
    client = client_for(non_finite)
    body = {"model": "fake-embed", "query": "q", "documents": ["a", "b"]}
    assert assert_openai_error(client.post(R, json=body), 500)["code"] == "non_finite_output"


def test_a_dead_engine_turns_readiness_off(client_for: Callable[..., TestClient]) -> None:
    client = client_for(lambda spec: DeadWorker(spec) if spec.id == "fake-embed" else fake.load(spec))
    assert client.get("/ready").status_code == 200
    error = assert_openai_error(client.post(E, json={"model": "fake-embed", "input": "x"}), 503)
    assert error["code"] == "unavailable"
    ready = client.get("/ready")
    assert ready.status_code == 503 and ready.json()["status"] == "failed"
    assert "worker process exited" in ready.json()["detail"]
    assert client.get("/ping").status_code == 503
    assert client.get("/health").status_code == 200  # alive, so the orchestrator can read /ready
    # Other models' requests are refused too: this process must be replaced.
    rerank = client.post(R, json={"model": "fake-rerank", "query": "q", "documents": ["d"]})
    assert_openai_error(rerank, 503)


def test_ping_is_200_when_ready(client_for: Callable[..., TestClient]) -> None:
    assert client_for().get("/ping").status_code == 200


def test_draining_turns_readiness_off_and_refuses_new_work() -> None:
    app, container = fake_app()
    from tests.conftest import wait_ready

    with TestClient(app) as client:
        wait_ready(client)
        container.lifecycle().begin_drain()
        ready = client.get("/ready")
        assert ready.status_code == 503 and ready.json()["status"] == "draining"
        assert client.get("/ping").status_code == 503
        assert client.get("/health").status_code == 200
        error = assert_openai_error(client.post(E, json={"model": "fake-embed", "input": "x"}), 503)
        assert error["code"] == "unavailable" and "shutting down" in error["message"]
        assert client.get("/metrics").status_code == 200
