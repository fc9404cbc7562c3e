"""Wire schemas shared by the HTTP server and the RunPod worker: the OpenAI / Cohere / Jina shapes."""

from __future__ import annotations

from typing import Any, Literal

import msgspec


class ExtraBody(msgspec.Struct, kw_only=True):
    """A literal nested `extra_body` object, as the seed's curl examples send it."""

    instruction: str | None = None
    prompt_type: Literal["query", "document"] | None = None
    truncate: bool | None = None


class EmbeddingsBody(msgspec.Struct, kw_only=True):
    """OpenAI `POST /v1/embeddings`, plus `instruction`, `prompt_type` and `truncate`."""

    input: str | list[str | int | list[int]]
    model: str | None = None
    encoding_format: Literal["float", "base64"] = "float"
    dimensions: int | None = None
    instruction: str | None = None
    prompt_type: Literal["query", "document"] | None = None
    truncate: bool | None = None
    user: str | None = None
    extra_body: ExtraBody | None = None
    # Voyage's spellings (entrypoints/dialects/voyage.py maps them).
    input_type: Literal["query", "document"] | None = None
    output_dimension: int | None = None
    output_dtype: Literal["float", "int8", "uint8", "binary", "ubinary"] | None = None
    truncation: bool | None = None


class DocumentObject(msgspec.Struct, kw_only=True):
    text: str


class RerankBody(msgspec.Struct, kw_only=True):
    """Cohere / Jina `POST /v1/rerank`; the seed's `docs` / `return_docs` spellings are accepted too."""

    query: str
    documents: list[str | DocumentObject] | None = None
    docs: list[str | DocumentObject] | None = None
    model: str | None = None
    top_n: int | None = None
    return_documents: bool | None = None
    return_docs: bool | None = None
    instruction: str | None = None
    truncate: bool | None = None
    max_tokens_per_doc: int | None = None
    # Voyage's spellings: a body with either is Voyage's and is answered in its shape.
    top_k: int | None = None
    truncation: bool | None = None
    # Cohere v1 fields for structured documents and chunking, refused when set (never ignored).
    rank_fields: list[str] | None = None
    max_chunks_per_doc: int | None = None


class UsageOut(msgspec.Struct):
    prompt_tokens: int
    total_tokens: int


class EmbeddingOut(msgspec.Struct):
    index: int
    embedding: list[float] | str
    object: str = "embedding"


class EmbeddingsOut(msgspec.Struct):
    model: str
    data: list[EmbeddingOut]
    usage: UsageOut
    object: str = "list"


class DocumentOut(msgspec.Struct):
    text: str


class RerankResultOut(msgspec.Struct, omit_defaults=True):
    index: int
    relevance_score: float
    document: DocumentOut | None = None


class RerankOut(msgspec.Struct):
    id: str
    model: str
    results: list[RerankResultOut]
    usage: UsageOut
    meta: dict[str, Any]


class ModelOut(msgspec.Struct):
    id: str
    created: int
    owned_by: str
    capabilities: list[str]
    dimension: int | None
    max_tokens: int
    stats: dict[str, Any]
    object: str = "model"


class ModelsOut(msgspec.Struct):
    data: list[ModelOut]
    object: str = "list"


class ErrorDetail(msgspec.Struct):
    message: str
    type: str
    param: str | None
    code: str | None


class ErrorOut(msgspec.Struct):
    error: ErrorDetail
    # The message again where voyageai (and other FastAPI-style clients) read it: `{"detail": ...}`.
    detail: str
