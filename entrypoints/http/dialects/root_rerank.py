"""`POST /rerank` at the root, claimed by two dialects; the body tells them apart.

`texts` → TEI's body, answered with TEI's bare `[{"index", "score", "text"?}]`; otherwise `documents`
→ Infinity's / vLLM's body, answered with `results` whose `document` is a plain string.
"""

from __future__ import annotations

from typing import Any

import msgspec
from litestar import Request, post
from litestar.status_codes import HTTP_200_OK

from application.serving_policy import ServingPolicy
from domain.use_cases import Rerank
from entrypoints.convert import rerank_request
from entrypoints.dialects.infinity import (
    InfinityRerankBody,
    InfinityRerankOut,
    infinity_rerank_request,
    infinity_rerank_response,
)
from entrypoints.dialects.tei import TeiRank, TeiRerankBody, tei_rerank_request, tei_rerank_response
from entrypoints.http.openapi_doc import BODY_ERRORS
from entrypoints.http.strict_body import decode_strict

_ABSENT = msgspec.Raw(b"")


class _Claim(msgspec.Struct):
    # Only whether `texts` is there; the dialect's own schema then decodes the body strictly.
    texts: msgspec.Raw = msgspec.field(default_factory=lambda: _ABSENT)


@post("/rerank", status_code=HTTP_200_OK, summary="Rerank (TEI with texts, else Infinity/vLLM)", responses=BODY_ERRORS)
async def root_rerank(
    request: Request, data: dict[str, Any], rerank: Rerank, policy: ServingPolicy
) -> InfinityRerankOut | list[TeiRank]:
    """`texts` → TEI's bare `[{"index", "score", "text"?}]`; `documents` → Infinity's `results`."""
    if msgspec.json.decode(await request.body(), type=_Claim).texts != _ABSENT:
        tei = await decode_strict(request, TeiRerankBody)
        return tei_rerank_response(await policy.within_deadline(rerank(tei_rerank_request(tei))))
    body = await decode_strict(request, InfinityRerankBody)
    ranking = infinity_rerank_request(rerank_request(body), body.raw_scores)
    return infinity_rerank_response(await policy.within_deadline(rerank(ranking)))
