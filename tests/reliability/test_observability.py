"""Request ids on every response, one JSON access line per request, bounded Prometheus labels."""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest
from litestar.testing import TestClient

from entrypoints.http.observe import ACCESS_LOGGER
from tests.reliability.access_log import access_lines, captured_logs
from tests.reliability.conftest import E

HEX_ID = re.compile(r"[0-9a-f]{32}")
ENGINE_METRICS = (
    "embedrank_queue_depth",
    "embedrank_queue_wait_seconds",
    "embedrank_tokenization_seconds",
    "embedrank_inference_seconds",
    "embedrank_batch_size",
    "embedrank_non_finite_outputs_total",
)


@pytest.mark.parametrize(
    ("method", "path", "body"),
    [
        ("GET", "/v1/models", None),
        ("POST", E, {"model": "fake-embed", "input": "x"}),
        ("POST", E, {"model": "fake-embed", "input": ""}),
        ("GET", "/nowhere", None),
        ("DELETE", E, None),
        ("GET", "/ready", None),
        ("GET", "/metrics", None),
    ],
)
def test_every_response_has_a_request_id(client_for: Callable[..., TestClient], method: str, path: str, body) -> None:  # type: ignore[no-untyped-def]
    client = client_for()
    response = client.request(method, path, json=body)
    assert HEX_ID.fullmatch(response.headers["x-request-id"])
    echoed = client.request(method, path, json=body, headers={"X-Request-Id": "trace-42.a:b"})
    assert echoed.headers["x-request-id"] == "trace-42.a:b"


@pytest.mark.parametrize("bad", ["has space", "x" * 129, "semi;colon", "-leading-dash", "ünïcode", ""])
def test_unsafe_request_ids_are_replaced(client_for: Callable[..., TestClient], bad: str) -> None:
    response = client_for().get("/health", headers={"X-Request-Id": bad.encode("utf-8")})  # type: ignore[dict-item]
    assert HEX_ID.fullmatch(response.headers["x-request-id"])


def test_one_json_access_line_per_request(client_for: Callable[..., TestClient]) -> None:
    client = client_for()
    with captured_logs(ACCESS_LOGGER) as lines:
        client.post(E, json={"model": "fake-embed", "input": "secret text"}, headers={"X-Request-Id": "abc123"})
        client.get("/v1/nothing/here?token=123")
    first, second = access_lines(lines)
    assert first == {
        "event": "http_request", "method": "POST", "route": "/v1/embeddings", "status": 200,
        "duration_ms": first["duration_ms"], "request_id": "abc123",
    }  # fmt: skip
    assert second["route"] == "unmatched" and second["status"] == 404
    assert "secret text" not in "".join(lines) and "token=123" not in "".join(lines)


def test_metrics_count_by_route_template_and_status(client_for: Callable[..., TestClient]) -> None:
    client = client_for()
    client.post(E, json={"model": "fake-embed", "input": "x"})
    client.post(E, json={"model": "fake-embed", "input": ""})
    for i in range(3):
        client.get(f"/v1/made-up/{i}")
    client.request("BREW", "/v1/models")
    text = client.get("/metrics").text
    assert re.search(r'embedrank_http_requests_total\{method="POST",route="/v1/embeddings",status="200"\} \d', text)
    assert re.search(r'embedrank_http_requests_total\{method="POST",route="/v1/embeddings",status="400"\} \d', text)
    assert 'route="unmatched",status="404"' in text
    assert 'method="OTHER"' in text
    assert "made-up" not in text and "BREW" not in text
    assert "embedrank_http_request_duration_seconds_bucket" in text
    for engine_metric in ENGINE_METRICS:
        assert f"# HELP {engine_metric} " in text


def test_metrics_route_templates_are_a_bounded_set(client_for: Callable[..., TestClient]) -> None:
    client = client_for()
    for i in range(50):
        client.get(f"/random/{i}")
    routes = set(re.findall(r'embedrank_http_requests_total\{[^}]*route="([^"]*)"', client.get("/metrics").text))
    # Labels are Litestar's path templates, written `{model_id:path}` or `{model_id}` depending on the stage
    # that answered; either way one label per route.
    paths = {r.path for r in client.app.routes}
    templates = paths | {re.sub(r":\w+}", "}", p) for p in paths}
    assert routes <= templates | {"unmatched"}
