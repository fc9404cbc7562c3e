"""Our Qwen3-Reranker engine: the official recipe's scores, computed with less work."""

from adapters.engines.qwen3_reranker.engine import Qwen3Reranker, assemble, load

__all__ = ["Qwen3Reranker", "assemble", "load"]
