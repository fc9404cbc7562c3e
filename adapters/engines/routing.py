"""Route each checkpoint to the engine that can serve it."""

from __future__ import annotations

from adapters.engines.base import Engine, Loader, ModelSpec
from adapters.engines.checkpoint import QWEN3_RERANKER, detect_kind, local_dir


def route_qwen3_rerankers(default: Loader, qwen3_reranker: Loader) -> Loader:
    """Qwen3-Reranker checkpoints (detected, or forced by settings) go to our own engine; the rest to `default`."""

    def load(spec: ModelSpec) -> Engine:
        if spec.qwen3_reranker or detect_kind(local_dir(spec.path)) == QWEN3_RERANKER:
            return qwen3_reranker(spec)
        return default(spec)

    return load
