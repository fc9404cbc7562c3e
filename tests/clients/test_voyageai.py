"""The voyageai client (base_url ending in /v1) against `embedrank serve` on the fake engine."""

from __future__ import annotations

import pytest

from tests.clients.openai_path import assert_same_vectors, dequantized_cosine, openai_vectors
from tests.reliability.servers import Served

TEXTS = ["What is the capital of France?", "Paris is the capital of France."]
DOCS = ["Bananas are yellow.", "Paris is the capital of France.", "France is in Europe, capital Paris."]


@pytest.fixture(scope="module")
def client(fake_server: Served):  # type: ignore[no-untyped-def]
    import voyageai

    return voyageai.Client(api_key="unused", base_url=f"{fake_server.base}/v1", max_retries=0)


@pytest.mark.parametrize("input_type", ["query", "document", None])
def test_input_type_is_the_prompt_type(client, fake_server: Served, input_type: str | None) -> None:  # type: ignore[no-untyped-def]
    result = client.embed(TEXTS, model="qwen3-embed-fake", input_type=input_type)
    extra = {"prompt_type": input_type} if input_type else {}
    assert_same_vectors(result.embeddings, openai_vectors(fake_server.base, "qwen3-embed-fake", TEXTS, **extra))
    assert result.total_tokens > 0


def test_query_and_document_differ_on_an_instruction_aware_model(client) -> None:  # type: ignore[no-untyped-def]
    query = client.embed(TEXTS[:1], model="qwen3-embed-fake", input_type="query").embeddings[0]
    document = client.embed(TEXTS[:1], model="qwen3-embed-fake", input_type="document").embeddings[0]
    assert query != document  # the query carries the model's instruction


def test_output_dimension(client, fake_server: Served) -> None:  # type: ignore[no-untyped-def]
    result = client.embed(TEXTS, model="fake-embed", output_dimension=64)
    assert len(result.embeddings[0]) == 64
    assert_same_vectors(result.embeddings, openai_vectors(fake_server.base, "fake-embed", TEXTS, dimensions=64))


@pytest.mark.parametrize(("dtype", "offset"), [("int8", 0), ("uint8", 128)])
def test_output_dtype_through_the_clients_base64(client, fake_server: Served, dtype: str, offset: int) -> None:  # type: ignore[no-untyped-def]
    result = client.embed(TEXTS, model="fake-embed", output_dtype=dtype)
    floats = openai_vectors(fake_server.base, "fake-embed", TEXTS)
    for values, reference in zip(result.embeddings, floats, strict=True):
        assert all(isinstance(v, int) for v in values) and len(values) == 384
        assert dequantized_cosine(values, reference, offset=offset) >= 0.999


def test_binary_dtype(client, fake_server: Served) -> None:  # type: ignore[no-untyped-def]
    from sentence_transformers.quantization import quantize_embeddings

    result = client.embed(TEXTS, model="fake-embed", output_dtype="ubinary")
    floats = __import__("numpy").array(openai_vectors(fake_server.base, "fake-embed", TEXTS))
    assert result.embeddings == quantize_embeddings(floats, "ubinary").tolist()


def test_truncation_false_refuses_over_long(client) -> None:  # type: ignore[no-untyped-def]
    import voyageai

    long_text = " ".join(["word"] * 600)
    assert len(client.embed([long_text], model="fake-embed").embeddings[0]) == 384
    with pytest.raises(voyageai.error.InvalidRequestError, match="600 tokens"):
        client.embed([long_text], model="fake-embed", truncation=False)


def test_rerank_reads_data_and_honours_top_k(client) -> None:  # type: ignore[no-untyped-def]
    result = client.rerank("capital of France", DOCS, model="fake-rerank", top_k=2)
    assert [r.index for r in result.results] == [1, 2]
    assert [r.document for r in result.results] == [DOCS[1], DOCS[2]]
    scores = [r.relevance_score for r in result.results]
    assert scores == sorted(scores, reverse=True) and result.total_tokens > 0
