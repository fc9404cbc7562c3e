"""Cohere's embed routes; Cohere rerank shares /v1/rerank and /v2/rerank with the OpenAI-style routes."""

from __future__ import annotations

from litestar import Controller, Request, post
from litestar.status_codes import HTTP_200_OK

from application.serving_policy import ServingPolicy
from domain.use_cases import CreateEmbeddings
from entrypoints.dialects.cohere import CohereEmbedBody, CohereEmbedOut, cohere_embed_request, cohere_embed_response
from entrypoints.http.openapi_doc import BODY_ERRORS
from entrypoints.http.strict_body import decode_strict


class CohereEmbed(Controller):
    tags = ["cohere"]

    @post("/v1/embed", status_code=HTTP_200_OK, summary="Cohere v1 embed", responses=BODY_ERRORS)
    async def embed_v1(
        self, request: Request, data: CohereEmbedBody, create_embeddings: CreateEmbeddings, policy: ServingPolicy
    ) -> CohereEmbedOut:
        """`texts`, `input_type`, `embedding_types`, `truncate`; floats alone without `embedding_types`."""
        return await _embed(request, create_embeddings, policy, "1")

    @post("/v2/embed", status_code=HTTP_200_OK, summary="Cohere v2 embed", responses=BODY_ERRORS)
    async def embed_v2(
        self, request: Request, data: CohereEmbedBody, create_embeddings: CreateEmbeddings, policy: ServingPolicy
    ) -> CohereEmbedOut:
        """Also `output_dimension` and `max_tokens`; embeddings by type (float by default)."""
        return await _embed(request, create_embeddings, policy, "2")


async def _embed(
    request: Request, create_embeddings: CreateEmbeddings, policy: ServingPolicy, version: str
) -> CohereEmbedOut:
    body = await decode_strict(request, CohereEmbedBody)
    result = await policy.within_deadline(create_embeddings(cohere_embed_request(body)))
    return cohere_embed_response(result, body, version)
