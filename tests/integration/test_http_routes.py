"""Every route through the Litestar app on the fake engine."""

from __future__ import annotations

import base64
import struct

import pytest
from litestar.testing import TestClient

from adapters.engines.fake import hash_vector


@pytest.mark.parametrize("prefix", ["/v1", "/openai/v1"])
def test_models(fake_client: TestClient, prefix: str) -> None:
    body = fake_client.get(f"{prefix}/models").json()
    assert body["object"] == "list"
    assert [m["id"] for m in body["data"]] == ["fake-embed", "fake-rerank", "qwen3-embed-fake"]
    assert all(m["object"] == "model" and m["stats"] == {} for m in body["data"])
    # Embedding models rerank too (by cosine), so they list both.
    assert [m["capabilities"] for m in body["data"]] == [["embed", "rerank"], ["rerank"], ["embed", "rerank"]]


@pytest.mark.parametrize("model_id", ["fake-embed", "org/name/with-slashes"])
def test_retrieve_one_model_whose_id_may_have_slashes(model_id: str) -> None:
    from application.container import build_container
    from entrypoints.http.app import create_app
    from tests.conftest import fake_settings, wait_ready

    with TestClient(create_app(build_container(fake_settings(MODEL_NAMES=f"{model_id};fake-rerank")))) as client:
        wait_ready(client)
        for prefix in ["/v1", "/openai/v1"]:
            body = client.get(f"{prefix}/models/{model_id}").json()
            assert body["id"] == model_id and body["object"] == "model" and body["capabilities"] == ["embed", "rerank"]
        missing = client.get("/v1/models/org/missing")
        assert missing.status_code == 404 and missing.json()["error"]["code"] == "model_not_found"


@pytest.mark.parametrize("prefix", ["/v1", "/openai/v1"])
def test_embeddings_float(fake_client: TestClient, prefix: str) -> None:
    response = fake_client.post(f"{prefix}/embeddings", json={"model": "fake-embed", "input": ["a b", "c"]})
    assert response.status_code == 200
    body = response.json()
    assert body["object"] == "list" and body["model"] == "fake-embed"
    assert [d["index"] for d in body["data"]] == [0, 1]
    assert body["data"][0]["object"] == "embedding"
    assert body["data"][0]["embedding"] == pytest.approx(hash_vector("a b", 384))
    assert body["usage"] == {"prompt_tokens": 3, "total_tokens": 3}


def test_embeddings_base64_round_trip(fake_client: TestClient) -> None:
    body = fake_client.post(
        "/v1/embeddings", json={"model": "fake-embed", "input": "hello", "encoding_format": "base64"}
    ).json()
    raw = base64.b64decode(body["data"][0]["embedding"])
    decoded = struct.unpack(f"<{len(raw) // 4}f", raw)
    assert decoded == pytest.approx(hash_vector("hello", 384), abs=1e-7)


def test_embeddings_dimensions(fake_client: TestClient) -> None:
    body = fake_client.post("/v1/embeddings", json={"model": "fake-embed", "input": "x", "dimensions": 16}).json()
    assert len(body["data"][0]["embedding"]) == 16


@pytest.mark.parametrize(
    "extension",
    [
        {"instruction": "Find code", "prompt_type": "query"},
        {"extra_body": {"instruction": "Find code", "prompt_type": "query"}},
    ],
)
def test_instruction_at_top_level_or_in_extra_body(fake_client: TestClient, extension: dict) -> None:
    body = fake_client.post("/v1/embeddings", json={"model": "qwen3-embed-fake", "input": "q", **extension}).json()
    assert body["data"][0]["embedding"] == pytest.approx(hash_vector("Instruct: Find code\nQuery:q", 384))


def test_token_id_inputs(fake_client: TestClient) -> None:
    # Framed by the fake model's [CLS] … [SEP]: ids of its own vocabulary, counted as they are.
    single = fake_client.post("/v1/embeddings", json={"model": "fake-embed", "input": [101, 5, 6, 7, 102]}).json()
    assert len(single["data"]) == 1 and single["usage"]["total_tokens"] == 5
    framed = {"model": "fake-embed", "input": [[101, 5, 6, 102], [101, 7, 102]]}
    several = fake_client.post("/v1/embeddings", json=framed).json()
    assert len(several["data"]) == 2 and several["usage"]["total_tokens"] == 7


