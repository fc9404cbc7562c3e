"""What an engine provides, typed by capability: an embedding engine or a reranking engine.

An engine implements only what is its own: loading (a module-level `load(spec)`, blocking, run off the
event loop at startup, never at import), tokenising and the forward pass. Everything users rely on
around those steps (the queue bound, the token budget, metrics, the finiteness check) is the serving
core's (adapters/serving), which wraps every engine the same way.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Protocol

from domain.models import EmbedInput, ModelInfo


@dataclass(frozen=True, slots=True, kw_only=True)
class ModelSpec:
    """One entry of MODEL_NAMES with its own slice of the settings."""

    id: str  # the id clients send (the MODEL_NAMES entry, or the embedded default's hub id)
    path: str  # hub id or local directory to load from
    batch_size: int = 32
    dtype: str = "auto"  # auto | float32 | float16 | bfloat16 | int8 | fp8
    device: str = "auto"  # auto | cpu | cuda | mps
    backend: str = "torch"  # infinity's: torch | optimum | ctranslate2
    queue_size: int = 48_000
    # Forced by QWEN3_RERANKER_MODELS; False: decided from the checkpoint's own files.
    qwen3_reranker: bool = False


@dataclass(frozen=True, slots=True, kw_only=True)
class Tokens:
    """A request after tokenising: the real tokens of each item (what `usage` counts) and the engine's rows.

    `total` is what the token budget and `usage` count; it is the sum of `lengths` unless the engine
    counts shared parts once (the Qwen3 reranker's instruction and query).
    """

    lengths: Sequence[int]
    rows: Any
    total: int = -1

    @property
    def count(self) -> int:
        return sum(self.lengths) if self.total < 0 else self.total


class EmbeddingEngine(Protocol):
    """A loaded embedding model."""

    info: ModelInfo

    async def tokenize(self, inputs: Sequence[EmbedInput], *, truncate: bool) -> Tokens:
        """What the model will see for each input, with its own truncation; off the event loop.

        Over-long inputs: cut when `truncate`, else InvalidInput naming the item.
        """
        ...

    async def forward(self, tokens: Tokens) -> Sequence[Sequence[float]]:
        """One L2-normalised float32 vector per item, in item order. Records each batch it runs
        (adapters/serving/metrics.py)."""
        ...

    async def close(self) -> None:
        """Release the engine (threads, GPU memory)."""
        ...


class RerankEngine(Protocol):
    """A loaded cross-encoder or Qwen3-Reranker."""

    info: ModelInfo

    async def tokenize_pairs(
        self, query: str, documents: Sequence[str], *, instruction: str | None, truncate: bool
    ) -> Tokens:
        """One row per document, in document order; off the event loop."""
        ...

    async def score_pairs(self, tokens: Tokens) -> Sequence[float]:
        """One relevance score per document, in document order; higher is more relevant."""
        ...

    async def close(self) -> None: ...


Engine = EmbeddingEngine | RerankEngine


class Loader(Protocol):
    def __call__(self, spec: ModelSpec) -> Engine: ...
