"""What every engine module provides: one `ServedModel` per configured model.

The registry (adapters/registry.py) routes the domain ports to these by model id. An engine module
exposes a loader `load(spec: ModelSpec) -> ServedModel`; loading is blocking and runs off the event
loop at startup, never at import.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol

from domain.models import EmbedInput, EncodedBatch, ModelInfo, ScoredBatch


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
    kind: str = "auto"  # auto | embedding | cross-encoder | qwen3-reranker


class ServedModel(Protocol):
    """A loaded model. Only the methods its capabilities name are called."""

    info: ModelInfo

    async def embed(self, inputs: Sequence[EmbedInput], *, truncate: bool) -> EncodedBatch:
        """L2-normalised vectors and real token counts, in input order (see domain.ports.Embedder)."""
        ...

    async def score(
        self, query: str, documents: Sequence[str], *, instruction: str | None, truncate: bool
    ) -> ScoredBatch:
        """One relevance score per document, in document order (see domain.ports.Reranker)."""
        ...

    async def close(self) -> None:
        """Release the engine (threads, GPU memory)."""
        ...


class Loader(Protocol):
    def __call__(self, spec: ModelSpec) -> ServedModel: ...
