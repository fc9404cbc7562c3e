"""Fixtures for the reliability suite: apps on the fake engine, with settings and models swapped per test."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest
from dependency_injector import providers
from litestar import Litestar
from litestar.testing import TestClient

from adapters.engines.base import Engine, ModelSpec
from application.container import Container, build_container
from entrypoints.http.app import create_app
from tests.conftest import fake_settings, wait_ready

E = "/v1/embeddings"
R = "/v1/rerank"


def fake_app(load: Callable[[ModelSpec], Engine] | None = None, **env: str) -> tuple[Litestar, Container]:
    """The app on the fake engine with `env` settings; `load` swaps in test-double models."""
    container = build_container(fake_settings(**env))
    if load is not None:
        container.loader.override(providers.Object(load))
    return create_app(container), container


@pytest.fixture
def client_for() -> Iterator[Callable[..., TestClient]]:
    """`client_for(load=None, **env)`: a ready TestClient; closed at the end of the test."""
    clients: list[TestClient] = []

    def make(load: Callable[[ModelSpec], Engine] | None = None, **env: str) -> TestClient:
        app, _ = fake_app(load, **env)
        client = TestClient(app)
        client.__enter__()
        clients.append(client)
        wait_ready(client)
        return client

    yield make
    for client in clients:
        client.__exit__(None, None, None)


def assert_openai_error(response, status: int) -> dict:  # type: ignore[no-untyped-def]
    """The status, the OpenAI error shape, and nothing internal in the message."""
    assert response.status_code == status, response.text[:500]
    error = response.json()["error"]
    assert set(error) == {"message", "type", "param", "code"}, error
    assert isinstance(error["message"], str) and error["message"]
    assert_no_internals(error["message"])
    return error


def assert_no_internals(text: str) -> None:
    assert "Traceback" not in text and 'File "' not in text, text
    assert "/work/" not in text and "site-packages" not in text and ".py" not in text, text
