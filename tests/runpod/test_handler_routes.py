"""The handler with job dicts on the fake engine: every route the seed documents, answered like HTTP."""

from __future__ import annotations

import base64
import struct
from typing import Any

import pytest

from adapters.engines.fake import hash_vector
from entrypoints.runpod.handler import JobHandler
from tests.runpod.conftest import run_job
from tests.runpod.seed_examples import SEARCH_TASK, SEED_EMBEDDER, SEED_RERANKER, SEED_USAGE, WARRANTY_DOCS

QUERY = "Which product has warranty coverage?"
# Fake scores (share of query words present): 0.0, 0.2, 0.6, so ranked order [2, 1, 0] differs from input order.
DOCS = ["nothing relevant here", "a warranty", "product warranty coverage"]


def qwen3_query(task: str, text: str) -> str:
    return f"Instruct: {task}\nQuery:{text}"


@pytest.mark.parametrize("route", ["/v1/models", "/openai/v1/models", "v1/models/"])
def test_models_route(handler: JobHandler, route: str) -> None:
    out = run_job(handler, {"openai_route": route})
    assert out["object"] == "list"
    assert [m["id"] for m in out["data"]] == [SEED_EMBEDDER, SEED_RERANKER, "plain-embed"]
    assert all(m["stats"] == {} for m in out["data"])


@pytest.mark.parametrize("route", ["/v1/embeddings", "/openai/v1/embeddings"])
def test_openai_embeddings_float(handler: JobHandler, route: str) -> None:
    out = run_job(handler, {"openai_route": route, "openai_input": {"model": "plain-embed", "input": ["a b", "c"]}})
    assert out["object"] == "list" and out["model"] == "plain-embed"
    assert [d["index"] for d in out["data"]] == [0, 1]
    assert out["data"][0]["object"] == "embedding"
    assert out["data"][1]["embedding"] == pytest.approx(hash_vector("c", 384))
    assert out["usage"] == {"prompt_tokens": 3, "total_tokens": 3}


def test_openai_embeddings_base64_and_dimensions(handler: JobHandler) -> None:
    body = {"model": "plain-embed", "input": "hello", "encoding_format": "base64", "dimensions": 8}
    out = run_job(handler, {"openai_route": "/v1/embeddings", "openai_input": body})
    raw = base64.b64decode(out["data"][0]["embedding"])
    vector = struct.unpack(f"<{len(raw) // 4}f", raw)
    head = hash_vector("hello", 384)[:8]
    norm = sum(x * x for x in head) ** 0.5
    assert vector == pytest.approx([x / norm for x in head], abs=1e-6)


@pytest.mark.parametrize(
    "extension",
    [{"instruction": "Find code"}, {"extra_body": {"instruction": "Find code"}}],
    ids=["top-level", "extra_body"],
)
def test_openai_embeddings_instruction(handler: JobHandler, extension: dict[str, Any]) -> None:
    body = {"model": SEED_EMBEDDER, "input": "q", **extension}
    out = run_job(handler, {"openai_route": "/v1/embeddings", "openai_input": body})
    assert out["data"][0]["embedding"] == pytest.approx(hash_vector(qwen3_query("Find code", "q"), 384))


@pytest.mark.parametrize("name", ["openai-embeddings-extra-body", "standard-embeddings-instruction"])
def test_seed_instruction_payloads(handler: JobHandler, name: str) -> None:
    out = run_job(handler, SEED_USAGE[name])
    expected = hash_vector(qwen3_query(SEARCH_TASK, "What is machine learning?"), 384)
    assert out["data"][0]["embedding"] == pytest.approx(expected)


def test_standard_embeddings(handler: JobHandler) -> None:
    out = run_job(handler, {"model": SEED_EMBEDDER, "input": ["Hello world", "x"], "prompt_type": "document"})
    assert out["model"] == SEED_EMBEDDER
    assert [d["embedding"] for d in out["data"]] == [
        pytest.approx(hash_vector("Hello world", 384)),
        pytest.approx(hash_vector("x", 384)),
    ]


def test_standard_rerank_ties_scores_to_original_indices(handler: JobHandler) -> None:
    out = run_job(handler, {"model": SEED_RERANKER, "query": QUERY, "docs": DOCS})
    assert [r["index"] for r in out["results"]] == [2, 1, 0]
    assert [r["relevance_score"] for r in out["results"]] == pytest.approx([0.6, 0.2, 0.0])
    assert out["scores"] == pytest.approx([0.0, 0.2, 0.6])
    assert "docs" not in out and all("document" not in r for r in out["results"])
    assert out["model"] == SEED_RERANKER and out["usage"]["total_tokens"] > 0


def test_standard_rerank_return_docs_in_ranked_order(handler: JobHandler) -> None:
    out = run_job(handler, {"model": SEED_RERANKER, "query": QUERY, "docs": DOCS, "return_docs": True})
    assert out["docs"] == [
        {"index": 2, "relevance_score": pytest.approx(0.6), "text": DOCS[2]},
        {"index": 1, "relevance_score": pytest.approx(0.2), "text": DOCS[1]},
        {"index": 0, "relevance_score": pytest.approx(0.0), "text": DOCS[0]},
    ]
    assert [r["document"]["text"] for r in out["results"]] == [DOCS[2], DOCS[1], DOCS[0]]


def test_standard_rerank_top_n_documents_alias_and_instruction(handler: JobHandler) -> None:
    job = {"model": SEED_RERANKER, "query": QUERY, "documents": DOCS, "top_n": 1, "instruction": "Rank warranties"}
    out = run_job(handler, job)
    assert [r["index"] for r in out["results"]] == [2]
    assert out["scores"] == [None, None, pytest.approx(0.6)]


def test_seed_rerank_payload(handler: JobHandler) -> None:
    out = run_job(handler, SEED_USAGE["standard-rerank"])
    assert out["scores"] == pytest.approx([0.4, 0.2, 0.2])
    assert [d["text"] for d in out["docs"]] == WARRANTY_DOCS  # ties keep input order


@pytest.mark.parametrize("route", ["/v1/rerank", "/openai/v1/rerank"])
def test_openai_rerank_route_is_the_http_shape(handler: JobHandler, route: str) -> None:
    body = {"model": SEED_RERANKER, "query": QUERY, "documents": DOCS, "return_documents": True}
    out = run_job(handler, {"openai_route": route, "openai_input": body})
    assert [(r["index"], r["document"]["text"]) for r in out["results"]] == [(2, DOCS[2]), (1, DOCS[1]), (0, DOCS[0])]
    assert set(out) == {"id", "model", "results", "usage", "meta"}


def test_openai_route_wins_over_standard_keys(handler: JobHandler) -> None:
    out = run_job(handler, {"openai_route": "/v1/models", "input": "ignored", "query": "ignored"})
    assert out["object"] == "list" and "data" in out
