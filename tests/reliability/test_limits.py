"""Bounded work: token budgets, JSON depth, queue size, each refused with a 4xx before model work."""

from __future__ import annotations

import time
from collections.abc import Callable

import pytest
from litestar.testing import TestClient

from entrypoints.http.body_guard import json_depth_exceeds
from tests.reliability.conftest import E, R, assert_openai_error


@pytest.mark.parametrize(
    ("body", "deeper_than_32"),
    [
        (b"[" * 32 + b"]" * 32, False),
        (b"[" * 33 + b"]" * 33, True),
        (b'{"a":' * 32 + b"1" + b"}" * 32, False),
        (b'{"a":' * 33 + b"1" + b"}" * 33, True),
        (b'["' + b"[" * 1000 + b'"]', False),  # brackets inside a string are text
        (b'["\\"' + b"[" * 1000 + b'"]', False),  # an escaped quote does not end the string
        (b"[" * 5000, True),  # unclosed (invalid JSON) still counts: the decoder would recurse
        (b"[" * 20 + b"]" * 20 + b"[" * 20 + b"]" * 20, False),  # many brackets, shallow
        (b"[1]," * 100_000, False),
    ],
)
def test_json_depth(body: bytes, deeper_than_32: bool) -> None:
    assert json_depth_exceeds(body, 32) is deeper_than_32


def test_depth_check_is_cheap_on_a_large_body() -> None:
    body = b'{"input": [' + b",".join([b'"' + b"word [x] " * 40 + b'"'] * 20_000) + b"]}"
    assert len(body) > 7_000_000
    started = time.perf_counter()
    assert not json_depth_exceeds(body, 32)
    assert time.perf_counter() - started < 1.0


def own(ids: list[int]) -> list[int]:
    return [101, *ids, 102]


def test_token_ids_over_the_request_budget_are_refused_before_model_work(client_for: Callable[..., TestClient]) -> None:
    client = client_for(MAX_TOKENS_PER_REQUEST="100")
    # Framed by the fake model's [CLS] … [SEP], so they are its own ids and count exactly.
    over = [own([1] * 58), own([2] * 58)]
    error = assert_openai_error(client.post(E, json={"model": "fake-embed", "input": over}), 400)
    assert "at least 120 tokens" in error["message"] and "100" in error["message"]
    assert error["param"] == "input"
    assert client.post(E, json={"model": "fake-embed", "input": [own([1] * 48), own([2] * 48)]}).status_code == 200


def test_truncated_token_ids_count_at_the_model_length(client_for: Callable[..., TestClient]) -> None:
    client = client_for(MAX_TOKENS_PER_REQUEST="600")
    # 1000 ids are cut to the fake model's 512 when truncating: within a 600-token budget.
    assert client.post(E, json={"model": "fake-embed", "input": own([1] * 998)}).status_code == 200
    refused = client.post(E, json={"model": "fake-embed", "input": own([1] * 998), "truncate": False})
    error = assert_openai_error(refused, 400)
    assert error["param"] == "input"


def test_texts_over_the_request_budget_are_refused_on_the_exact_count(client_for: Callable[..., TestClient]) -> None:
    client = client_for(MAX_TOKENS_PER_REQUEST="10")
    refused = client.post(E, json={"model": "fake-embed", "input": ["a b c d e f", "g h i j k"]})
    error = assert_openai_error(refused, 400)
    assert "11 tokens" in error["message"]
    ok = client.post(E, json={"model": "fake-embed", "input": ["a b c d e", "f g h i j"]})
    assert ok.status_code == 200 and ok.json()["usage"]["total_tokens"] == 10


def test_rerank_over_the_request_budget(client_for: Callable[..., TestClient]) -> None:
    client = client_for(MAX_TOKENS_PER_REQUEST="10")
    body = {"model": "fake-rerank", "query": "one two", "documents": ["a b c", "d e f", "g h i"]}
    error = assert_openai_error(client.post(R, json=body), 400)
    assert error["param"] == "documents"


def test_a_request_larger_than_the_queue_runs_alone_rather_than_429_forever(
    client_for: Callable[..., TestClient],
) -> None:
    # A request that could never fit must not be answered 429 for ever: alone in the queue, it runs.
    client = client_for(INFINITY_QUEUE_SIZE="4")
    assert client.post(E, json={"model": "fake-embed", "input": ["a"] * 5}).status_code == 200


def test_max_items_setting(client_for: Callable[..., TestClient]) -> None:
    client = client_for(MAX_ITEMS="3")
    error = assert_openai_error(client.post(E, json={"model": "fake-embed", "input": ["a"] * 4}), 400)
    assert "at most 3" in error["message"]


def test_max_json_depth_setting(client_for: Callable[..., TestClient]) -> None:
    client = client_for(MAX_JSON_DEPTH="4")
    body = b'{"model": "fake-embed", "input": "x", "extra_body": {"a": [[[1]]]}}'  # 5 levels
    error = assert_openai_error(client.post(E, content=body, headers={"content-type": "application/json"}), 400)
    assert "deeper than 4" in error["message"]


def test_body_limit_setting(client_for: Callable[..., TestClient]) -> None:
    client = client_for(MAX_BODY_BYTES="2048")
    error = assert_openai_error(client.post(E, json={"model": "fake-embed", "input": "a" * 3000}), 413)
    assert error["code"] == "request_too_large"
