"""The OpenAI-compatible routes, mounted at `/v1` and again at `/openai/v1` for RunPod-proxy base URLs."""

from __future__ import annotations

from litestar import Controller, Request, get, post
from litestar.status_codes import HTTP_200_OK

from application.serving_policy import ServingPolicy
from domain.use_cases import CreateEmbeddings, ListModels, Rerank
from entrypoints.convert import (
    embeddings_request,
    embeddings_response,
    models_response,
    rerank_request,
    rerank_response,
)
from entrypoints.http.openapi_doc import BODY_ERRORS, COMMON_ERRORS
from entrypoints.http.strict_body import decode_strict
from entrypoints.schemas import EmbeddingsBody, EmbeddingsOut, ModelsOut, RerankBody, RerankOut


class OpenAIRoutes(Controller):
    @get("/models", summary="List served models", responses=COMMON_ERRORS)
    async def models(self, list_models: ListModels) -> ModelsOut:
        """Every served model with its capabilities (`embed`, `rerank`) and dimension."""
        return models_response(list_models())

    @post("/embeddings", status_code=HTTP_200_OK, summary="Create embeddings", responses=BODY_ERRORS)
    async def embeddings(
        self, request: Request, data: EmbeddingsBody, create_embeddings: CreateEmbeddings, policy: ServingPolicy
    ) -> EmbeddingsOut:
        """OpenAI embeddings; `instruction` / `prompt_type` at the top level or inside `extra_body`."""
        data = await decode_strict(request, EmbeddingsBody)
        result = await policy.within_deadline(create_embeddings(embeddings_request(data)))
        return embeddings_response(result, data.encoding_format)

    @post("/rerank", status_code=HTTP_200_OK, summary="Rerank documents", responses=BODY_ERRORS)
    async def rerank(self, request: Request, data: RerankBody, rerank: Rerank, policy: ServingPolicy) -> RerankOut:
        """Cohere/Jina rerank: results carry each document's original `index`, best first."""
        return await rerank_route(request, rerank, policy)


class V1(OpenAIRoutes):
    path = "/v1"


class OpenAIV1(OpenAIRoutes):
    path = "/openai/v1"
    include_in_schema = False


class V2Rerank(Controller):
    """Cohere v2 clients post to `/v2/rerank`."""

    path = "/v2"

    @post("/rerank", status_code=HTTP_200_OK, summary="Rerank documents (Cohere v2 path)", responses=BODY_ERRORS)
    async def rerank(self, request: Request, data: RerankBody, rerank: Rerank, policy: ServingPolicy) -> RerankOut:
        return await rerank_route(request, rerank, policy)


async def rerank_route(request: Request, rerank: Rerank, policy: ServingPolicy) -> RerankOut:
    # `data` is declared on the handlers for the OpenAPI document; the strict decode is what counts.
    data = await decode_strict(request, RerankBody)
    return rerank_response(await policy.within_deadline(rerank(rerank_request(data))))
