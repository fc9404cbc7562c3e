"""Infinity's (and vLLM's) routes at the server root, as infinity-client and litellm's `infinity/` parse them.

- `POST /embeddings`: the OpenAI body; `modality` other than text → 400; `dimensions: 0` (the client's
  default) is the full size
- the client's default `model` "default/not-specified" means no model named (the only one serving)
- `POST /rerank` with `documents`: Cohere-style body plus `raw_scores`; results carry `document` as a
  plain string and `object: "rerank"`; raw scores (no sigmoid) are not available → 400 when asked
- `GET /models`: the OpenAI list with `owned_by: "infinity"` (the client's enum has no other value)
"""

from __future__ import annotations

import dataclasses
import time
import uuid
from typing import Literal

import msgspec

from domain.errors import InvalidInput
from domain.models import EmbeddingsRequest, RerankRequest, RerankResult
from entrypoints.schemas import EmbeddingsBody, RerankBody, UsageOut


class InfinityEmbeddingsBody(EmbeddingsBody, kw_only=True):
    modality: Literal["text"] | None = None


class InfinityRerankBody(RerankBody, kw_only=True):
    raw_scores: bool | None = None


class InfinityRerankItem(msgspec.Struct):
    index: int
    relevance_score: float
    document: str | None


class InfinityRerankOut(msgspec.Struct):
    id: str
    created: int
    model: str
    results: list[InfinityRerankItem]
    usage: UsageOut
    object: str = "rerank"


NOT_SPECIFIED = "default/not-specified"


def infinity_embeddings_request(request: EmbeddingsRequest) -> EmbeddingsRequest:
    return dataclasses.replace(
        request,
        model=None if request.model == NOT_SPECIFIED else request.model,
        dimensions=None if request.dimensions == 0 else request.dimensions,
    )


def infinity_rerank_request(request: RerankRequest, raw_scores: bool | None) -> RerankRequest:
    _refuse_raw_scores(raw_scores)
    return dataclasses.replace(request, model=None if request.model == NOT_SPECIFIED else request.model)


def _refuse_raw_scores(raw_scores: bool | None) -> None:
    if raw_scores:
        raise InvalidInput(
            "'raw_scores' is not supported: scores are the model's relevance in [0, 1] (rerankers) or cosines",
            param="raw_scores",
        )


def infinity_rerank_response(result: RerankResult) -> InfinityRerankOut:
    tokens = result.usage.total_tokens
    return InfinityRerankOut(
        id=str(uuid.uuid4()),
        created=int(time.time()),
        model=result.model,
        results=[InfinityRerankItem(h.index, h.score, h.document) for h in result.hits],
        usage=UsageOut(prompt_tokens=tokens, total_tokens=tokens),
    )
