"""Ollama's embedding routes under /api, as the ollama client calls them."""

from __future__ import annotations

import time

from litestar import Controller, Request, get, post
from litestar.status_codes import HTTP_200_OK

from application.serving_policy import ServingPolicy
from domain.use_cases import CreateEmbeddings, ListModels
from entrypoints.convert import float_json
from entrypoints.dialects.ollama import (
    OllamaEmbedBody,
    OllamaEmbeddingOut,
    OllamaEmbeddingsBody,
    OllamaEmbedOut,
    OllamaTags,
    ollama_embed_request,
    ollama_embed_response,
    ollama_embeddings_request,
    ollama_tags,
)
from entrypoints.http.openapi_doc import BODY_ERRORS, COMMON_ERRORS
from entrypoints.http.strict_body import decode_strict


class OllamaRoutes(Controller):
    path = "/api"
    tags = ["ollama"]

    @post("/embed", status_code=HTTP_200_OK, summary="Embed (Ollama)", responses=BODY_ERRORS)
    async def embed(
        self, request: Request, data: OllamaEmbedBody, create_embeddings: CreateEmbeddings, policy: ServingPolicy
    ) -> OllamaEmbedOut:
        """`input`, `truncate`, `dimensions`; durations in nanoseconds as Ollama reports them."""
        started = time.perf_counter_ns()
        body = await decode_strict(request, OllamaEmbedBody)
        result = await policy.within_deadline(create_embeddings(ollama_embed_request(body)))
        return ollama_embed_response(result, time.perf_counter_ns() - started)

    @post("/embeddings", status_code=HTTP_200_OK, summary="Embeddings, legacy (Ollama)", responses=BODY_ERRORS)
    async def embeddings(
        self, request: Request, data: OllamaEmbeddingsBody, create_embeddings: CreateEmbeddings, policy: ServingPolicy
    ) -> OllamaEmbeddingOut:
        """`prompt` → one vector."""
        body = await decode_strict(request, OllamaEmbeddingsBody)
        result = await policy.within_deadline(create_embeddings(ollama_embeddings_request(body)))
        return OllamaEmbeddingOut(float_json(result.vectors[0]))

    @get("/tags", summary="List models (Ollama)", responses=COMMON_ERRORS)
    async def tags_(self, list_models: ListModels) -> OllamaTags:
        return ollama_tags(list(list_models()))
