"""Qwen3-Embedding through our engines and the HTTP entrypoint equals the official recipe."""

from __future__ import annotations

import math
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from litestar.testing import TestClient

from application.container import build_container
from application.settings import load_settings
from bench.qwen3_tiny import EMBEDDER_MAX_SEQ_LENGTH
from domain.use_cases.prompts import QWEN3_DEFAULT_TASK
from entrypoints.http.app import create_app
from tests.contract.test_embedder_contract import cosine
from tests.qwen3.official_embedding_recipe import instruct, official_embeddings

EOS = 151643
ENGINES = ["sentence-transformers", "infinity"]
QUERIES = ["What is the capital of China?", "Explain gravity"]
DOCS = ["The capital of China is Beijing.", "Gravity is a force that attracts two bodies towards each other. " * 3]
LONG = "word " * (EMBEDDER_MAX_SEQ_LENGTH * 3)


@pytest.fixture(scope="module", params=ENGINES)
def client(request: pytest.FixtureRequest, qwen3_embedder_dir: Path) -> Iterator[TestClient]:
    settings = load_settings(
        {"ENGINE": request.param, "MODEL_NAMES": str(qwen3_embedder_dir), "DEVICE": "cpu", "DTYPES": "fp32"}
    )
    with TestClient(create_app(build_container(settings))) as test_client:
        deadline = time.monotonic() + 120
        while test_client.get("/ready").status_code != 200:
            assert time.monotonic() < deadline, test_client.get("/ready").text
            time.sleep(0.1)
        yield test_client


def embed(client: TestClient, model_dir: Path, **body: object) -> dict:
    response = client.post("/v1/embeddings", json={"model": str(model_dir), **body})
    assert response.status_code == 200, response.text
    return response.json()


def assert_equal_to_recipe(body: dict, expected: list[list[float]], dimensions: int | None = None) -> None:
    for datum, reference in zip(body["data"], expected, strict=True):
        if dimensions is not None:
            head = reference[:dimensions]
            norm = math.sqrt(sum(x * x for x in head))
            reference = [x / norm for x in head]
        assert cosine(datum["embedding"], reference) >= 0.99999


def test_documents_without_instruction(client: TestClient, qwen3_embedder_dir: Path) -> None:
    texts = DOCS + [LONG]
    expected, counts = official_embeddings(qwen3_embedder_dir, texts, EMBEDDER_MAX_SEQ_LENGTH)
    body = embed(client, qwen3_embedder_dir, input=texts, prompt_type="document")
    assert_equal_to_recipe(body, expected)
    assert body["usage"]["prompt_tokens"] == sum(counts)


def test_queries_with_instruction(client: TestClient, qwen3_embedder_dir: Path) -> None:
    task = "Given a question, find the answer"
    expected, counts = official_embeddings(
        qwen3_embedder_dir, [instruct(task, q) for q in QUERIES], EMBEDDER_MAX_SEQ_LENGTH
    )
    body = embed(client, qwen3_embedder_dir, input=QUERIES, instruction=task)
    assert_equal_to_recipe(body, expected)
    assert body["usage"]["prompt_tokens"] == sum(counts)  # the instruction and EOS are counted


def test_query_prompt_type_uses_the_default_task(client: TestClient, qwen3_embedder_dir: Path) -> None:
    expected, _ = official_embeddings(
        qwen3_embedder_dir, [instruct(QWEN3_DEFAULT_TASK, q) for q in QUERIES], EMBEDDER_MAX_SEQ_LENGTH
    )
    body = embed(client, qwen3_embedder_dir, input=QUERIES, extra_body={"prompt_type": "query"})
    assert_equal_to_recipe(body, expected)


@pytest.mark.parametrize("dimensions", [32, 48, 64])
def test_dimensions(client: TestClient, qwen3_embedder_dir: Path, dimensions: int) -> None:
    expected, _ = official_embeddings(qwen3_embedder_dir, DOCS, EMBEDDER_MAX_SEQ_LENGTH)
    body = embed(client, qwen3_embedder_dir, input=DOCS, dimensions=dimensions)
    assert all(len(d["embedding"]) == dimensions for d in body["data"])
    assert_equal_to_recipe(body, expected, dimensions)


def test_dimensions_below_32_refused(client: TestClient, qwen3_embedder_dir: Path) -> None:
    response = client.post("/v1/embeddings", json={"model": str(qwen3_embedder_dir), "input": "x", "dimensions": 16})
    assert response.status_code == 400 and response.json()["error"]["param"] == "dimensions"


def test_truncation_keeps_eos_last_and_refuses_when_asked(client: TestClient, qwen3_embedder_dir: Path) -> None:
    body = embed(client, qwen3_embedder_dir, input=[LONG])
    assert body["usage"]["prompt_tokens"] == EMBEDDER_MAX_SEQ_LENGTH
    response = client.post(
        "/v1/embeddings", json={"model": str(qwen3_embedder_dir), "input": [LONG], "truncate": False}
    )
    assert response.status_code == 400 and "input[0]" in response.json()["error"]["message"]


def test_text_alone_equals_text_in_a_mixed_batch(client: TestClient, qwen3_embedder_dir: Path) -> None:
    batch = embed(client, qwen3_embedder_dir, input=[DOCS[0], LONG, "hi"])["data"]
    alone = embed(client, qwen3_embedder_dir, input=[DOCS[0]])["data"][0]
    assert cosine(batch[0]["embedding"], alone["embedding"]) >= 0.99999


def test_model_is_instruction_aware(client: TestClient, qwen3_embedder_dir: Path) -> None:
    (model,) = client.get("/v1/models").json()["data"]
    assert model["id"] == str(qwen3_embedder_dir) and model["dimension"] == 64


def test_engine_sees_eos_last_after_truncation(qwen3_embedder_dir: Path) -> None:
    from adapters.engines import sentence_transformers as st_engine
    from adapters.engines.base import ModelSpec

    model = st_engine.load(ModelSpec(id="q", path=str(qwen3_embedder_dir), device="cpu", dtype="float32"))
    assert model.info.instruction_aware and model.info.default_instruction == QWEN3_DEFAULT_TASK
    ids = model.token_ids([LONG, "Hello world"], truncate=True)
    assert ids[0][-1] == EOS and len(ids[0]) == EMBEDDER_MAX_SEQ_LENGTH
    assert ids[1] == [9707, 1879, EOS]
