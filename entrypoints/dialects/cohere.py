"""Cohere embed (`POST /v1/embed`, `/v2/embed`) onto CreateEmbeddings, shaped as the cohere SDK parses it.

- `texts` → inputs; `images` and multimodal `inputs` → 400 (text models only)
- `input_type`: search_query → the query prompt (Qwen3's instruction), search_document → none,
  classification / clustering → the model's own prompt of that name when it has one; image → 400
- `embedding_types` float, int8, uint8, binary, ubinary (quantize.py), base64 (float32, base64);
  v1 without it answers plain float lists (`embeddings_floats`), v2 defaults to float
- `output_dimension` → dimensions; `truncate` NONE → refuse over-long, END → cut the end, START → 400
- `max_tokens` → the per-item cap (see CreateEmbeddings); `priority` has no effect (one fair queue)
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from typing import Any, Literal

import msgspec

from domain.errors import InvalidInput
from domain.models import EmbeddingsRequest, EmbeddingsResult, PromptType
from entrypoints.convert import float_json
from entrypoints.dialects.quantize import Dtype, pack_base64, quantize

CohereType = Literal["float", "int8", "uint8", "binary", "ubinary", "base64"]
_PROMPTS = {
    "search_query": PromptType.QUERY,
    "search_document": PromptType.DOCUMENT,
    "classification": PromptType.CLASSIFICATION,
    "clustering": PromptType.CLUSTERING,
}


class CohereEmbedBody(msgspec.Struct, kw_only=True):
    """Cohere's embed request, v1 and v2 fields."""

    texts: list[str] | None = None
    images: list[Any] | None = None
    inputs: list[Any] | None = None
    model: str | None = None
    input_type: Literal["search_document", "search_query", "classification", "clustering", "image"] | None = None
    embedding_types: list[CohereType] | None = None
    output_dimension: int | None = None
    max_tokens: int | None = None
    truncate: Literal["NONE", "START", "END"] | None = None
    priority: int | None = None


class ApiVersion(msgspec.Struct):
    version: str


class BilledUnits(msgspec.Struct):
    input_tokens: int


class CohereMeta(msgspec.Struct):
    api_version: ApiVersion
    billed_units: BilledUnits


class CohereEmbedOut(msgspec.Struct):
    id: str
    embeddings: dict[str, list[Any]] | list[list[float]]
    texts: list[str]
    meta: CohereMeta
    response_type: str


def cohere_embed_request(body: CohereEmbedBody) -> EmbeddingsRequest:
    for field in ("images", "inputs"):
        if getattr(body, field):
            raise InvalidInput(f"'{field}' is not supported: the served models embed text; send 'texts'", param=field)
    if body.input_type == "image":
        raise InvalidInput("input_type 'image' is not supported: the served models embed text", param="input_type")
    if body.truncate == "START":
        raise InvalidInput(
            "truncate 'START' is not supported: over-long texts are cut at the end ('END') or refused ('NONE')",
            param="truncate",
        )
    if body.texts is None:
        raise InvalidInput("'texts' is required (the list of texts to embed)", param="texts")
    return EmbeddingsRequest(
        model=body.model,
        inputs=body.texts,
        prompt_type=_PROMPTS[body.input_type] if body.input_type else None,
        dimensions=body.output_dimension,
        truncate=None if body.truncate is None else body.truncate == "END",
        max_tokens=body.max_tokens,
    )


def cohere_embed_response(result: EmbeddingsResult, body: CohereEmbedBody, version: str) -> CohereEmbedOut:
    texts = body.texts or []
    meta = CohereMeta(api_version=ApiVersion(version), billed_units=BilledUnits(result.usage.total_tokens))
    if body.embedding_types is None and version == "1":
        return CohereEmbedOut(
            str(uuid.uuid4()), [float_json(v) for v in result.vectors], texts, meta, "embeddings_floats"
        )
    kinds: list[CohereType] = list(dict.fromkeys(body.embedding_types or ["float"]))
    by_type: dict[str, list[Any]] = {kind: _encode(result.vectors, kind) for kind in kinds}
    return CohereEmbedOut(str(uuid.uuid4()), by_type, texts, meta, "embeddings_by_type")


def _encode(vectors: Sequence[Sequence[float]], kind: CohereType) -> list[Any]:
    if kind == "base64":
        return [pack_base64(v, "float") for v in vectors]
    if kind == "float":
        return [float_json(v) for v in vectors]  # as every route writes floats: shortest float32 form
    dtype: Dtype = kind
    return [quantize(v, dtype) for v in vectors]
