"""Both Qwen3 models served together: the HTTP server and the RunPod worker return the official recipes."""

from __future__ import annotations

import asyncio
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
from entrypoints.runpod.handler import JobHandler
from tests.contract.test_embedder_contract import cosine
from tests.qwen3.official_embedding_recipe import instruct, official_embeddings
from tests.qwen3.test_reranker_parity import TOLERANCE, Recipe

QUERY = "Which product has warranty coverage?"
DOCS = [
    "Product A comes with a 2-year warranty",
    "Product B is available in red and blue colors",
    "All electronics include a standard 1-year warranty",
]


@pytest.fixture(scope="module", params=["infinity", "sentence-transformers"])
def settings_env(request: pytest.FixtureRequest, qwen3_embedder_dir: Path, qwen3_reranker_dir: Path) -> dict:
    return {
        "ENGINE": request.param,
        "MODEL_NAMES": f"{qwen3_embedder_dir};{qwen3_reranker_dir}",
        "DEVICE": "cpu",
        "DTYPES": "fp32",
    }


@pytest.fixture(scope="module")
def client(settings_env: dict) -> Iterator[TestClient]:
    with TestClient(create_app(build_container(load_settings(settings_env)))) as test_client:
        deadline = time.monotonic() + 120
        while test_client.get("/ready").status_code != 200:
            assert time.monotonic() < deadline, test_client.get("/ready").text
            time.sleep(0.1)
        yield test_client


@pytest.fixture(scope="module")
def recipe(qwen3_reranker_dir: Path) -> Recipe:
    return Recipe(qwen3_reranker_dir)


def assert_rerank_matches(results: list[dict], expected: list[float]) -> None:
    assert [r["index"] for r in results] == sorted(range(len(expected)), key=lambda i: -expected[i])
    for result in results:
        assert result["relevance_score"] == pytest.approx(expected[result["index"]], abs=TOLERANCE)


def test_http_rerank_equals_the_recipe(client: TestClient, qwen3_reranker_dir: Path, recipe: Recipe) -> None:
    body = client.post("/v1/rerank", json={"model": str(qwen3_reranker_dir), "query": QUERY, "documents": DOCS}).json()
    assert_rerank_matches(body["results"], recipe(QUERY, DOCS))
    custom = client.post(
        "/v1/rerank",
        json={"model": str(qwen3_reranker_dir), "query": QUERY, "documents": DOCS, "instruction": "Find colours"},
    ).json()
    assert_rerank_matches(custom["results"], recipe(QUERY, DOCS, instruction="Find colours"))


def test_http_embeddings_equal_the_recipe(client: TestClient, qwen3_embedder_dir: Path) -> None:
    body = client.post(
        "/v1/embeddings",
        json={"model": str(qwen3_embedder_dir), "input": [QUERY], "extra_body": {"prompt_type": "query"}},
    ).json()
    expected, _ = official_embeddings(
        qwen3_embedder_dir, [instruct(QWEN3_DEFAULT_TASK, QUERY)], EMBEDDER_MAX_SEQ_LENGTH
    )
    assert cosine(body["data"][0]["embedding"], expected[0]) >= 0.99999


def test_runpod_jobs_equal_the_recipes(
    settings_env: dict, qwen3_embedder_dir: Path, qwen3_reranker_dir: Path, recipe: Recipe
) -> None:
    handler = JobHandler(build_container(load_settings(settings_env)))

    async def run() -> tuple[dict, dict, dict]:
        try:
            rerank = await handler.handle(
                {
                    "id": "1",
                    "input": {"model": str(qwen3_reranker_dir), "query": QUERY, "docs": DOCS, "return_docs": True},
                }
            )
            task = "Given a web search query, retrieve relevant passages that answer the query"
            standard = await handler.handle(
                {"id": "2", "input": {"model": str(qwen3_embedder_dir), "input": QUERY, "instruction": task}}
            )
            openai = await handler.handle(
                {
                    "id": "3",
                    "input": {
                        "openai_route": "/v1/embeddings",
                        "openai_input": {"model": str(qwen3_embedder_dir), "input": DOCS, "dimensions": 32},
                    },
                }
            )
            return dict(rerank), dict(standard), dict(openai)
        finally:
            await handler.close()

    rerank, standard, openai = asyncio.run(run())
    expected = recipe(QUERY, DOCS)
    assert_rerank_matches(rerank["results"], expected)
    assert rerank["scores"] == pytest.approx(expected, abs=TOLERANCE)  # request order, tied to each document
    assert [d["text"] for d in rerank["docs"]] == [DOCS[r["index"]] for r in rerank["results"]]

    (query_vector,), _ = official_embeddings(
        qwen3_embedder_dir, [instruct(QWEN3_DEFAULT_TASK, QUERY)], EMBEDDER_MAX_SEQ_LENGTH
    )
    assert cosine(standard["data"][0]["embedding"], query_vector) >= 0.99999
    doc_vectors, _ = official_embeddings(qwen3_embedder_dir, DOCS, EMBEDDER_MAX_SEQ_LENGTH)
    for datum, full in zip(openai["data"], doc_vectors, strict=True):
        assert len(datum["embedding"]) == 32
        assert cosine(datum["embedding"], full[:32]) >= 0.99999
