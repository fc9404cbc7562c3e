"""Ports: what the use cases need from the outside world, named by role."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol

from domain.models import EmbedInput, EncodedBatch, ModelInfo, ScoredBatch, Token


class ModelCatalog(Protocol):
    """The models being served."""

    def list_models(self) -> Sequence[ModelInfo]:
        """Every served model, in configuration order."""
        ...

    def get_model(self, model_id: str) -> ModelInfo:
        """The model with that id; raises ModelNotFound."""
        ...


class Embedder(Protocol):
    """Turns inputs into vectors with a served embedding model."""

    async def embed(
        self, model_id: str, inputs: Sequence[EmbedInput], *, truncate: bool, max_tokens: int
    ) -> EncodedBatch:
        """Vectors are L2-normalised, full dimension, in input order.

        Inputs longer than the model reads are cut to its max length when `truncate`, else
        InvalidInput naming the item. More than `max_tokens` real tokens in all → InvalidInput, decided
        after tokenising and before any model work. Raises Overloaded when the queue is full,
        Unavailable when the engine cannot serve, NonFiniteOutput instead of NaN or infinity.
        """
        ...


class Reranker(Protocol):
    """Scores documents against a query with a served cross-encoder or Qwen3-Reranker."""

    async def score(
        self,
        model_id: str,
        query: str,
        documents: Sequence[str],
        *,
        instruction: str | None,
        truncate: bool,
        max_tokens: int,
    ) -> ScoredBatch:
        """One score per document, in document order; higher is more relevant.

        The same refusals as `Embedder.embed`; `max_tokens` counts every token the model reads.
        """
        ...


class OpenAITokens(Protocol):
    """OpenAI's `cl100k_base` vocabulary, which langchain-openai and tiktoken users send ids of."""

    vocab_size: int

    def decode(self, ids: Sequence[int]) -> str | None:
        """The text the ids spell; None when they are not cl100k text (an unknown id, broken UTF-8)."""
        ...


class Tokenizer(Protocol):
    """A served model's own tokenizer."""

    async def tokenize(self, model_id: str, text: str, *, special: bool) -> Sequence[Token]:
        """The tokens the model reads for `text`, with the model's special tokens when `special`."""
        ...

    async def decode(self, model_id: str, ids: Sequence[int], *, skip_special: bool) -> str:
        """The text of token ids in the model's vocabulary; raises InvalidInput for ids outside it."""
        ...
