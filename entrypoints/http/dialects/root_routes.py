"""Routes at the server root, where Infinity, vLLM and TEI serve them.

`POST /rerank` is claimed by two dialects; the body tells them apart: `texts` → TEI (a bare array
answered), otherwise `documents` → Infinity/Cohere style (`results` with `document` as a string).
"""

from __future__ import annotations

from typing import Any

import msgspec
from litestar import Controller, Request, get, post
from litestar.status_codes import HTTP_200_OK

from application.deadline import within
from domain.models import Limits
from domain.use_cases import CreateEmbeddings, Decode, ListModels, Rerank, Tokenize
from entrypoints.convert import embeddings_request, rerank_request
from entrypoints.dialects.infinity import (
    InfinityEmbeddingsBody,
    InfinityRerankBody,
    InfinityRerankOut,
    infinity_embeddings_request,
    infinity_rerank_request,
    infinity_rerank_response,
)
from entrypoints.dialects.models import infinity_models_response
from entrypoints.dialects.tei import (
    TeiDecodeBody,
    TeiEmbedBody,
    TeiInfo,
    TeiRank,
    TeiRerankBody,
    TeiToken,
    TeiTokenizeBody,
    tei_embed_request,
    tei_ids,
    tei_info,
    tei_rerank_request,
    tei_rerank_response,
    tei_texts,
    tei_tokens,
)
from entrypoints.dialects.voyage import VoyageEmbeddingsOut, embeddings_reply
from entrypoints.http.openapi_doc import BODY_ERRORS, COMMON_ERRORS
from entrypoints.http.strict_body import decode_strict
from entrypoints.schemas import EmbeddingsOut, ModelsOut

_ABSENT = msgspec.Raw(b"")


class _Claim(msgspec.Struct):
    # Only whether `texts` is there: which dialect's schema decodes the body (strictly, afterwards).
    texts: msgspec.Raw = msgspec.field(default_factory=lambda: _ABSENT)


class RootRoutes(Controller):
    tags = ["infinity", "tei"]

    @get("/models", summary="List served models (Infinity/vLLM path)", responses=COMMON_ERRORS)
    async def models(self, list_models: ListModels) -> ModelsOut:
        return infinity_models_response(list_models())

    @post("/embeddings", status_code=HTTP_200_OK, summary="Embeddings (Infinity/vLLM path)", responses=BODY_ERRORS)
    async def embeddings(
        self,
        request: Request,
        data: InfinityEmbeddingsBody,
        create_embeddings: CreateEmbeddings,
        request_timeout: float,
    ) -> EmbeddingsOut | VoyageEmbeddingsOut:
        """The OpenAI embeddings route at the root, as infinity-client and litellm's `infinity/` call it."""
        body = await decode_strict(request, InfinityEmbeddingsBody)
        request_ = infinity_embeddings_request(embeddings_request(body))
        return embeddings_reply(await within(request_timeout, create_embeddings(request_)), body)

    @post("/rerank", status_code=HTTP_200_OK, summary="Rerank (Infinity, vLLM or TEI by body)", responses=BODY_ERRORS)
    async def rerank(
        self, request: Request, data: dict[str, Any], rerank: Rerank, request_timeout: float
    ) -> InfinityRerankOut | list[TeiRank]:
        """`texts` → TEI's bare `[{"index", "score", "text"?}]`; `documents` → Infinity's `results`."""
        if msgspec.json.decode(await request.body(), type=_Claim).texts != _ABSENT:
            tei = await decode_strict(request, TeiRerankBody)
            return tei_rerank_response(await within(request_timeout, rerank(tei_rerank_request(tei))))
        body = await decode_strict(request, InfinityRerankBody)
        ranking = infinity_rerank_request(rerank_request(body), body.raw_scores)
        return infinity_rerank_response(await within(request_timeout, rerank(ranking)))

    @post("/embed", status_code=HTTP_200_OK, summary="Embed (TEI)", responses=BODY_ERRORS)
    async def embed(
        self, request: Request, data: TeiEmbedBody, create_embeddings: CreateEmbeddings, request_timeout: float
    ) -> list[list[float]]:
        """TEI's `inputs`, `truncate`, `truncation_direction`, `prompt_name`, `dimensions`; a bare array."""
        body = await decode_strict(request, TeiEmbedBody)
        return (await within(request_timeout, create_embeddings(tei_embed_request(body)))).vectors

    @get("/info", summary="Model info (TEI)", responses=COMMON_ERRORS)
    async def info(self, list_models: ListModels, limits: Limits) -> TeiInfo:
        """The first served model: TEI serves one, and its clients read this to learn the limits."""
        return tei_info(list_models()[0], limits.max_items, limits.max_tokens_per_request)

    @post("/tokenize", status_code=HTTP_200_OK, summary="Tokenize (TEI)", responses=BODY_ERRORS)
    async def tokenize(
        self, request: Request, data: TeiTokenizeBody, tokenize: Tokenize, request_timeout: float
    ) -> list[list[TeiToken]]:
        """The tokens the model reads for each input, with character spans."""
        body = await decode_strict(request, TeiTokenizeBody)
        texts, prompt_type = tei_texts(body)
        work = tokenize(body.model, texts, special=body.add_special_tokens, prompt_type=prompt_type)
        return tei_tokens(await within(request_timeout, work))

    @post("/decode", status_code=HTTP_200_OK, summary="Decode (TEI)", responses=BODY_ERRORS)
    async def decode(self, request: Request, data: TeiDecodeBody, decode: Decode, request_timeout: float) -> list[str]:
        """The text of token ids in the model's own vocabulary."""
        body = await decode_strict(request, TeiDecodeBody)
        return await within(request_timeout, decode(body.model, tei_ids(body), skip_special=body.skip_special_tokens))
