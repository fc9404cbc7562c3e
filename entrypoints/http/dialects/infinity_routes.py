"""Infinity's and vLLM's routes at the server root (infinity-client, litellm `infinity/`, langchain Infinity*)."""

from __future__ import annotations

from litestar import Controller, Request, get, post
from litestar.status_codes import HTTP_200_OK

from application.serving_policy import ServingPolicy
from domain.use_cases import CreateEmbeddings, ListModels
from entrypoints.convert import embeddings_request
from entrypoints.dialects.infinity import InfinityEmbeddingsBody, infinity_embeddings_request
from entrypoints.dialects.models import infinity_models_response
from entrypoints.dialects.voyage import VoyageEmbeddingsOut, embeddings_reply
from entrypoints.http.openapi_doc import BODY_ERRORS, COMMON_ERRORS
from entrypoints.http.strict_body import decode_strict
from entrypoints.schemas import EmbeddingsOut, ModelsOut


class InfinityRoutes(Controller):
    tags = ["infinity"]

    @get("/models", summary="List served models (Infinity/vLLM path)", responses=COMMON_ERRORS)
    async def models(self, list_models: ListModels) -> ModelsOut:
        """The OpenAI list with `owned_by: "infinity"`, the only owner infinity-client parses."""
        return infinity_models_response(list_models())

    @post("/embeddings", status_code=HTTP_200_OK, summary="Embeddings (Infinity/vLLM path)", responses=BODY_ERRORS)
    async def embeddings(
        self,
        request: Request,
        data: InfinityEmbeddingsBody,
        create_embeddings: CreateEmbeddings,
        policy: ServingPolicy,
    ) -> EmbeddingsOut | VoyageEmbeddingsOut:
        """The OpenAI embeddings route at the root, as infinity-client and litellm's `infinity/` call it."""
        body = await decode_strict(request, InfinityEmbeddingsBody)
        embedding = infinity_embeddings_request(embeddings_request(body))
        return embeddings_reply(await policy.within_deadline(create_embeddings(embedding)), body)
