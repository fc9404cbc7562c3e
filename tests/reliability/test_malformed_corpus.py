"""The malformed-input corpus: each case gets its expected status, always in the OpenAI error shape."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from litestar.testing import TestClient

from tests.reliability.conftest import assert_no_internals, assert_openai_error, fake_app
from tests.reliability.malformed_corpus import CASES, Case

pytestmark = pytest.mark.timeout(120)


@pytest.fixture(scope="module")
def client() -> Iterator[TestClient]:
    from tests.conftest import wait_ready

    app, _ = fake_app()
    with TestClient(app) as client:
        wait_ready(client)
        yield client


def test_the_corpus_is_large_and_ids_are_unique() -> None:
    assert len(CASES) >= 100
    assert len({c.id for c in CASES}) == len(CASES)


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_case(client: TestClient, case: Case) -> None:
    headers = dict(case.headers)
    if case.content_type is not None:
        headers["content-type"] = case.content_type
    response = client.request(case.method, case.path, content=case.body, headers=headers)
    if case.status < 400:
        assert response.status_code == case.status, response.text[:500]
        return
    error = assert_openai_error(response, case.status)
    assert response.headers["content-type"].startswith("application/json")
    if case.param is not None:
        assert error["param"] == case.param, error
    assert_no_internals(response.text)
