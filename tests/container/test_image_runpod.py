"""The image's default command, the RunPod worker, behind the runpod SDK's local API: every job kind of the
seed README, from the baked models."""

from __future__ import annotations

import time
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from tests.container.conftest import Image
from tests.container.harness import PORT, Running, run

pytestmark = [pytest.mark.docker, pytest.mark.timeout(1800)]

RUNPOD_LOCAL_API = ["runpod", "--rp_serve_api", "--rp_api_host", "0.0.0.0", "--rp_api_port", str(PORT)]
HEALTHCHECK = ["python", "/opt/embedrank/healthcheck.py", "/ready"]
SEED_QUERY = "Which product has warranty coverage?"
SEED_DOCS = [
    "Product A comes with a 2-year warranty",
    "Product B is available in red and blue colors",
    "All electronics include a standard 1-year warranty",
]


@pytest.fixture(scope="module")
def worker(image: Image) -> Iterator[Running]:
    with run(image.client, image.tag, RUNPOD_LOCAL_API) as running:
        running.wait_for("/")  # the SDK's local API serves its docs there; models load with the first job
        yield running


def runsync(worker: Running, job_input: dict[str, Any]) -> Any:
    # The first job loads the models: the generous timeout is for that.
    response = httpx.post(f"{worker.base}/runsync", json={"input": job_input}, timeout=300)
    assert response.status_code == 200, response.text
    job = response.json()
    assert job.get("status") == "COMPLETED", job
    return job["output"]


def test_embeddings_of_one_string(worker: Running, image: Image) -> None:
    output = runsync(worker, {"model": image.qwen3_embedder, "input": "Hello world"})
    assert (output["object"], output["model"]) == ("list", image.qwen3_embedder)
    assert len(output["data"][0]["embedding"]) == 64
    assert output["usage"]["prompt_tokens"] > 0


def test_embeddings_of_a_list_with_an_instruction(worker: Running, image: Image) -> None:
    texts = ["What is machine learning?", "Hello world"]
    plain = runsync(worker, {"model": image.qwen3_embedder, "input": texts})
    instructed = runsync(
        worker,
        {
            "model": image.qwen3_embedder,
            "input": texts,
            "instruction": "Given a web search query, retrieve relevant passages that answer the query",
        },
    )
    assert [d["index"] for d in plain["data"]] == [0, 1]
    assert plain["data"][0]["embedding"] != instructed["data"][0]["embedding"]


def test_embeddings_with_a_prompt_type(worker: Running, image: Image) -> None:
    output = runsync(worker, {"model": image.qwen3_embedder, "input": "What is AI?", "prompt_type": "query"})
    assert len(output["data"][0]["embedding"]) == 64


def test_the_openai_routes(worker: Running, image: Image) -> None:
    listed = runsync(worker, {"openai_route": "/v1/models"})
    assert sorted(m["id"] for m in listed["data"]) == sorted(image.model_ids)
    body = {"model": image.minilm, "input": ["Hello world"], "encoding_format": "float"}
    output = runsync(worker, {"openai_route": "/v1/embeddings", "openai_input": body})
    assert len(output["data"][0]["embedding"]) == 384


@pytest.mark.parametrize("return_docs", [True, False])
def test_the_seed_rerank(worker: Running, image: Image, return_docs: bool) -> None:
    job = {"model": image.qwen3_reranker, "query": SEED_QUERY, "docs": SEED_DOCS, "return_docs": return_docs}
    output = runsync(worker, job)
    assert len(output["scores"]) == len(SEED_DOCS)
    if return_docs:
        assert [d["text"] for d in output["docs"]] == [SEED_DOCS[d["index"]] for d in output["docs"]]


def test_the_seed_rerank_with_the_bundled_model(worker: Running, image: Image) -> None:
    output = runsync(worker, {"model": image.minilm, "query": SEED_QUERY, "docs": SEED_DOCS, "return_docs": True})
    assert output["docs"][-1]["index"] == 1, "the colours document answers nothing about warranties"


def test_run_then_status(worker: Running, image: Image) -> None:
    response = httpx.post(f"{worker.base}/run", json={"input": {"model": image.minilm, "input": "Hi"}}, timeout=60)
    assert response.status_code == 200, response.text
    job_id, deadline, status = response.json()["id"], time.monotonic() + 120, {}
    while time.monotonic() < deadline:
        status = httpx.post(f"{worker.base}/status/{job_id}", timeout=30).json()
        if status.get("status") == "COMPLETED":
            break
        time.sleep(0.5)
    assert status.get("status") == "COMPLETED", f"job {job_id} not COMPLETED within 120s: {status}"
    assert len(status["output"]["data"][0]["embedding"]) == 384


def test_the_healthcheck_passes_without_http(worker: Running) -> None:
    status, output = worker.exec(HEALTHCHECK)
    assert status == 0, output
    assert "RunPod" in output
    worker.wait_healthy()
