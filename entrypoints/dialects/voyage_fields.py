"""Voyage's request fields mapped onto the domain's requests, wherever an OpenAI-style body is read.

- embeddings: `input_type` → prompt_type, `output_dimension` → dimensions, `truncation` → truncate
- rerank: `top_k` → top_n; Cohere v1's `rank_fields` / `max_chunks_per_doc` → 400 when set
- a Voyage field that contradicts its OpenAI twin (`dimensions` 64, `output_dimension` 128) → 400
"""

from __future__ import annotations

import dataclasses
from typing import TypeVar

from domain.errors import InvalidInput
from domain.models import EmbeddingsRequest, PromptType, RerankRequest
from entrypoints.schemas import EmbeddingsBody, RerankBody

T = TypeVar("T")


def with_voyage_embedding_fields(request: EmbeddingsRequest, body: EmbeddingsBody) -> EmbeddingsRequest:
    prompt_type = PromptType(body.input_type) if body.input_type else None
    return dataclasses.replace(
        request,
        prompt_type=_one("prompt_type", request.prompt_type, "input_type", prompt_type),
        dimensions=_one("dimensions", request.dimensions, "output_dimension", body.output_dimension),
        truncate=_one("truncate", request.truncate, "truncation", body.truncation),
    )


def with_voyage_rerank_fields(request: RerankRequest, body: RerankBody) -> RerankRequest:
    # Cohere v1's structured-document fields share this body; they have no meaning for plain texts.
    for name in ("rank_fields", "max_chunks_per_doc"):
        if getattr(body, name) is not None:
            raise InvalidInput(f"'{name}' is not supported: documents are ranked whole, as text", param=name)
    return dataclasses.replace(request, top_n=_one("top_n", request.top_n, "top_k", body.top_k))


def _one(name: str, value: T | None, voyage_name: str, voyage_value: T | None) -> T | None:
    if voyage_value is None:
        return value
    if value is not None and value != voyage_value:
        raise InvalidInput(f"'{name}' and '{voyage_name}' disagree; send one of them", param=voyage_name)
    return voyage_value
