"""The real `openai` SDK against `embedrank serve` with the bundled all-MiniLM-L6-v2."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest

from tests.contract.test_embedder_contract import cosine
from tests.support.servers import http_server

MODEL = "sentence-transformers/all-MiniLM-L6-v2"
TEXTS = ["Hello world", "Embeddings turn text into vectors.", "short"]


@pytest.fixture(scope="module", params=["infinity", "sentence-transformers"])
def server(request: pytest.FixtureRequest) -> Iterator[str]:
    with http_server({"ENGINE": request.param, "DTYPES": "fp32"}) as base:
        yield base


@pytest.fixture(scope="module")
def client(server: str):  # type: ignore[no-untyped-def]
    from openai import OpenAI

    return OpenAI(base_url=f"{server}/v1", api_key="unused", max_retries=0)


@pytest.mark.parametrize("encoding_format", ["base64", "float"])
def test_vectors_equal_encode(client, reference_encoder, encoding_format: str) -> None:  # type: ignore[no-untyped-def]
    kwargs = {} if encoding_format == "base64" else {"encoding_format": "float"}  # base64 is the SDK default
    response = client.embeddings.create(model=MODEL, input=TEXTS, **kwargs)
    reference = reference_encoder.encode(TEXTS, normalize_embeddings=True)
    assert [d.index for d in response.data] == [0, 1, 2]
    for datum, expected in zip(response.data, reference, strict=True):
        assert cosine(datum.embedding, expected.tolist()) >= 0.99999
    assert response.usage.prompt_tokens == sum(len(i) for i in reference_encoder.tokenizer(TEXTS)["input_ids"])


def test_dimensions(client, reference_encoder) -> None:  # type: ignore[no-untyped-def]
    response = client.embeddings.create(model=MODEL, input="Hello world", dimensions=64)
    full = reference_encoder.encode(["Hello world"], normalize_embeddings=True)[0][:64]
    assert len(response.data[0].embedding) == 64
    assert cosine(response.data[0].embedding, full.tolist()) >= 0.99999


def test_extra_body_instruction_applies_as_in_the_seed(client, reference_encoder) -> None:  # type: ignore[no-untyped-def]
    # all-MiniLM-L6-v2 is not instruction-aware, but the seed worker prepends an explicit instruction for
    # any model: indexes built through it must get the same vectors.
    response = client.embeddings.create(model=MODEL, input="Hello world", extra_body={"instruction": "Find code"})
    reference = reference_encoder.encode(["Instruct: Find code\nQuery:Hello world"], normalize_embeddings=True)[0]
    assert cosine(response.data[0].embedding, reference.tolist()) >= 0.99999


def test_models_and_errors(client) -> None:  # type: ignore[no-untyped-def]
    import openai

    assert [m.id for m in client.models.list()] == [MODEL]
    with pytest.raises(openai.NotFoundError):
        client.embeddings.create(model="nope", input="x")
    with pytest.raises(openai.BadRequestError, match="must not be empty"):
        client.embeddings.create(model=MODEL, input=[""])


def test_rerank_with_the_embedding_model(server: str) -> None:
    documents = ["The weather is sunny today.", "Paris is the capital of France.", "Bananas are yellow."]
    response = httpx.post(
        f"{server}/v1/rerank",
        json={"model": MODEL, "query": "What is the capital of France?", "documents": documents},
        timeout=30,
    )
    assert response.status_code == 200
    assert response.json()["results"][0]["index"] == 1
