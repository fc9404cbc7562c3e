"""Rerank on the fake engine: ordering, indices, top_n, validation."""

from __future__ import annotations

import asyncio

import pytest

from application.container import Container
from domain.errors import InvalidInput
from domain.models import RerankRequest
from tests.unit.test_create_embeddings import _started

DOCS = ["the cat sat", "a warranty for the product", "product warranty coverage details"]


def rerank(container: Container, **fields: object):  # type: ignore[no-untyped-def]
    fields.setdefault("model", "fake-rerank")
    fields.setdefault("query", "product warranty coverage")
    fields.setdefault("documents", DOCS)
    return asyncio.run(container.rerank()(RerankRequest(**fields)))  # type: ignore[arg-type]


def test_hits_sorted_by_score_with_original_indices(fake_container: Container) -> None:
    result = rerank(fake_container)
    assert [h.index for h in result.hits] == [2, 1, 0]
    scores = [h.score for h in result.hits]
    assert scores == sorted(scores, reverse=True)
    assert all(h.document is None for h in result.hits)


def test_return_documents_and_top_n(fake_container: Container) -> None:
    result = rerank(fake_container, top_n=2, return_documents=True)
    assert [(h.index, h.document) for h in result.hits] == [(2, DOCS[2]), (1, DOCS[1])]


def test_top_n_larger_than_documents_returns_all(fake_container: Container) -> None:
    assert len(rerank(fake_container, top_n=10).hits) == 3


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"top_n": 0}, "top_n"),
        ({"query": ""}, "query must not be empty"),
        ({"documents": []}, "'documents' must not be empty"),
        ({"documents": ["ok", " "]}, r"documents\[1\] must not be empty"),
    ],
)
def test_invalid_requests(fake_container: Container, fields: dict[str, object], message: str) -> None:
    with pytest.raises(InvalidInput, match=message):
        rerank(fake_container, **fields)


def test_too_many_documents() -> None:
    with pytest.raises(InvalidInput, match="at most 2"):
        rerank(_started(MAX_ITEMS="2"))


def test_embedding_model_reranks_by_cosine(fake_container: Container) -> None:
    result = rerank(fake_container, model="fake-embed", query="the cat sat", documents=["dogs", "the cat sat"])
    assert result.hits[0].index == 1
    assert result.hits[0].score == pytest.approx(1.0)


def test_omitted_model_prefers_the_only_reranker(fake_container: Container) -> None:
    assert rerank(fake_container, model=None).model == "fake-rerank"


def test_omitted_model_falls_back_to_the_only_embedding_model() -> None:
    assert rerank(_started(MODEL_NAMES="just-embed"), model=None).model == "just-embed"


class TestMaxTokensPerDoc:
    def test_each_document_is_cut_to_the_cap_before_scoring(self, fake_container: Container) -> None:
        # Cut to one token, only the third document keeps a query word ("product").
        result = rerank(fake_container, max_tokens_per_doc=1, return_documents=True)
        assert [h.index for h in result.hits][0] == 2 and [h.score for h in result.hits][1:] == [0, 0]
        assert result.hits[0].document == DOCS[2]  # the document comes back whole

    def test_a_cap_at_or_above_the_models_limit_changes_nothing(self, fake_container: Container) -> None:
        assert rerank(fake_container, max_tokens_per_doc=512).hits == rerank(fake_container).hits

    def test_a_cap_below_one_is_refused(self, fake_container: Container) -> None:
        with pytest.raises(InvalidInput, match="'max_tokens_per_doc' must be at least 1"):
            rerank(fake_container, max_tokens_per_doc=0)

    def test_without_a_tokenizer_a_cap_below_the_limit_is_refused_not_ignored(self, fake_container: Container) -> None:
        from domain.use_cases import Rerank

        registry = fake_container.registry()
        bare = Rerank(catalog=registry, reranker=registry, embedder=registry, limits=fake_container.limits())
        request = RerankRequest(model="fake-rerank", query="q", documents=["d"], max_tokens_per_doc=4)
        with pytest.raises(InvalidInput, match="cannot cut to"):
            asyncio.run(bare(request))
