"""The openai SDK's models.retrieve, with ids that carry slashes, and the new routes' edge guarantees."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.reliability.servers import Served, embedrank_serve

KEY = "clients-key"
SLASHED = "org/family/embed-model"


@pytest.fixture(scope="module")
def keyed(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    log: Path = tmp_path_factory.mktemp("keyed") / "server.log"
    with embedrank_serve({"MODEL_NAMES": f"{SLASHED};fake-rerank", "API_KEY": KEY}, log) as served:
        yield served


def test_retrieve_a_model_whose_id_has_slashes(keyed: Served) -> None:
    import openai

    client = openai.OpenAI(base_url=f"{keyed.base}/v1", api_key=KEY, max_retries=0)
    model = client.models.retrieve(SLASHED)
    assert model.id == SLASHED and model.object == "model"
    with pytest.raises(openai.NotFoundError):
        client.models.retrieve("org/missing")


NEW_ROUTES = [
    *["/v1/embed", "/v2/embed", "/embeddings", "/rerank", "/embed", "/info", "/models", "/tokenize", "/decode"],
    *["/api/embed", "/api/embeddings", "/api/tags"],
]


@pytest.mark.parametrize("path", NEW_ROUTES)
def test_every_new_route_needs_the_key(keyed: Served, path: str) -> None:
    method = httpx.get if path in ("/info", "/models", "/api/tags") else httpx.post
    kwargs = {} if method is httpx.get else {"json": {}}
    response = method(f"{keyed.base}{path}", timeout=10, **kwargs)  # type: ignore[operator]
    assert response.status_code == 401 and response.json()["error"]["code"] == "invalid_api_key"


def test_unmatched_routes_are_logged_with_their_path(keyed: Served) -> None:
    response = httpx.post(f"{keyed.base}/no/such/route", headers={"Authorization": f"Bearer {KEY}"}, timeout=10)
    assert response.status_code == 404
    # The line is written once the response has gone out: give the server a moment.
    deadline = time.monotonic() + 5
    while True:
        lines = [json.loads(line) for line in keyed.log_text().splitlines() if line.startswith("{")]
        unmatched = [line for line in lines if line.get("status") == 404 and line.get("route") == "unmatched"]
        if unmatched or time.monotonic() > deadline:
            break
        time.sleep(0.05)
    assert unmatched and unmatched[-1]["path"] == "/no/such/route"
