"""Servers the client-library tests share: `embedrank serve` on the fake engine and on the bundled model.

Each starts once per session; every test talks to it through a real client library, unmodified.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.reliability.servers import Served, embedrank_serve
from tests.support.servers import http_server

# The names clients send: a reranker, a plain embedder, an instruction-aware (Qwen3-like) embedder.
FAKE_MODELS = "fake-embed;fake-rerank;qwen3-embed-fake"
MINILM = "sentence-transformers/all-MiniLM-L6-v2"


@pytest.fixture(scope="session")
def fake_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    log = tmp_path_factory.mktemp("clients") / "fake-server.log"
    with embedrank_serve({"MODEL_NAMES": FAKE_MODELS}, log) as served:
        yield served


@pytest.fixture(scope="session")
def minilm_server() -> Iterator[str]:
    """The bundled all-MiniLM-L6-v2 in fp32, where the vectors themselves are checked."""
    with http_server({"ENGINE": "sentence-transformers", "DEVICE": "cpu", "DTYPES": "fp32"}) as base:
        yield base


@pytest.fixture(scope="session")
def tiktoken_offline(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    """tiktoken (inside langchain-openai) finds cl100k_base in a cache built from the shipped table."""
    from tests.support.tiktoken_cache import write_tiktoken_cache

    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("TIKTOKEN_CACHE_DIR", str(write_tiktoken_cache(tmp_path_factory.mktemp("tiktoken"))))
        yield
