"""`docker run IMAGE serve`: every route of the seed README, from the baked models, with the openai SDK too."""

from __future__ import annotations

import math
from collections.abc import Iterator

import httpx
import pytest

from tests.container.conftest import Image
from tests.container.harness import Running, run

pytestmark = [pytest.mark.docker, pytest.mark.timeout(1800)]

HEALTHCHECK = ["python", "/opt/embedrank/healthcheck.py", "/ready"]
SEED_QUERY = "Which product has warranty coverage?"
SEED_DOCS = [
    "Product A comes with a 2-year warranty",
    "Product B is available in red and blue colors",
    "All electronics include a standard 1-year warranty",
]


@pytest.fixture(scope="module")
def server(image: Image) -> Iterator[Running]:
    with run(image.client, image.tag, ["serve"]) as running:
        running.wait_for("/ready")
        yield running


def unit_length(vector: list[float]) -> bool:
    return math.isclose(math.fsum(x * x for x in vector), 1.0, rel_tol=1e-4)


@pytest.mark.parametrize("prefix", ["/v1", "/openai/v1"])
def test_models_lists_the_baked_models(server: Running, image: Image, prefix: str) -> None:
    response = httpx.get(f"{server.base}{prefix}/models", timeout=30)
    assert response.status_code == 200, response.text
    assert sorted(m["id"] for m in response.json()["data"]) == sorted(image.model_ids)


@pytest.mark.parametrize("prefix", ["/v1", "/openai/v1"])
def test_embeddings_with_the_openai_sdk(server: Running, image: Image, prefix: str) -> None:
    from openai import OpenAI

    client = OpenAI(base_url=f"{server.base}{prefix}", api_key="unused", max_retries=0, timeout=120)
    response = client.embeddings.create(model=image.minilm, input=["Hello world", "What is machine learning?"])
    assert [d.index for d in response.data] == [0, 1]
    assert all(len(d.embedding) == 384 and unit_length(d.embedding) for d in response.data)
    assert response.usage.prompt_tokens > 0


def test_qwen3_embeddings_with_an_instruction_and_a_prompt_type(server: Running, image: Image) -> None:
    from openai import OpenAI

    client = OpenAI(base_url=f"{server.base}/v1", api_key="unused", max_retries=0, timeout=120)
    plain = client.embeddings.create(model=image.qwen3_embedder, input="What is machine learning?")
    query = client.embeddings.create(
        model=image.qwen3_embedder, input="What is machine learning?", extra_body={"prompt_type": "query"}
    )
    instructed = client.embeddings.create(
        model=image.qwen3_embedder,
        input="What is machine learning?",
        extra_body={"instruction": "Given a web search query, retrieve relevant passages that answer the query"},
    )
    vectors = [r.data[0].embedding for r in (plain, query, instructed)]
    assert all(len(v) == 64 and unit_length(v) for v in vectors)  # the tiny model's width
    assert vectors[0] != vectors[1], "the query prompt must change what is embedded"
    assert query.usage.prompt_tokens > plain.usage.prompt_tokens


def test_rerank_with_the_bundled_model(server: Running, image: Image) -> None:
    body = {"model": image.minilm, "query": SEED_QUERY, "documents": SEED_DOCS, "return_documents": True}
    response = httpx.post(f"{server.base}/v1/rerank", json=body, timeout=120)
    assert response.status_code == 200, response.text
    results = response.json()["results"]
    assert sorted(r["index"] for r in results) == [0, 1, 2]
    assert results[-1]["index"] == 1, "the colours document answers nothing about warranties"
    assert results[0]["document"]["text"] == SEED_DOCS[results[0]["index"]]


def test_rerank_with_the_qwen3_reranker(server: Running, image: Image) -> None:
    body = {"model": image.qwen3_reranker, "query": SEED_QUERY, "documents": SEED_DOCS, "top_n": 2}
    response = httpx.post(f"{server.base}/v1/rerank", json=body, timeout=120)
    assert response.status_code == 200, response.text
    scores = [r["relevance_score"] for r in response.json()["results"]]
    assert len(scores) == 2 and scores == sorted(scores, reverse=True)
    assert all(0.0 < s < 1.0 for s in scores)


def test_ready_and_the_healthcheck(server: Running) -> None:
    assert httpx.get(f"{server.base}/health", timeout=10).status_code == 200
    status, output = server.exec(HEALTHCHECK)
    assert status == 0, output
    assert output.endswith("/ready: 200")
    server.wait_healthy()
