"""The real cohere and openai SDKs against `embedrank serve` (fake engine, API key on)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.reliability.servers import Served, embedrank_serve

pytestmark = pytest.mark.timeout(90)
KEY = "sdk-test-key"
DOCS = ["Bananas are yellow.", "Paris is the capital of France.", "France is in Europe, capital Paris."]
QUERY = "capital of France"


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    log: Path = tmp_path_factory.mktemp("clients") / "server.log"
    with embedrank_serve({"API_KEY": KEY}, log) as served:
        yield served


def test_cohere_v2_rerank(served: Served) -> None:
    import cohere

    client = cohere.ClientV2(base_url=served.base, api_key=KEY)
    response = client.rerank(model="fake-rerank", query=QUERY, documents=DOCS, top_n=2)
    assert [r.index for r in response.results] == [1, 2]
    scores = [r.relevance_score for r in response.results]
    assert scores == sorted(scores, reverse=True) and all(0 <= s <= 1 for s in scores)


def test_cohere_v1_rerank_with_documents(served: Served) -> None:
    import cohere

    client = cohere.Client(base_url=served.base, api_key=KEY)
    response = client.rerank(model="fake-rerank", query=QUERY, documents=DOCS, return_documents=True)
    assert [r.index for r in response.results] == [1, 2, 0]
    assert response.results[0].document is not None and response.results[0].document.text == DOCS[1]


def test_cohere_wrong_key_is_unauthorized(served: Served) -> None:
    import cohere

    client = cohere.ClientV2(base_url=served.base, api_key="wrong")
    with pytest.raises(cohere.errors.UnauthorizedError):
        client.rerank(model="fake-rerank", query=QUERY, documents=DOCS)


def test_openai_embeddings_and_errors(served: Served) -> None:
    import openai

    client = openai.OpenAI(base_url=f"{served.base}/v1", api_key=KEY, max_retries=2)
    response = client.embeddings.create(model="fake-embed", input=["a", "b"])  # base64, the SDK default
    assert [d.index for d in response.data] == [0, 1] and len(response.data[0].embedding) == 384
    with pytest.raises(openai.BadRequestError):
        client.embeddings.create(model="fake-embed", input=[""])
    with pytest.raises(openai.NotFoundError):
        client.embeddings.create(model="nope", input="x")
    with pytest.raises(openai.AuthenticationError):
        openai.OpenAI(base_url=f"{served.base}/v1", api_key="wrong", max_retries=0).models.list()
