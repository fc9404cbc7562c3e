"""Every error leaves as the OpenAI error JSON with a 4xx, never a 500 or a traceback."""

from __future__ import annotations

import pytest
from litestar.testing import TestClient

E = "/v1/embeddings"
R = "/v1/rerank"
CASES = [
    (E, {"model": "fake-embed", "input": []}, 400, "input"),
    (E, {"model": "fake-embed", "input": ""}, 400, "input"),
    (E, {"model": "fake-embed", "input": ["ok", ""]}, 400, "input"),
    (E, {"model": "fake-embed"}, 400, None),
    (E, {"model": "nope", "input": "x"}, 404, "model"),
    (E, {"model": "fake-rerank", "input": "x"}, 400, "model"),
    (E, {"model": "fake-embed", "input": "x", "dimensions": "64"}, 400, "dimensions"),
    (E, {"model": "fake-embed", "input": "x", "dimensions": 0}, 400, "dimensions"),
    (E, {"model": "fake-embed", "input": "x", "dimensions": 1.5}, 400, "dimensions"),
    (E, {"model": "fake-embed", "input": "x", "truncate": "yes"}, 400, "truncate"),
    (E, {"model": "fake-embed", "input": "x", "encoding_format": "int8"}, 400, "encoding_format"),
    (E, {"model": "fake-embed", "input": "x", "prompt_type": "passage"}, 400, "prompt_type"),
    (E, {"model": "fake-embed", "input": [1, "a"]}, 400, "input"),
    (E, {"model": "fake-embed", "input": [[1], []]}, 400, "input"),
    (E, {"model": "fake-embed", "input": [-1]}, 400, "input"),
    (E, {"model": "fake-embed", "input": 42}, 400, "input"),
    (E, {"model": 7, "input": "x"}, 400, "model"),
    (E, {"input": "x"}, 400, "model"),
    (R, {"model": "fake-rerank", "query": "q", "documents": []}, 400, "documents"),
    (R, {"model": "fake-rerank", "query": "", "documents": ["d"]}, 400, "query"),
    (R, {"model": "fake-rerank", "query": "q"}, 400, "documents"),
    (R, {"model": "fake-rerank", "query": "q", "documents": ["d"], "top_n": 0}, 400, "top_n"),
    (R, {"model": "fake-rerank", "query": "q", "documents": ["d"], "top_n": "3"}, 400, "top_n"),
    (R, {"model": "fake-rerank", "query": "q", "documents": ["d"], "return_documents": "yes"}, 400, "return_documents"),
    (R, {"model": "fake-rerank", "query": "q", "documents": [3]}, 400, "documents"),
    (R, {"model": "ghost", "query": "q", "documents": ["d"]}, 404, "model"),
]


def assert_openai_error(response, status: int) -> dict:  # type: ignore[no-untyped-def]
    assert response.status_code == status, response.text
    error = response.json()["error"]
    assert set(error) == {"message", "type", "param", "code"}
    assert error["message"] and "Traceback" not in error["message"] and "/work" not in error["message"]
    return error


@pytest.mark.parametrize(("path", "body", "status", "param"), CASES)
def test_bad_bodies(fake_client: TestClient, path: str, body: dict, status: int, param: str | None) -> None:
    error = assert_openai_error(fake_client.post(path, json=body), status)
    if param is not None:
        assert error["param"] == param


@pytest.mark.parametrize(
    "raw", [b"{not json", b"\xff\xfe\x00", b'{"model": "fake-embed", "input": "\xff"}', b"[]", b"null", b""]
)
def test_bodies_that_are_not_json_objects(fake_client: TestClient, raw: bytes) -> None:
    assert_openai_error(fake_client.post(E, content=raw, headers={"content-type": "application/json"}), 400)


def test_unknown_route_and_wrong_method(fake_client: TestClient) -> None:
    assert_openai_error(fake_client.get("/v1/nothing"), 404)
    assert_openai_error(fake_client.get(E), 405)
    assert_openai_error(fake_client.delete("/v1/models"), 405)


def test_body_over_the_limit_is_413(fake_client: TestClient) -> None:
    big = b'{"model": "fake-embed", "input": "' + b"a" * (9 * 1024 * 1024) + b'"}'
    assert_openai_error(fake_client.post(E, content=big, headers={"content-type": "application/json"}), 413)


def test_unknown_fields_are_ignored(fake_client: TestClient) -> None:
    response = fake_client.post(E, json={"model": "fake-embed", "input": "x", "user": "u1", "something": [1]})
    assert response.status_code == 200


def test_while_loading_ready_is_503_and_requests_are_unavailable() -> None:
    import threading

    from dependency_injector import providers

    from adapters.engines import fake
    from application.container import build_container
    from entrypoints.http.app import create_app
    from tests.conftest import fake_settings

    release = threading.Event()

    def slow_load(spec):  # type: ignore[no-untyped-def]
        release.wait(10)
        return fake.load(spec)

    container = build_container(fake_settings())
    container.loader.override(providers.Object(slow_load))
    with TestClient(create_app(container)) as client:
        assert client.get("/health").status_code == 200
        assert client.get("/ready").status_code == 503
        assert client.get("/ping").status_code == 204
        error = assert_openai_error(client.post(E, json={"model": "fake-embed", "input": "x"}), 503)
        assert error["code"] == "unavailable"
        release.set()
