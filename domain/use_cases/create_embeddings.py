from __future__ import annotations

import math
from collections.abc import Sequence

from domain.errors import InvalidInput
from domain.models import (
    Capability,
    EmbeddingsRequest,
    EmbeddingsResult,
    EmbedInput,
    Limits,
    ModelInfo,
    Usage,
)
from domain.ports import Embedder, ModelCatalog
from domain.use_cases.prompts import apply_prompt
from domain.use_cases.resolve_model import resolve_model
from domain.use_cases.validation import check_items, check_text, check_token_floor

LANGCHAIN_HINT = (
    "token ids are read in the served model's own vocabulary; if you use langchain-openai's "
    "OpenAIEmbeddings, set check_embedding_ctx_length=False so it sends text"
)


class CreateEmbeddings:
    """Embeds texts or token ids with a served embedding model.

    - model resolution: see `resolve_model` (embed capability)
    - empty input list, empty string, more than max items → InvalidInput naming the item
    - token ids outside the model's vocabulary → InvalidInput with a langchain hint
    - instruction / prompt_type → `apply_prompt` (token ids are taken as they are)
    - `dimensions` outside 1..model dimension → InvalidInput; else slice, then re-normalise
    - too long: truncated by default, refused when `truncate` is false
    - over max tokens per request → InvalidInput before any model work: token ids before tokenising,
      texts on the engine's exact count after tokenising
    - output in input order; usage counts the tokens the model saw
    """

    def __init__(self, catalog: ModelCatalog, embedder: Embedder, limits: Limits) -> None:
        self._catalog = catalog
        self._embedder = embedder
        self._limits = limits

    async def __call__(self, request: EmbeddingsRequest) -> EmbeddingsResult:
        model = resolve_model(self._catalog, request.model, Capability.EMBED)
        truncate = self._limits.truncate if request.truncate is None else request.truncate
        check_items(request.inputs, self._limits, "input")
        self._check_dimensions(model, request.dimensions)
        inputs = [self._prepare(model, request, i, item, truncate) for i, item in enumerate(request.inputs)]
        check_token_floor(inputs, self._limits, model.max_tokens, truncate)
        batch = await self._embedder.embed(
            model.id, inputs, truncate=truncate, max_tokens=self._limits.max_tokens_per_request
        )
        vectors = [_fit(v, request.dimensions) for v in batch.vectors]
        return EmbeddingsResult(model=model.id, vectors=vectors, usage=Usage.of(sum(batch.token_counts)))

    def _prepare(
        self, model: ModelInfo, request: EmbeddingsRequest, index: int, item: EmbedInput, truncate: bool
    ) -> EmbedInput:
        if isinstance(item, str):
            text = check_text(item, f"input[{index}]", self._limits, truncate)
            return apply_prompt(model, text, request.instruction, request.prompt_type)
        if len(item) == 0:
            raise InvalidInput(f"input[{index}] must not be an empty token list", param="input")
        vocab = model.vocab_size
        if vocab is not None:
            for token in item:
                if not 0 <= token < vocab:
                    raise InvalidInput(
                        f"input[{index}] has token id {token}, outside the vocabulary of model "
                        f"'{model.id}' (0..{vocab - 1}); {LANGCHAIN_HINT}",
                        param="input",
                    )
        return item

    @staticmethod
    def _check_dimensions(model: ModelInfo, dimensions: int | None) -> None:
        if dimensions is None:
            return
        low, top = model.min_dimensions, model.dimension
        if dimensions < low or (top is not None and dimensions > top):
            raise InvalidInput(
                f"'dimensions' must be between {low} and {top} for model '{model.id}', got {dimensions}",
                param="dimensions",
            )


def _fit(vector: Sequence[float], dimensions: int | None) -> Sequence[float]:
    # Slice then re-normalise: an MRL prefix of a unit vector is not unit length.
    if dimensions is None or dimensions >= len(vector):
        return vector
    head = vector[:dimensions]
    norm = math.sqrt(sum(x * x for x in head))
    return [x / norm for x in head] if norm > 0 else head
