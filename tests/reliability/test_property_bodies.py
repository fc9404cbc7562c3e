"""Hypothesis-generated request bodies: never a 5xx, every error in the OpenAI shape, nothing internal."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from litestar.testing import TestClient

from tests.reliability.conftest import assert_no_internals, fake_app

PATHS = ["/v1/embeddings", "/v1/rerank", "/v2/rerank", "/openai/v1/embeddings"]
FIELDS = [
    "model",
    "input",
    "query",
    "documents",
    "docs",
    "top_n",
    "dimensions",
    "encoding_format",
    "truncate",
    "instruction",
    "prompt_type",
    "return_documents",
    "return_docs",
    "extra_body",
    "user",
    "max_tokens_per_doc",
]
MODELS = st.sampled_from(["fake-embed", "fake-rerank", "qwen3-embed-fake", "nope", ""])

scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(2**70), max_value=2**70),
    st.floats(allow_nan=False, allow_infinity=False),
    st.text(max_size=30),
    MODELS,
)
json_values = st.recursive(
    scalars,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4),
    max_leaves=12,
)
# Plausible bodies: the real field names with any JSON values, plus a few unknown keys.
bodies = st.dictionaries(st.sampled_from(FIELDS) | st.text(max_size=8), json_values, max_size=8)
texts = st.lists(st.text(min_size=1, max_size=40), min_size=1, max_size=5)
near_valid = st.one_of(
    st.fixed_dictionaries(
        {"model": MODELS, "input": st.one_of(st.text(max_size=40), texts)},
        optional={"dimensions": st.integers(-5, 500), "encoding_format": st.sampled_from(["float", "base64", "x"])},
    ),
    st.fixed_dictionaries(
        {"query": st.text(max_size=40), "documents": st.one_of(texts, json_values)},
        optional={"model": MODELS, "top_n": st.integers(-3, 10), "return_documents": st.booleans()},
    ),
)


@pytest.fixture(scope="module")
def client() -> Iterator[TestClient]:
    from tests.conftest import wait_ready

    app, _ = fake_app()
    with TestClient(app) as client:
        wait_ready(client)
        yield client


def check(response: Any) -> None:
    assert response.status_code < 500, response.text[:300]
    if response.status_code >= 400:
        error = response.json()["error"]
        assert set(error) == {"message", "type", "param", "code"}
        assert isinstance(error["message"], str) and error["message"]
        assert_no_internals(response.text)


SETTINGS = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])


@SETTINGS
@given(path=st.sampled_from(PATHS), body=st.one_of(bodies, near_valid, json_values))
def test_json_bodies(client: TestClient, path: str, body: Any) -> None:
    check(client.post(path, content=json.dumps(body).encode(), headers={"content-type": "application/json"}))


@SETTINGS
@given(path=st.sampled_from(PATHS), raw=st.binary(max_size=200))
def test_raw_bytes(client: TestClient, path: str, raw: bytes) -> None:
    check(client.post(path, content=raw, headers={"content-type": "application/json"}))


@SETTINGS
@given(path=st.sampled_from(PATHS), body=near_valid, cut=st.integers(min_value=0, max_value=200))
def test_truncated_json(client: TestClient, path: str, body: Any, cut: int) -> None:
    raw = json.dumps(body).encode()
    check(client.post(path, content=raw[: min(cut, len(raw))], headers={"content-type": "application/json"}))
