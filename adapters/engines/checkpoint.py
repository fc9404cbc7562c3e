"""Where a model's files are, and what kind of checkpoint they hold."""

from __future__ import annotations

import json
import os
from pathlib import Path

EMBEDDING = "embedding"
CROSS_ENCODER = "cross-encoder"
QWEN3_RERANKER = "qwen3-reranker"


def local_dir(path: str) -> Path:
    """A local directory for a hub id or path; hub ids are fetched into the hub cache (or read from it)."""
    if os.path.isdir(path):
        return Path(path)
    from huggingface_hub import snapshot_download

    return Path(snapshot_download(path))


def read_json(path: Path) -> dict:
    if not path.is_file():
        return {}
    with path.open(encoding="utf-8") as handle:
        data = json.load(handle)
    return data if isinstance(data, dict) else {}


def detect_kind(directory: Path) -> str:
    """Embedding model, cross-encoder or Qwen3-Reranker, from the checkpoint's own files.

    - sentence-transformers layout (modules.json) → embedding
    - a causal LM without it (Qwen3ForCausalLM) → Qwen3-Reranker: it is scored on yes/no logits
    - a sequence-classification head → cross-encoder
    - anything else → embedding (sentence-transformers adds mean pooling)
    """
    if (directory / "modules.json").is_file():
        return EMBEDDING
    architectures = read_json(directory / "config.json").get("architectures") or []
    if any(a.endswith("ForCausalLM") for a in architectures):
        return QWEN3_RERANKER
    if any(a.endswith("ForSequenceClassification") for a in architectures):
        return CROSS_ENCODER
    return EMBEDDING
