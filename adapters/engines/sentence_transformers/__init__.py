"""Our own engine: sentence-transformers models behind the batching scheduler, packed forwards on a CPU."""

from adapters.engines.sentence_transformers.engine import load, pad_rows

__all__ = ["load", "pad_rows"]
