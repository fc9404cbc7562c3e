"""The ollama client against `embedrank serve` on the fake engine (host = the server's base URL)."""

from __future__ import annotations

import pytest

from tests.clients.openai_path import openai_vectors
from tests.reliability.servers import Served

TEXTS = ["Paris is the capital of France.", "Bananas are yellow."]


@pytest.fixture(scope="module")
def client(fake_server: Served):  # type: ignore[no-untyped-def]
    import ollama

    return ollama.Client(host=fake_server.base)


def test_embed_equals_the_openai_path(client, fake_server: Served) -> None:  # type: ignore[no-untyped-def]
    response = client.embed(model="fake-embed", input=TEXTS)
    assert [list(v) for v in response.embeddings] == openai_vectors(fake_server.base, "fake-embed", TEXTS)
    assert response.model == "fake-embed" and response.prompt_eval_count > 0 and response.total_duration > 0


def test_embed_one_text_with_dimensions(client, fake_server: Served) -> None:  # type: ignore[no-untyped-def]
    response = client.embed(model="fake-embed", input=TEXTS[0], dimensions=32)
    expected = openai_vectors(fake_server.base, "fake-embed", TEXTS[:1], dimensions=32)
    assert [list(v) for v in response.embeddings] == expected


def test_embed_truncate_false_refuses_over_long(client) -> None:  # type: ignore[no-untyped-def]
    import ollama

    with pytest.raises(ollama.ResponseError) as error:
        client.embed(model="fake-embed", input=" ".join(["w"] * 600), truncate=False)
    assert error.value.status_code == 400


def test_options_are_refused_naming_them(client) -> None:  # type: ignore[no-untyped-def]
    import ollama

    with pytest.raises(ollama.ResponseError, match="num_ctx"):
        client.embed(model="fake-embed", input="x", options={"num_ctx": 128})


def test_legacy_embeddings(client, fake_server: Served) -> None:  # type: ignore[no-untyped-def]
    response = client.embeddings(model="fake-embed", prompt=TEXTS[0])
    assert list(response.embedding) == openai_vectors(fake_server.base, "fake-embed", TEXTS[:1])[0]


def test_list_models(client) -> None:  # type: ignore[no-untyped-def]
    assert [m.model for m in client.list().models] == ["fake-embed", "fake-rerank", "qwen3-embed-fake"]
