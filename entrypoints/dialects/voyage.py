"""Voyage's answers on the OpenAI-style routes (`POST /v1/embeddings`, `/v1/rerank`), as voyageai reads them.

The request fields are mapped in voyage_fields.py, where every entrypoint reads its bodies.

Embeddings: `output_dtype` int8/uint8/binary/ubinary → quantised values (quantize.py), packed as
those bytes when `encoding_format` is base64 (the voyageai client decodes with numpy in that dtype).

Rerank: a body with `top_k` or `truncation` is Voyage's (neither Cohere nor Jina have them) and is
answered in Voyage's `{"object": "list", "data": [...], "model", "usage"}`, which the client reads
(not `results`).
"""

from __future__ import annotations

from typing import Any

import msgspec

from domain.models import EmbeddingsResult, RerankResult
from entrypoints.convert import embeddings_response, rerank_response
from entrypoints.dialects.quantize import pack_base64, quantize
from entrypoints.schemas import EmbeddingsBody, EmbeddingsOut, RerankBody, RerankOut


class VoyageEmbeddingOut(msgspec.Struct):
    index: int
    embedding: list[int] | str
    object: str = "embedding"


class VoyageUsage(msgspec.Struct):
    total_tokens: int


class VoyageEmbeddingsOut(msgspec.Struct):
    model: str
    data: list[VoyageEmbeddingOut]
    usage: VoyageUsage
    object: str = "list"


class VoyageRerankItem(msgspec.Struct, omit_defaults=True):
    index: int
    relevance_score: float
    document: str | None = None


class VoyageRerankOut(msgspec.Struct):
    model: str
    data: list[VoyageRerankItem]
    usage: VoyageUsage
    object: str = "list"


def embeddings_reply(result: EmbeddingsResult, body: EmbeddingsBody) -> EmbeddingsOut | VoyageEmbeddingsOut:
    dtype = body.output_dtype
    if dtype is None or dtype == "float":
        return embeddings_response(result, body.encoding_format)
    data = []
    for i, vector in enumerate(result.vectors):
        values: Any = quantize(vector, dtype)
        data.append(VoyageEmbeddingOut(i, pack_base64(values, dtype) if body.encoding_format == "base64" else values))
    return VoyageEmbeddingsOut(result.model, data, VoyageUsage(result.usage.total_tokens))


def rerank_reply(result: RerankResult, body: RerankBody) -> RerankOut | VoyageRerankOut:
    if body.top_k is None and body.truncation is None:
        return rerank_response(result)
    data = [VoyageRerankItem(h.index, h.score, h.document) for h in result.hits]
    return VoyageRerankOut(result.model, data, VoyageUsage(result.usage.total_tokens))
