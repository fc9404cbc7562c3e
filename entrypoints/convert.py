"""Free functions between wire schemas and domain values; base64 packing is a wire concern."""

from __future__ import annotations

import base64
import uuid
from collections.abc import Sequence
from typing import Any, cast

import msgspec

from domain.errors import InvalidInput
from domain.models import (
    EmbeddingsRequest,
    EmbeddingsResult,
    EmbedInput,
    ModelInfo,
    PromptType,
    RerankRequest,
    RerankResult,
)
from entrypoints.dialects.voyage_fields import with_voyage_embedding_fields, with_voyage_rerank_fields
from entrypoints.schemas import (
    DocumentObject,
    DocumentOut,
    EmbeddingOut,
    EmbeddingsBody,
    EmbeddingsOut,
    ModelOut,
    ModelsOut,
    RerankBody,
    RerankOut,
    RerankResultOut,
    UsageOut,
)


def embeddings_request(body: EmbeddingsBody) -> EmbeddingsRequest:
    return with_voyage_embedding_fields(_openai_embeddings_request(body), body)


def _openai_embeddings_request(body: EmbeddingsBody) -> EmbeddingsRequest:
    extra = body.extra_body
    instruction = body.instruction if body.instruction is not None else (extra.instruction if extra else None)
    prompt_type = body.prompt_type if body.prompt_type is not None else (extra.prompt_type if extra else None)
    truncate = body.truncate if body.truncate is not None else (extra.truncate if extra else None)
    return EmbeddingsRequest(
        model=body.model,
        inputs=embed_inputs(body.input),
        instruction=instruction,
        prompt_type=PromptType(prompt_type) if prompt_type else None,
        dimensions=body.dimensions,
        truncate=truncate,
    )


def embed_inputs(value: str | list[str | int | list[int]]) -> list[EmbedInput]:
    """string | list of strings | token ids | list of token-id lists, never mixed."""
    if isinstance(value, str):
        return [value]
    if all(isinstance(v, str) for v in value):
        return [v for v in value if isinstance(v, str)]
    if all(isinstance(v, int) for v in value):
        return [tuple(v for v in value if isinstance(v, int))]
    if all(isinstance(v, list) for v in value):
        return [tuple(v) for v in value if isinstance(v, list)]
    raise InvalidInput(
        "'input' must be a string, a list of strings, a list of token ids, or a list of token-id lists; don't mix them",
        param="input",
    )


def rerank_request(body: RerankBody) -> RerankRequest:
    return with_voyage_rerank_fields(_rerank_request(body), body)


def _rerank_request(body: RerankBody) -> RerankRequest:
    documents = body.documents if body.documents is not None else body.docs
    if documents is None:
        raise InvalidInput("'documents' is required (the list of texts to rank)", param="documents")
    return_documents = body.return_documents if body.return_documents is not None else body.return_docs
    return RerankRequest(
        model=body.model,
        query=body.query,
        documents=[d.text if isinstance(d, DocumentObject) else d for d in documents],
        top_n=body.top_n,
        return_documents=bool(return_documents),
        instruction=body.instruction,
        truncate=body.truncate,
        max_tokens_per_doc=body.max_tokens_per_doc,
    )


def float32_values(vector: Sequence[float]) -> Any:
    """The vector as little-endian float32 numbers (no copy for the float32 arrays engines return)."""
    import numpy as np

    return np.asarray(vector, dtype="<f4")


def pack_base64(vector: Sequence[float]) -> str:
    # Little-endian float32, as the OpenAI SDK decodes it: one call on the bytes.
    return base64.b64encode(float32_values(vector).tobytes()).decode("ascii")


def float_json(vector: Sequence[float]) -> list[float]:
    """The vector as a JSON array, each value in the shortest form that reads back as the same float32
    (about 9 significant digits; a float64 rendering of a float32 value takes 17): about half the bytes.

    Typed as the list it encodes to; it is pre-encoded JSON that msgspec writes as it is.
    """
    import orjson

    return cast(list[float], msgspec.Raw(orjson.dumps(float32_values(vector), option=orjson.OPT_SERIALIZE_NUMPY)))


def embeddings_response(result: EmbeddingsResult, encoding_format: str) -> EmbeddingsOut:
    encode = pack_base64 if encoding_format == "base64" else float_json
    return EmbeddingsOut(
        model=result.model,
        data=[EmbeddingOut(index=i, embedding=encode(v)) for i, v in enumerate(result.vectors)],
        usage=UsageOut(prompt_tokens=result.usage.prompt_tokens, total_tokens=result.usage.total_tokens),
    )


def rerank_response(result: RerankResult) -> RerankOut:
    tokens = result.usage.total_tokens
    return RerankOut(
        id=str(uuid.uuid4()),
        model=result.model,
        results=[
            RerankResultOut(
                index=h.index,
                relevance_score=h.score,
                document=DocumentOut(text=h.document) if h.document is not None else None,
            )
            for h in result.hits
        ],
        usage=UsageOut(prompt_tokens=tokens, total_tokens=tokens),
        meta={"billed_units": {"search_units": 1}, "tokens": {"input_tokens": tokens, "output_tokens": 0}},
    )


def models_response(models: Sequence[ModelInfo]) -> ModelsOut:
    return ModelsOut(
        data=[
            ModelOut(
                id=m.id,
                created=m.created,
                owned_by=m.owned_by,
                capabilities=sorted(c.value for c in m.capabilities),
                dimension=m.dimension,
                max_tokens=m.max_tokens,
                stats={},
            )
            for m in models
        ]
    )
