"""Embedding models and cross-encoders served through infinity_emb's dynamic batcher."""

from adapters.engines.infinity.engine import InfinityModel, load

__all__ = ["InfinityModel", "load"]
