"""Session-scoped tiny Qwen3 checkpoints (built in seconds, never committed)."""

from __future__ import annotations

from pathlib import Path

import pytest

from bench.qwen3_tiny import build_qwen3_embedder, build_qwen3_reranker


@pytest.fixture(scope="session")
def qwen3_embedder_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_qwen3_embedder(tmp_path_factory.mktemp("qwen3-embedder"))


@pytest.fixture(scope="session")
def qwen3_reranker_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_qwen3_reranker(tmp_path_factory.mktemp("qwen3-reranker"))
