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


class NotServable(ValueError):
    """A checkpoint no engine here can serve; the message says what it is and what to use instead."""


def is_qwen3_causal_lm(config: dict) -> bool:
    """What Qwen3-Reranker's config.json says: a Qwen3 decoder with its LM head (scored on yes/no)."""
    return config.get("model_type") == "qwen3" and "Qwen3ForCausalLM" in (config.get("architectures") or [])


def detect_kind(directory: Path) -> str:
    """Embedding model, cross-encoder or Qwen3-Reranker, from the checkpoint's own files.

    - sentence-transformers layout (modules.json) → embedding
    - a Qwen3 causal LM without it (model_type qwen3, Qwen3ForCausalLM) → Qwen3-Reranker, scored on
      yes/no logits (its engine also refuses a tokenizer without those tokens)
    - any other causal LM → NotServable: scoring it as a Qwen3-Reranker would answer meaningless numbers
    - a sequence-classification head → cross-encoder
    - anything else → embedding (sentence-transformers adds mean pooling)
    """
    if (directory / "modules.json").is_file():
        return EMBEDDING
    config = read_json(directory / "config.json")
    architectures = config.get("architectures") or []
    if any(a.endswith("ForCausalLM") for a in architectures):
        if is_qwen3_causal_lm(config):
            return QWEN3_RERANKER
        raise NotServable(
            f"{directory.name} is a causal language model ({', '.join(architectures)}, model_type "
            f"{config.get('model_type')!r}) and not a Qwen3-Reranker (model_type 'qwen3', Qwen3ForCausalLM): "
            "causal LMs are served only as Qwen3-Reranker. Serve an embedding model (a sentence-transformers "
            "checkpoint) or a cross-encoder instead; a Qwen3-Reranker variant with another config can be "
            "named in QWEN3_RERANKER_MODELS"
        )
    if any(a.endswith("ForSequenceClassification") for a in architectures):
        return CROSS_ENCODER
    return EMBEDDING
