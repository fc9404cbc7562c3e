"""The OpenAI-compatible routes, mounted at `/v1` and again at `/openai/v1` for RunPod-proxy base URLs."""

from __future__ import annotations

from litestar import Controller, Request, get, post
from litestar.status_codes import HTTP_200_OK

from application.serving_policy import ServingPolicy
from domain.use_cases import CreateEmbeddings, ListModels, Rerank
from entrypoints.convert import embeddings_request, models_response, rerank_request
from entrypoints.dialects.models import model_response
from entrypoints.dialects.voyage import VoyageEmbeddingsOut, VoyageRerankOut, embeddings_reply, rerank_reply
from entrypoints.http.openapi_doc import BODY_ERRORS, COMMON_ERRORS
from entrypoints.http.strict_body import decode_strict
from entrypoints.schemas import EmbeddingsBody, EmbeddingsOut, ModelOut, ModelsOut, RerankBody, RerankOut

# Voyage's body (top_k or truncation) is answered in Voyage's shape; see entrypoints/dialects/voyage.py.
RerankReply = RerankOut | VoyageRerankOut


class OpenAIRoutes(Controller):
    @get("/models", summary="List served models", responses=COMMON_ERRORS)
    async def models(self, list_models: ListModels) -> ModelsOut:
        """Every served model with its capabilities (`embed`, `rerank`) and dimension."""
        return models_response(list_models())

    @get("/models/{model_id:path}", summary="Retrieve one served model", responses=COMMON_ERRORS)
    async def model(self, model_id: str, list_models: ListModels) -> ModelOut:
        """One model object (`models.retrieve`); ids may contain slashes (`org/name`)."""
        return model_response(list_models(), model_id.lstrip("/"))

    @post("/embeddings", status_code=HTTP_200_OK, summary="Create embeddings", responses=BODY_ERRORS)
    async def embeddings(
        self, request: Request, data: EmbeddingsBody, create_embeddings: CreateEmbeddings, policy: ServingPolicy
    ) -> EmbeddingsOut | VoyageEmbeddingsOut:
        """OpenAI embeddings; `instruction` / `prompt_type` at the top level or inside `extra_body`; Voyage's fields."""
        data = await decode_strict(request, EmbeddingsBody)
        result = await policy.within_deadline(create_embeddings(embeddings_request(data)))
        return embeddings_reply(result, data)

    @post("/rerank", status_code=HTTP_200_OK, summary="Rerank documents", responses=BODY_ERRORS)
    async def rerank(self, request: Request, data: RerankBody, rerank: Rerank, policy: ServingPolicy) -> RerankReply:
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
    async def rerank(self, request: Request, data: RerankBody, rerank: Rerank, policy: ServingPolicy) -> RerankReply:
        return await rerank_route(request, rerank, policy)


async def rerank_route(request: Request, rerank: Rerank, policy: ServingPolicy) -> RerankReply:
    # `data` is declared on the handlers for the OpenAPI document; the strict decode is what counts.
    data = await decode_strict(request, RerankBody)
    return rerank_reply(await policy.within_deadline(rerank(rerank_request(data))), data)