@pytest.mark.parametrize("prefix", ["/v1", "/openai/v1", "/v2"])
def test_rerank(fake_client: TestClient, prefix: str) -> None:
    response = fake_client.post(
        f"{prefix}/rerank",
        json={
            "model": "fake-rerank",
            "query": "warranty coverage",
            "documents": ["red and blue", "warranty coverage for two years", {"text": "coverage"}],
            "top_n": 2,
            "return_documents": True,
        },
    )
    assert response.status_code == 200
    body = response.json()
    assert [r["index"] for r in body["results"]] == [1, 2]
    assert body["results"][0]["document"] == {"text": "warranty coverage for two years"}
    assert body["results"][0]["relevance_score"] >= body["results"][1]["relevance_score"]
    assert body["usage"]["total_tokens"] > 0 and body["id"]


def test_rerank_accepts_seed_spellings(fake_client: TestClient) -> None:
    body = fake_client.post(
        "/v1/rerank",
        json={"model": "fake-rerank", "query": "blue", "docs": ["red", "blue"], "return_docs": True},
    ).json()
    assert [(r["index"], r["document"]["text"]) for r in body["results"]] == [(1, "blue"), (0, "red")]


def test_rerank_without_documents_omits_them(fake_client: TestClient) -> None:
    body = fake_client.post("/v1/rerank", json={"model": "fake-rerank", "query": "a", "documents": ["a"]}).json()
    assert "document" not in body["results"][0]


def test_health_ready_and_schema(fake_client: TestClient) -> None:
    assert fake_client.get("/health").status_code == 200
    assert fake_client.get("/ready").json()["status"] == "ready"
    assert fake_client.get("/ping").status_code == 200
    paths = fake_client.get("/schema/openapi.json").json()["paths"]
    assert {"/v1/embeddings", "/v1/rerank", "/v1/models"} <= set(paths)


@pytest.mark.parametrize(
    ("body", "param"),
    [
        ({"rank_fields": ["title"]}, "rank_fields"),
        ({"max_chunks_per_doc": 2}, "max_chunks_per_doc"),
        ({"top_n": 1, "top_k": 2}, "top_k"),
        ({"max_tokens_per_doc": 0}, "max_tokens_per_doc"),
    ],
)
def test_rerank_fields_that_cannot_be_honoured_are_refused_by_name(
    fake_client: TestClient, body: dict[str, object], param: str
) -> None:
    response = fake_client.post("/v1/rerank", json={"model": "fake-rerank", "query": "q", "documents": ["d"], **body})
    assert response.status_code == 400 and response.json()["error"]["param"] == param


@pytest.mark.parametrize(
    ("body", "param"),
    [
        ({"dimensions": 64, "output_dimension": 32}, "output_dimension"),
        ({"prompt_type": "query", "input_type": "document"}, "input_type"),
        ({"truncate": True, "truncation": False}, "truncation"),
        ({"output_dtype": "int4"}, "output_dtype"),
    ],
)
def test_embedding_fields_that_disagree_are_refused_by_name(
    fake_client: TestClient, body: dict[str, object], param: str
) -> None:
    response = fake_client.post("/v1/embeddings", json={"model": "fake-embed", "input": "x", **body})
    assert response.status_code == 400 and response.json()["error"]["param"] == param


@pytest.mark.parametrize("path", ["/v2/embed", "/embeddings", "/rerank", "/embed", "/tokenize", "/api/embed"])
def test_new_routes_answer_the_same_error_json(fake_client: TestClient, path: str) -> None:
    not_json = fake_client.post(path, content=b"x=1", headers={"Content-Type": "application/x-www-form-urlencoded"})
    assert not_json.status_code == 415 and not_json.json()["error"]["code"] == "unsupported_media_type"
    empty = fake_client.post(path, json={})
    assert empty.status_code == 400 and set(empty.json()["error"]) == {"message", "type", "param", "code"}
