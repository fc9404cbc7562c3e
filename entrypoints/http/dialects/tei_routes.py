"""TEI's routes at the server root (tei-client, litellm `huggingface/`); its /rerank is in root_rerank.py."""

from __future__ import annotations

from litestar import Controller, Request, get, post
from litestar.status_codes import HTTP_200_OK

from application.serving_policy import ServingPolicy
from domain.models import Limits
from domain.use_cases import CreateEmbeddings, Decode, ListModels, Tokenize
from entrypoints.convert import float_json
from entrypoints.dialects.tei import TeiEmbedBody, TeiInfo, tei_embed_request, tei_info
from entrypoints.dialects.tei_tokens import TeiDecodeBody, TeiToken, TeiTokenizeBody, tei_ids, tei_texts, tei_tokens
from entrypoints.http.openapi_doc import BODY_ERRORS, COMMON_ERRORS
from entrypoints.http.strict_body import decode_strict


class TeiRoutes(Controller):
    tags = ["tei"]

    @post("/embed", status_code=HTTP_200_OK, summary="Embed (TEI)", responses=BODY_ERRORS)
    async def embed(
        self, request: Request, data: TeiEmbedBody, create_embeddings: CreateEmbeddings, policy: ServingPolicy
    ) -> list[list[float]]:
        """TEI's `inputs`, `truncate`, `truncation_direction`, `prompt_name`, `dimensions`; a bare array."""
        body = await decode_strict(request, TeiEmbedBody)
        result = await policy.within_deadline(create_embeddings(tei_embed_request(body)))
        return [float_json(v) for v in result.vectors]

    @get("/info", summary="Model info (TEI)", responses=COMMON_ERRORS)
    async def info(self, list_models: ListModels, limits: Limits) -> TeiInfo:
        """The first served model: TEI serves one, and its clients read this to learn the limits."""
        return tei_info(list_models()[0], limits.max_items, limits.max_tokens_per_request)

    @post("/tokenize", status_code=HTTP_200_OK, summary="Tokenize (TEI)", responses=BODY_ERRORS)
    async def tokenize(
        self, request: Request, data: TeiTokenizeBody, tokenize: Tokenize, policy: ServingPolicy
    ) -> list[list[TeiToken]]:
        """The tokens the model reads for each input, with character spans."""
        body = await decode_strict(request, TeiTokenizeBody)
        texts, prompt_type = tei_texts(body)
        work = tokenize(body.model, texts, special=body.add_special_tokens, prompt_type=prompt_type)
        return tei_tokens(await policy.within_deadline(work))

    @post("/decode", status_code=HTTP_200_OK, summary="Decode (TEI)", responses=BODY_ERRORS)
    async def decode(self, request: Request, data: TeiDecodeBody, decode: Decode, policy: ServingPolicy) -> list[str]:
        """The text of token ids in the model's own vocabulary."""
        body = await decode_strict(request, TeiDecodeBody)
        return await policy.within_deadline(decode(body.model, tei_ids(body), skip_special=body.skip_special_tokens))
