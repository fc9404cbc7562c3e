"""API keys: every route of the app, enumerated, with no key, a wrong key and each right key.

New routes are picked up from `app.routes`, so none can slip past auth unnoticed.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest
from litestar.testing import TestClient

from entrypoints.http import auth
from entrypoints.http.auth import BearerAuth
from tests.reliability.access_log import captured_logs
from tests.reliability.conftest import E, assert_openai_error, fake_app

KEYS = ("first-key-0123456789abcdef", "second-key-fedcba9876543210")
OPEN = {"/health", "/ready", "/ping", "/metrics"}
BODIES = {"/embeddings": {"model": "fake-embed", "input": "x"}, "/rerank": {"query": "q", "documents": ["d"]}}


@pytest.fixture(scope="module")
def client() -> Iterator[TestClient]:
    from tests.conftest import wait_ready

    app, _ = fake_app(API_KEY=";".join(KEYS))
    with TestClient(app) as client:
        wait_ready(client)
        yield client


def every_route(client: TestClient) -> list[tuple[str, str]]:
    app = client.app
    pairs = []
    for route in app.routes:
        path = route.path.replace("{path:str}", "swagger")
        pairs += [(method, path) for method in sorted(route.methods)]  # type: ignore[attr-defined]
    assert len(pairs) > 20
    return pairs


def call(client: TestClient, method: str, path: str, key: str | None):  # type: ignore[no-untyped-def]
    headers = {"Authorization": f"Bearer {key}"} if key is not None else {}
    body = next((b for suffix, b in BODIES.items() if path.endswith(suffix)), None)
    return client.request(method, path, json=body if method == "POST" else None, headers=headers)


def test_every_route_needs_a_key_except_the_allowlist(client: TestClient) -> None:
    for method, path in every_route(client):
        for key in (None, "wrong-key", KEYS[0][:-1], KEYS[0] + "x", ""):
            response = call(client, method, path, key)
            if path in OPEN:
                assert response.status_code != 401, (method, path, key)
                continue
            error = assert_openai_error(response, 401)
            assert error["code"] == "invalid_api_key", (method, path)
            assert response.headers["www-authenticate"].startswith("Bearer"), (method, path)


def test_every_route_accepts_each_right_key(client: TestClient) -> None:
    for method, path in every_route(client):
        for key in KEYS:
            assert call(client, method, path, key).status_code != 401, (method, path)


def test_scheme_is_case_insensitive_and_other_schemes_fail(client: TestClient) -> None:
    assert client.get("/v1/models", headers={"Authorization": f"bearer {KEYS[1]}"}).status_code == 200
    assert client.get("/v1/models", headers={"Authorization": f"Basic {KEYS[1]}"}).status_code == 401
    assert client.get("/v1/models", headers={"Authorization": KEYS[1]}).status_code == 401
    assert client.get("/v1/models", headers={"X-Api-Key": KEYS[1]}).status_code == 401


def test_unknown_routes_need_a_key_too(client: TestClient) -> None:
    assert_openai_error(client.get("/v1/secret-admin"), 401)
    assert client.get("/v1/secret-admin", headers={"Authorization": f"Bearer {KEYS[0]}"}).status_code == 404


def test_the_key_never_leaks(client: TestClient) -> None:
    with captured_logs() as lines:
        for key in (*KEYS, "wrong-key-that-must-not-leak"):
            call(client, "POST", E, key)
            call(client, "POST", E + "?x=1", key)
            call(client, "GET", "/nope", key)
        schema = client.get("/schema/openapi.json", headers={"Authorization": f"Bearer {KEYS[0]}"}).text
        metrics = client.get("/metrics").text
        refused = client.get("/v1/models", headers={"Authorization": "Bearer wrong-key-that-must-not-leak"}).text
    for secret in (*KEYS, "wrong-key-that-must-not-leak"):
        for where, text in (("logs", "\n".join(lines)), ("schema", schema), ("metrics", metrics), ("error", refused)):
            assert secret not in text, f"a key appears in the {where}"
    assert '"bearerAuth"' in schema  # the scheme is documented, no key is


def test_metrics_can_require_the_key(client_for: Callable[..., TestClient]) -> None:
    client = client_for(API_KEY="k-123", METRICS_REQUIRE_AUTH="true")
    assert_openai_error(client.get("/metrics"), 401)
    assert client.get("/metrics", headers={"Authorization": "Bearer k-123"}).status_code == 200
    assert client.get("/ready").status_code == 200


def test_no_key_configured_means_open(client_for: Callable[..., TestClient]) -> None:
    assert client_for().get("/v1/models").status_code == 200


def test_every_key_is_compared_even_after_a_match(monkeypatch: pytest.MonkeyPatch) -> None:
    compared: list[bytes] = []
    real = auth.hmac.compare_digest

    def counting(a: bytes, b: bytes) -> bool:
        compared.append(b)
        return real(a, b)

    monkeypatch.setattr(auth.hmac, "compare_digest", counting)
    guard = BearerAuth(app=None, keys=["a", "b", "c"], open_paths=())  # type: ignore[arg-type]
    for token in (b"a", b"c", b"nope"):
        compared.clear()
        guard.accepts(token)
        assert len(compared) == 3, token
