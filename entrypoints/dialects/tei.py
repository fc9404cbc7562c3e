"""Hugging Face text-embeddings-inference's routes (`/embed`, `/rerank` with `texts`, `/info`), TEI's field names.

- embed: `inputs` (text, texts, token ids), `truncate`, `truncation_direction` Right (Left → 400),
  `prompt_name` (query/document/… → the model's prompt of that type), `dimensions`; `normalize`
  false → 400 (vectors are always unit length); the answer is a bare `[[floats]]`
- rerank: `query`, `texts`, `return_text`, `truncate`, `truncation_direction`; `raw_scores` → 400;
  the answer is a bare `[{"index", "score", "text"?}]`, best first
- info: the first served model (TEI serves one), its type and limits
- tokenize and decode: tei_tokens.py
TEI has no `model` field; a multi-model server takes an optional `model` beside TEI's own fields.
"""

from __future__ import annotations

from typing import Literal

import msgspec

from domain.errors import InvalidInput
from domain.models import Capability, EmbeddingsRequest, EmbedInput, ModelInfo, PromptType, RerankRequest, RerankResult
from entrypoints.convert import embed_inputs

TEI_VERSION = "1.8.0"


class TeiEmbedBody(msgspec.Struct, kw_only=True):
    inputs: str | list[str | int | list[int]]
    model: str | None = None
    normalize: bool | None = None
    truncate: bool | None = None
    truncation_direction: Literal["Left", "Right", "left", "right"] | None = None
    prompt_name: str | None = None
    dimensions: int | None = None


class TeiRerankBody(msgspec.Struct, kw_only=True):
    query: str
    texts: list[str]
    model: str | None = None
    raw_scores: bool | None = None
    return_text: bool | None = None
    truncate: bool | None = None
    truncation_direction: Literal["Left", "Right", "left", "right"] | None = None


class TeiRank(msgspec.Struct, omit_defaults=True):
    index: int
    score: float
    text: str | None = None


class TeiInfo(msgspec.Struct):
    model_id: str
    model_sha: str | None
    model_dtype: str
    model_type: dict[str, dict[str, object]]
    max_concurrent_requests: int
    max_input_length: int
    max_batch_tokens: int
    max_client_batch_size: int
    tokenization_workers: int
    version: str


def tei_embed_request(body: TeiEmbedBody) -> EmbeddingsRequest:
    if body.normalize is False:
        raise InvalidInput("'normalize': false is not supported: vectors are always L2-normalised", param="normalize")
    _right_only(body.truncation_direction)
    try:
        inputs: list[EmbedInput] = embed_inputs(body.inputs)
    except InvalidInput as exc:
        raise InvalidInput(exc.message.replace("'input'", "'inputs'"), param="inputs") from None
    return EmbeddingsRequest(
        model=body.model,
        inputs=inputs,
        prompt_type=prompt_type_named(body.prompt_name),
        dimensions=body.dimensions,
        truncate=body.truncate,
    )


def tei_rerank_request(body: TeiRerankBody) -> RerankRequest:
    if body.raw_scores:
        raise InvalidInput("'raw_scores' is not supported: scores are relevance or cosines", param="raw_scores")
    _right_only(body.truncation_direction)
    return RerankRequest(
        model=body.model,
        query=body.query,
        documents=body.texts,
        return_documents=bool(body.return_text),
        truncate=body.truncate,
    )


def tei_rerank_response(result: RerankResult) -> list[TeiRank]:
    return [TeiRank(index=h.index, score=h.score, text=h.document) for h in result.hits]


def tei_info(model: ModelInfo, max_items: int, max_tokens_per_request: int) -> TeiInfo:
    kind: dict[str, object] = {"pooling": "mean"} if model.can(Capability.EMBED) else {"id2label": {"0": "LABEL_0"}}
    model_type = {"embedding" if model.can(Capability.EMBED) else "reranker": kind}
    return TeiInfo(
        model_id=model.id,
        model_sha=None,
        model_dtype="float32",
        model_type=model_type,
        max_concurrent_requests=max_items,
        max_input_length=model.max_tokens,
        max_batch_tokens=max_tokens_per_request,
        max_client_batch_size=max_items,
        tokenization_workers=1,
        version=TEI_VERSION,
    )


def prompt_type_named(name: str | None) -> PromptType | None:
    if name is None:
        return None
    try:
        return PromptType(name)
    except ValueError:
        known = ", ".join(p.value for p in PromptType)
        raise InvalidInput(f"'prompt_name' must be one of {known}, got '{name}'", param="prompt_name") from None


def _right_only(direction: str | None) -> None:
    if direction is not None and direction.lower() == "left":
        raise InvalidInput(
            "'truncation_direction' Left is not supported: over-long inputs are cut on the right",
            param="truncation_direction",
        )
