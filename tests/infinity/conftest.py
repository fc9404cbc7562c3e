"""Checkpoints for the infinity engine tests, built once per session (never committed)."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

# `tests.support` lives outside the installed packages (see tests/qwen3/conftest.py).
_ROOT = str(Path(__file__).resolve().parents[2])
if _ROOT not in sys.path:
    sys.path.insert(0, _ROOT)

from bench.qwen3_tiny import build_qwen3_embedder  # noqa: E402


@pytest.fixture(scope="session")
def qwen3_embedder_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_qwen3_embedder(tmp_path_factory.mktemp("qwen3-embedder"))


@pytest.fixture(scope="session")
def cross_encoder_dir(tmp_path_factory: pytest.TempPathFactory, bundled_model_path: Path) -> Path:
    """The bundled MiniLM body under a seeded one-logit classification head: a real cross-encoder layout."""
    import torch
    from transformers import AutoModelForSequenceClassification, AutoTokenizer

    directory = tmp_path_factory.mktemp("cross-encoder") / "minilm-ce"
    torch.manual_seed(0)
    model = AutoModelForSequenceClassification.from_pretrained(str(bundled_model_path), num_labels=1)
    with torch.no_grad():
        model.classifier.weight.mul_(50.0)  # spread scores over (0, 1); the 0.02 init keeps them near 0.5
    model.save_pretrained(directory)
    AutoTokenizer.from_pretrained(str(bundled_model_path)).save_pretrained(directory)
    return directory
