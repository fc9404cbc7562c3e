"""Schemathesis against our own OpenAPI document, in process: no 5xx, errors in the OpenAI shape."""

from __future__ import annotations

import time

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error, response_schema_conformance
from schemathesis.python import asgi

from tests.reliability.conftest import assert_no_internals, fake_app

# Built from the app's own document without serving it: schemathesis starts the app (its lifespan) on
# the first call, not at collection. (Its lazy `from_fixture` loader does not work with pytest 9.)
APP, _ = fake_app()
schema = schemathesis.openapi.from_dict(APP.openapi_schema.to_schema())
schema.app = APP


@pytest.fixture(autouse=True)
def ready_app() -> None:
    # Schemathesis ends the app's lifespan after each test; the next one starts it again.
    deadline = time.monotonic() + 30
    with asgi.get_client(APP) as client:
        while client.get("/ready").status_code != 200:
            assert time.monotonic() < deadline, "app not ready"
            time.sleep(0.05)


@schema.parametrize()
@settings(max_examples=30, deadline=None, suppress_health_check=list(HealthCheck))
def test_api(case: schemathesis.Case) -> None:
    response = case.call()
    case.validate_response(response, checks=[not_a_server_error, response_schema_conformance])
    if response.status_code >= 400:
        error = response.json()["error"]
        assert set(error) == {"message", "type", "param", "code"}
        assert_no_internals(error["message"])
