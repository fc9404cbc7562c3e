from __future__ import annotations

import math
from collections.abc import Sequence

from domain.errors import InvalidInput
from domain.models import (
    Capability,
    Limits,
    ModelInfo,
    PromptType,
    RerankHit,
    RerankRequest,
    RerankResult,
    ScoredBatch,
    Usage,
)
from domain.ports import Embedder, ModelCatalog, Reranker, Tokenizer
from domain.use_cases.prompts import apply_prompt
from domain.use_cases.resolve_model import resolve_model
from domain.use_cases.token_cap import check_token_cap, cut_to_cap
from domain.use_cases.validation import check_items, check_text


class Rerank:
    """Orders documents by relevance to a query.

    - model resolution: a reranker when one is named or is the only one; an embedding model reranks
      by the cosine of normalised embeddings (the query embedded as a query)
    - empty query, empty documents, more than max items → InvalidInput naming the item
    - `top_n` < 1 → InvalidInput; results are cut to `top_n`
    - `max_tokens_per_doc`: each document cut to that many tokens (see `token_cap`)
    - each hit keeps its document's original index; hits sorted by score, descending (ties by index)
    - more tokens than max tokens per request (the engine's exact count) → InvalidInput, before any
      model work
    """

    def __init__(
        self,
        catalog: ModelCatalog,
        reranker: Reranker,
        embedder: Embedder,
        limits: Limits,
        tokenizer: Tokenizer | None = None,
    ) -> None:
        self._catalog = catalog
        self._reranker = reranker
        self._embedder = embedder
        self._limits = limits
        self._tokenizer = tokenizer

    async def __call__(self, request: RerankRequest) -> RerankResult:
        model = self._resolve(request.model)
        truncate = self._limits.truncate if request.truncate is None else request.truncate
        if request.top_n is not None and request.top_n < 1:
            raise InvalidInput(f"'top_n' must be at least 1, got {request.top_n}", param="top_n")
        check_token_cap(request.max_tokens_per_doc, "max_tokens_per_doc")
        query = check_text(request.query, "query", self._limits, truncate)
        check_items(request.documents, self._limits, "documents")
        documents = [check_text(d, f"documents[{i}]", self._limits, truncate) for i, d in enumerate(request.documents)]
        cap = request.max_tokens_per_doc
        documents = [await cut_to_cap(self._tokenizer, model, d, cap, "max_tokens_per_doc") for d in documents]
        if model.can(Capability.RERANK):
            scored = await self._reranker.score(
                model.id,
                query,
                documents,
                instruction=request.instruction,
                truncate=truncate,
                max_tokens=self._limits.max_tokens_per_request,
            )
        else:
            scored = await self._by_cosine(model, query, documents, request.instruction, truncate)
        order = sorted(range(len(documents)), key=lambda i: (-scored.scores[i], i))
        if request.top_n is not None:
            order = order[: request.top_n]
        hits = [
            RerankHit(
                index=i,
                score=float(scored.scores[i]),
                document=request.documents[i] if request.return_documents else None,
            )
            for i in order
        ]
        return RerankResult(model=model.id, hits=hits, usage=Usage.of(scored.token_count))

    def _resolve(self, model_id: str | None) -> ModelInfo:
        if model_id:
            # Every model reranks: rerankers natively, embedding models by cosine.
            return self._catalog.get_model(model_id)
        if any(m.can(Capability.RERANK) for m in self._catalog.list_models()):
            return resolve_model(self._catalog, None, Capability.RERANK)
        return resolve_model(self._catalog, None, Capability.EMBED)

    async def _by_cosine(
        self, model: ModelInfo, query: str, documents: Sequence[str], instruction: str | None, truncate: bool
    ) -> ScoredBatch:
        query_text = apply_prompt(model, query, instruction, PromptType.QUERY)
        doc_texts = [apply_prompt(model, d, None, PromptType.DOCUMENT) for d in documents]
        batch = await self._embedder.embed(
            model.id, [query_text, *doc_texts], truncate=truncate, max_tokens=self._limits.max_tokens_per_request
        )
        q, *docs = batch.vectors
        return ScoredBatch(scores=[_dot(q, d) for d in docs], token_count=sum(batch.token_counts))


def _dot(a: Sequence[float], b: Sequence[float]) -> float:
    # Vectors are L2-normalised, so the dot product is the cosine.
    return math.fsum(x * y for x, y in zip(a, b, strict=True))
