"""langchain-openai's OpenAIEmbeddings with its defaults: it sends cl100k_base token arrays, not text."""

from __future__ import annotations

import pytest

from tests.clients.conftest import MINILM
from tests.contract.test_embedder_contract import cosine

TEXTS = ["What is the capital of France?", "Paris is the capital and largest city of France.", "Bananas!"]


@pytest.fixture(scope="module")
def embeddings(minilm_server: str, tiktoken_offline: None):  # type: ignore[no-untyped-def]
    from langchain_openai import OpenAIEmbeddings

    return OpenAIEmbeddings(model=MINILM, base_url=f"{minilm_server}/v1", api_key="unused", max_retries=0)  # type: ignore[arg-type]


def test_defaults_send_cl100k_token_arrays(embeddings) -> None:  # type: ignore[no-untyped-def]
    # The premise: were it sending text, the tests below would prove nothing.
    _, chunks, *_ = embeddings._tokenize(TEXTS, embeddings.embedding_ctx_length)
    assert all(isinstance(chunk, list) and all(isinstance(t, int) for t in chunk) for chunk in chunks)
    assert chunks[0][0] != 101  # not framed like the model's own ids


def test_documents_equal_the_text_path(embeddings, reference_encoder) -> None:  # type: ignore[no-untyped-def]
    vectors = embeddings.embed_documents(TEXTS)
    reference = reference_encoder.encode(TEXTS, normalize_embeddings=True)
    assert len(vectors) == len(TEXTS)
    for ours, expected in zip(vectors, reference, strict=True):
        assert cosine(ours, expected.tolist()) >= 0.9999


def test_query_equals_the_text_path(embeddings, reference_encoder) -> None:  # type: ignore[no-untyped-def]
    vector = embeddings.embed_query(TEXTS[0])
    assert cosine(vector, reference_encoder.encode(TEXTS[0], normalize_embeddings=True).tolist()) >= 0.9999
