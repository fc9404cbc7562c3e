"""Failures come back as runpod's `{"error": "<code>: <message>"}` (a FAILED job): one line, no traceback."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from dependency_injector import providers

from adapters.engines.base import Engine, ModelSpec
from application.container import Container
from domain.errors import Unavailable
from entrypoints.errors import GENERIC_MESSAGE
from entrypoints.runpod.handler import JobHandler
from tests.runpod.conftest import fake_container, run_job
from tests.runpod.seed_examples import SEED_EMBEDDER, SEED_RERANKER

BAD_JOBS: dict[str, tuple[Any, str, str]] = {
    # name: (job input, expected code, a phrase the message must contain)
    "no-input": (None, "invalid_input", "'input' object"),
    "input-not-object": ("Hello world", "invalid_input", "'input' object"),
    "neither-input-nor-query": ({"model": SEED_EMBEDDER}, "invalid_input", "asks for nothing"),
    "unknown-openai-route": ({"openai_route": "/v1/chat/completions"}, "invalid_input", "unknown openai_route"),
    "openai-route-not-string": ({"openai_route": 5}, "invalid_input", "unknown openai_route"),
    "openai-input-missing": ({"openai_route": "/v1/embeddings"}, "invalid_input", "'openai_input'"),
    "openai-input-bad-type": (
        {"openai_route": "/v1/embeddings", "openai_input": {"input": 5}},
        "invalid_input",
        "at 'input'",
    ),
    "input-bad-type": ({"input": {"text": "x"}}, "invalid_input", "at 'input'"),
    "dimensions-as-string": ({"input": "x", "model": "plain-embed", "dimensions": "8"}, "invalid_input", "dimensions"),
    "return-docs-not-bool": (
        {"model": SEED_RERANKER, "query": "q", "docs": ["d"], "return_docs": "yes"},
        "invalid_input",
        "return_docs",
    ),
    "query-without-docs": ({"model": SEED_RERANKER, "query": "q"}, "invalid_input", "'documents' is required"),
    "empty-input": ({"model": "plain-embed", "input": ""}, "invalid_input", "input"),
    "unknown-model": ({"model": "nope", "input": "x"}, "model_not_found", "'nope'"),
    "unknown-rerank-model": ({"model": "nope", "query": "q", "docs": ["d"]}, "model_not_found", "'nope'"),
    "embed-with-reranker": ({"model": SEED_RERANKER, "input": "x"}, "capability_not_supported", "cannot embed"),
}


@pytest.mark.parametrize("name", sorted(BAD_JOBS))
def test_bad_job_fails_with_one_readable_line(handler: JobHandler, name: str) -> None:
    job_input, code, phrase = BAD_JOBS[name]
    job = {"id": "bad"} if job_input is None else {"id": "bad", "input": job_input}
    out = asyncio.run(handler.handle(job))
    assert set(out) == {"error"}, out  # no output beside it, no refresh for a bad request
    assert out["error"].startswith(f"{code}: ")
    assert phrase in out["error"]
    assert "\n" not in out["error"] and "Traceback" not in out["error"]


def _override(container: Container, use_case: str, exc: Exception) -> None:
    async def fails(_request: object) -> None:
        raise exc

    getattr(container, use_case).override(providers.Object(fails))


def test_unknown_exception_is_generic_and_logged(container: Container, caplog: pytest.LogCaptureFixture) -> None:
    _override(container, "create_embeddings", RuntimeError("secret /opt/weights/path"))
    out = run_job(JobHandler(container), {"input": "x"})
    assert out == {"error": f"internal_error: {GENERIC_MESSAGE}"}
    assert "secret" in caplog.text  # the traceback goes to the log, not to the client


def test_transient_unavailable_while_ready_does_not_refresh(container: Container) -> None:
    _override(container, "create_embeddings", Unavailable("engine queue restarting"))
    out = run_job(JobHandler(container), {"input": "x"})
    assert out == {"error": "unavailable: engine queue restarting"}


def test_dead_engine_asks_runpod_to_refresh_the_worker(container: Container) -> None:
    handler = JobHandler(container)
    assert "data" in run_job(handler, {"openai_route": "/v1/models"})
    container.registry().mark_failed("engine process died")
    out = run_job(handler, {"model": "plain-embed", "input": "x"})
    assert out["refresh_worker"] is True
    assert out["error"].startswith("unavailable: ")


def test_failed_load_fails_every_job_refreshes_and_is_not_retried() -> None:
    container = fake_container()
    calls: list[str] = []

    def broken(spec: ModelSpec) -> Engine:
        calls.append(spec.id)
        raise OSError("no such file: config.json")

    container.loader.override(providers.Object(broken))
    handler = JobHandler(container)
    first = run_job(handler, {"input": "x"})
    second = run_job(handler, {"openai_route": "/v1/models"})
    assert first == second
    assert first["refresh_worker"] is True
    assert first["error"].startswith("unavailable: ") and "could not be loaded" in first["error"]
    assert calls == [calls[0]]


def test_models_load_once_for_concurrent_first_jobs(container: Container, monkeypatch: pytest.MonkeyPatch) -> None:
    lifecycle = container.lifecycle()
    original = lifecycle.start
    starts: list[int] = []

    async def slow_start() -> None:
        starts.append(1)
        await asyncio.sleep(0.05)  # let the other jobs arrive while loading
        await original()

    monkeypatch.setattr(lifecycle, "start", slow_start)
    handler = JobHandler(container)

    async def many() -> list[dict[str, Any]]:
        jobs = [{"id": f"j{i}", "input": {"model": "plain-embed", "input": f"text {i}"}} for i in range(8)]
        return await asyncio.gather(*(handler.handle(job) for job in jobs))

    outputs = asyncio.run(many())
    assert starts == [1]
    assert all("data" in out for out in outputs)
