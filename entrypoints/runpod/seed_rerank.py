"""The standard (seed) rerank output: the Cohere/Jina response plus the seed's `scores` and `docs`.

The seed worker documents "scores, or the docs in ranked order when return_docs"; its own code sent
objects that do not serialise. We keep the Cohere fields and add both, each tied to the original index.
"""

from __future__ import annotations

import msgspec

from domain.models import RerankRequest, RerankResult
from entrypoints.convert import rerank_response
from entrypoints.schemas import RerankOut


class RankedDoc(msgspec.Struct):
    index: int
    relevance_score: float
    text: str


class SeedRerankOut(RerankOut, omit_defaults=True):
    # scores[i] belongs to the request's docs[i]; None for documents that `top_n` left out.
    scores: list[float | None]
    # Only with return_docs: the documents best first, as in `results`.
    docs: list[RankedDoc] | None = None


def seed_rerank_response(result: RerankResult, request: RerankRequest) -> SeedRerankOut:
    scores: list[float | None] = [None] * len(request.documents)
    for hit in result.hits:
        scores[hit.index] = hit.score
    docs = None
    if request.return_documents:
        docs = [RankedDoc(h.index, h.score, request.documents[h.index]) for h in result.hits]
    return SeedRerankOut(**msgspec.structs.asdict(rerank_response(result)), scores=scores, docs=docs)
