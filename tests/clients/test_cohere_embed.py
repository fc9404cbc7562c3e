"""The cohere SDK's embed (ClientV2 and the v1 Client) against `embedrank serve` on the fake engine."""

from __future__ import annotations

import numpy as np
import pytest

from tests.clients.openai_path import cosine, dequantized_cosine, openai_vectors
from tests.reliability.servers import Served

TEXTS = ["What is the capital of France?", "Paris is the capital of France.", "Bananas are yellow."]


@pytest.fixture(scope="module")
def v2(fake_server: Served):  # type: ignore[no-untyped-def]
    import cohere

    return cohere.ClientV2(base_url=fake_server.base, api_key="unused")


@pytest.fixture(scope="module")
def v1(fake_server: Served):  # type: ignore[no-untyped-def]
    import cohere

    return cohere.Client(base_url=fake_server.base, api_key="unused")


def test_v2_float_search_query_is_the_query_prompt(v2, fake_server: Served) -> None:  # type: ignore[no-untyped-def]
    response = v2.embed(model="qwen3-embed-fake", texts=TEXTS, input_type="search_query", embedding_types=["float"])
    expected = openai_vectors(fake_server.base, "qwen3-embed-fake", TEXTS, prompt_type="query")
    assert response.embeddings.float_ == expected
    assert response.texts == TEXTS and response.meta.billed_units.input_tokens > 0
    plain = openai_vectors(fake_server.base, "qwen3-embed-fake", TEXTS)
    assert response.embeddings.float_[0] != plain[0]  # the instruction was applied


def test_v2_search_document_gets_no_prompt(v2, fake_server: Served) -> None:  # type: ignore[no-untyped-def]
    response = v2.embed(model="qwen3-embed-fake", texts=TEXTS, input_type="search_document", embedding_types=["float"])
    assert response.embeddings.float_ == openai_vectors(fake_server.base, "qwen3-embed-fake", TEXTS)


def test_v2_quantised_types(v2, fake_server: Served) -> None:  # type: ignore[no-untyped-def]
    from sentence_transformers.quantization import quantize_embeddings

    types = ["float", "int8", "uint8", "binary", "ubinary", "base64"]
    response = v2.embed(model="fake-embed", texts=TEXTS, input_type="search_document", embedding_types=types)
    floats = np.array(openai_vectors(fake_server.base, "fake-embed", TEXTS))
    e = response.embeddings
    for i, reference in enumerate(floats):
        assert all(-128 <= v <= 127 for v in e.int8[i]) and all(0 <= v <= 255 for v in e.uint8[i])
        assert dequantized_cosine(e.int8[i], reference) >= 0.999
        assert dequantized_cosine(e.uint8[i], reference, offset=128) >= 0.999
        decoded = np.frombuffer(__import__("base64").b64decode(e.base64[i]), dtype="<f4")
        assert cosine(decoded.tolist(), reference) >= 0.999999
    # Bits as sentence-transformers packs them (the convention Cohere documents).
    assert e.binary == quantize_embeddings(floats, "binary").tolist()
    assert e.ubinary == quantize_embeddings(floats, "ubinary").tolist()
    assert len(e.binary[0]) == floats.shape[1] // 8


def test_v2_output_dimension(v2, fake_server: Served) -> None:  # type: ignore[no-untyped-def]
    kinds = {"input_type": "search_document", "embedding_types": ["float"]}
    response = v2.embed(model="fake-embed", texts=TEXTS[:1], output_dimension=64, **kinds)
    assert response.embeddings.float_ == openai_vectors(fake_server.base, "fake-embed", TEXTS[:1], dimensions=64)


def test_v2_truncate_none_refuses_over_long_and_start_is_refused(v2) -> None:  # type: ignore[no-untyped-def]
    import cohere

    long_text = " ".join(["word"] * 600)  # the fake model reads 512 tokens
    ok = v2.embed(model="fake-embed", texts=[long_text], input_type="search_document", embedding_types=["float"])
    assert len(ok.embeddings.float_[0]) == 384
    for truncate, message in [("NONE", "600 tokens"), ("START", "truncate 'START' is not supported")]:
        with pytest.raises(cohere.errors.BadRequestError, match=message):
            v2.embed(
                model="fake-embed", texts=[long_text], input_type="search_document", embedding_types=["float"],
                truncate=truncate,
            )  # fmt: skip


def test_v2_images_are_refused_naming_the_field(v2) -> None:  # type: ignore[no-untyped-def]
    import cohere

    with pytest.raises(cohere.errors.BadRequestError, match="'images' is not supported"):
        v2.embed(model="fake-embed", images=["data:image/png;base64,AA"], input_type="image", embedding_types=["float"])


def test_v1_without_types_answers_floats(v1, fake_server: Served) -> None:  # type: ignore[no-untyped-def]
    response = v1.embed(model="fake-embed", texts=TEXTS, input_type="search_document")
    assert response.response_type == "embeddings_floats"
    assert response.embeddings == openai_vectors(fake_server.base, "fake-embed", TEXTS)


def test_v1_by_type(v1, fake_server: Served) -> None:  # type: ignore[no-untyped-def]
    response = v1.embed(model="fake-embed", texts=TEXTS, input_type="search_document", embedding_types=["int8"])
    assert response.response_type == "embeddings_by_type"
    assert len(response.embeddings.int8) == 3


def test_rerank_max_tokens_per_doc_cuts_each_document(v2) -> None:  # type: ignore[no-untyped-def]
    docs = ["Paris is the capital of France.", "Capital of France: Paris."]
    # Whole documents both hold every query word (a tie, kept in index order) ...
    whole = v2.rerank(model="fake-rerank", query="capital of France", documents=docs, max_tokens_per_doc=4096)
    assert [r.index for r in whole.results] == [0, 1]
    # ... cut to two tokens, only the second still says "capital of".
    cut = v2.rerank(model="fake-rerank", query="capital of France", documents=docs, max_tokens_per_doc=2)
    assert [r.index for r in cut.results] == [1, 0] and cut.results[1].relevance_score == 0


def test_v2_max_tokens_cuts_each_text(v2, fake_server: Served) -> None:  # type: ignore[no-untyped-def]
    kinds = {"input_type": "search_document", "embedding_types": ["float"]}
    response = v2.embed(model="fake-embed", texts=["one two three four"], max_tokens=2, **kinds)
    assert response.embeddings.float_ == openai_vectors(fake_server.base, "fake-embed", ["one two"])
