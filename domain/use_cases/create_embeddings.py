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
from domain.ports import Embedder, ModelCatalog, OpenAITokens, Tokenizer
from domain.use_cases.prompts import apply_prompt
from domain.use_cases.resolve_model import resolve_model
from domain.use_cases.token_cap import check_token_cap, cut_to_cap
from domain.use_cases.token_inputs import check_model_ids, decode_cl100k, in_model_vocabulary
from domain.use_cases.validation import check_items, check_text, check_token_floor


class CreateEmbeddings:
    """Embeds texts or token ids with a served embedding model.

    - model resolution: see `resolve_model` (embed capability)
    - empty input list, empty string, more than max items → InvalidInput naming the item
    - token ids: the model's own or cl100k_base ids decoded to text, see `token_inputs` (TOKEN_IDS)
    - instruction / prompt_type → `apply_prompt`, after decoding; on the model's own ids → InvalidInput
    - `dimensions` outside 1..model dimension → InvalidInput; else slice, then re-normalise
    - too long: truncated by default, refused when `truncate` is false; a `max_tokens` cap → `token_cap`
    - over max tokens per request → InvalidInput before any model work: token ids before tokenising,
      texts on the engine's exact count after tokenising
    - output in input order; usage counts the tokens the model saw
    """

    def __init__(
        self,
        catalog: ModelCatalog,
        embedder: Embedder,
        limits: Limits,
        openai_tokens: OpenAITokens | None = None,
        tokenizer: Tokenizer | None = None,
    ) -> None:
        self._catalog = catalog
        self._embedder = embedder
        self._limits = limits
        self._openai_tokens = openai_tokens
        self._tokenizer = tokenizer

    async def __call__(self, request: EmbeddingsRequest) -> EmbeddingsResult:
        model = resolve_model(self._catalog, request.model, Capability.EMBED)
        truncate = self._limits.truncate if request.truncate is None else request.truncate
        check_items(request.inputs, self._limits, "input")
        self._check_dimensions(model, request.dimensions)
        check_token_cap(request.max_tokens, "max_tokens")
        inputs = [await self._prepare(model, request, i, item, truncate) for i, item in enumerate(request.inputs)]
        check_token_floor(inputs, self._limits, model.max_tokens, truncate)
        batch = await self._embedder.embed(
            model.id, inputs, truncate=truncate, max_tokens=self._limits.max_tokens_per_request
        )
        vectors = [_fit(v, request.dimensions) for v in batch.vectors]
        return EmbeddingsResult(model=model.id, vectors=vectors, usage=Usage.of(sum(batch.token_counts)))

    async def _prepare(
        self, model: ModelInfo, request: EmbeddingsRequest, index: int, item: EmbedInput, truncate: bool
    ) -> EmbedInput:
        param = f"input[{index}]"
        if not isinstance(item, str):
            if len(item) == 0:
                raise InvalidInput(f"{param} must not be an empty token list", param="input")
            if in_model_vocabulary(model, item, self._limits.token_ids):
                return self._own_ids(model, request, item, param)
            item = decode_cl100k(model, item, param, self._limits.token_ids, self._openai_tokens)
        text = check_text(item, param, self._limits, truncate)
        text = await cut_to_cap(self._tokenizer, model, text, request.max_tokens, "max_tokens")
        return apply_prompt(model, text, request.instruction, request.prompt_type)

    @staticmethod
    def _own_ids(model: ModelInfo, request: EmbeddingsRequest, ids: tuple[int, ...], param: str) -> EmbedInput:
        if apply_prompt(model, "", request.instruction, request.prompt_type):
            raise InvalidInput(
                f"{param} is token ids in the vocabulary of model '{model.id}', which cannot take an instruction "
                "or prompt; send the text instead",
                param="input",
            )
        return check_model_ids(model, ids, param)

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
