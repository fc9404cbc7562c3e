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
