"""Overloaded → 429 with Retry-After, at once; the openai SDK retries 429 and never a 400."""

from __future__ import annotations

import time
from collections.abc import Callable

import pytest
from litestar.testing import TestClient

from adapters.engines.base import ModelSpec
from tests.reliability.conftest import E, assert_openai_error
from tests.reliability.doubles import OverloadedFirst

BASE = "http://testserver.local/v1"


def overloaded_first(refusals: int) -> tuple[Callable[[ModelSpec], OverloadedFirst], dict[str, OverloadedFirst]]:
    models: dict[str, OverloadedFirst] = {}

    def load(spec: ModelSpec) -> OverloadedFirst:
        models[spec.id] = OverloadedFirst(spec, refusals)
        return models[spec.id]

    return load, models


def test_overloaded_is_429_with_retry_after_at_once(client_for: Callable[..., TestClient]) -> None:
    load, _ = overloaded_first(refusals=1)
    client = client_for(load)
    started = time.perf_counter()
    response = client.post(E, json={"model": "fake-embed", "input": "x"})
    assert time.perf_counter() - started < 1.0
    error = assert_openai_error(response, 429)
    assert error["code"] == "overloaded" and error["type"] == "overloaded_error"
    assert int(response.headers["retry-after"]) >= 1
    assert client.post(E, json={"model": "fake-embed", "input": "x"}).status_code == 200


def test_fake_engine_queue_bound_gives_429_under_concurrency(client_for: Callable[..., TestClient]) -> None:
    # Two slow 2-item requests fill a 3-item queue: one of them must be refused with 429.
    import concurrent.futures

    client = client_for(INFINITY_QUEUE_SIZE="3", FAKE_DELAY_MS="300")
    body = {"model": "fake-embed", "input": ["a", "b"]}
    with concurrent.futures.ThreadPoolExecutor(2) as pool:
        statuses = sorted(f.result().status_code for f in [pool.submit(client.post, E, json=body) for _ in range(2)])
    assert statuses == [200, 429]


@pytest.mark.timeout(60)
def test_openai_sdk_retries_429_and_not_400(client_for: Callable[..., TestClient]) -> None:
    import openai

    load, models = overloaded_first(refusals=2)
    client = client_for(load)
    sent: list[str] = []
    client.event_hooks["request"].append(lambda request: sent.append(request.url.path))
    sdk = openai.OpenAI(base_url=BASE, api_key="unused", max_retries=3, http_client=client)

    response = sdk.embeddings.create(model="fake-embed", input="hello")
    assert len(response.data[0].embedding) == 384
    assert models["fake-embed"].calls == 3 and len(sent) == 3  # two 429s retried, then 200

    sent.clear()
    with pytest.raises(openai.BadRequestError):
        sdk.embeddings.create(model="fake-embed", input=[""])
    assert len(sent) == 1  # a request that can never succeed is not retried


def test_retry_after_is_a_whole_number_of_seconds() -> None:
    from domain.errors import Overloaded
    from entrypoints.http.errors import domain_or_unknown_error

    response = domain_or_unknown_error(None, Overloaded("full", retry_after=2.3))  # type: ignore[arg-type]
    assert response.status_code == 429 and response.headers["Retry-After"] == "3"
