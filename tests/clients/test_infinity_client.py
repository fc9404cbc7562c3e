"""infinity-client (the generated Infinity SDK) against `embedrank serve` at the server root, fake engine."""

from __future__ import annotations

import pytest

from tests.clients.openai_path import assert_same_vectors, openai_vectors
from tests.reliability.servers import Served

TEXTS = ["Paris is the capital of France.", "Bananas are yellow."]


@pytest.fixture(scope="module")
def client(fake_server: Served):  # type: ignore[no-untyped-def]
    from infinity_client import Client

    return Client(base_url=fake_server.base, raise_on_unexpected_status=True)


def test_embeddings_equal_the_openai_path(client, fake_server: Served) -> None:  # type: ignore[no-untyped-def]
    from infinity_client.api.default import embeddings
    from infinity_client.models import OpenAIEmbeddingInputText, OpenAIEmbeddingResult

    # The client sends dimensions=0 by default: the full vector, as Infinity reads it.
    result = embeddings.sync(client=client, body=OpenAIEmbeddingInputText(input_=TEXTS, model="fake-embed"))
    assert isinstance(result, OpenAIEmbeddingResult)
    assert_same_vectors([d.embedding for d in result.data], openai_vectors(fake_server.base, "fake-embed", TEXTS))
    assert result.usage.total_tokens > 0


def test_rerank_documents_are_strings(client) -> None:  # type: ignore[no-untyped-def]
    from infinity_client.api.default import rerank
    from infinity_client.models import RerankInput, ReRankResult

    body = RerankInput(query="capital of France", documents=TEXTS, model="fake-rerank", return_documents=True)
    result = rerank.sync(client=client, body=body)
    assert isinstance(result, ReRankResult)
    assert [r.index for r in result.results] == [0, 1]
    assert result.results[0].document == TEXTS[0]
    assert result.results[0].relevance_score > result.results[1].relevance_score


def test_models_parse_with_infinity_owner(client) -> None:  # type: ignore[no-untyped-def]
    from infinity_client.api.default import models

    listed = models.sync(client=client)
    assert [m.id for m in listed.data] == ["fake-embed", "fake-rerank", "qwen3-embed-fake"]
    assert listed.data[0].capabilities == ["embed", "rerank"]


def test_health(client) -> None:  # type: ignore[no-untyped-def]
    from infinity_client.api.default import health

    assert health.sync_detailed(client=client).status_code == 200


def test_unnamed_model_on_a_multi_model_server_is_a_clear_400(client) -> None:  # type: ignore[no-untyped-def]
    import httpx

    response = httpx.post(f"{client._base_url}/embeddings", json={"input": ["x"], "model": "default/not-specified"})
    assert response.status_code == 400 and "'model' is required" in response.json()["error"]["message"]
