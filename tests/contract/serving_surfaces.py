"""The two ways a request reaches the serving core, behind one small interface for the contract suite.

- HttpSurface: the Litestar app in-process (TestClient); a burst is N threads.
- RunPodSurface: the RunPod JobHandler on one persistent event loop (infinity binds its engine to the
  loop it loaded on); a burst is asyncio.gather of N jobs, as the SDK runs concurrent jobs.

Both answer with an `Answer`: what the client saw, reduced to what the guarantees are about.
"""

from __future__ import annotations

import asyncio
import contextlib
import threading
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any, Protocol

from dependency_injector import providers
from litestar.testing import TestClient

from application.container import Container
from application.serving_policy import ServingPolicy
from entrypoints.http.app import create_app
from entrypoints.runpod.handler import JobHandler
from tests.conftest import wait_ready


@dataclass(frozen=True)
class Answer:
    ok: bool
    code: str | None  # the error code; None when served
    status: int | None = None  # HTTP only
    retry_after: str | None = None  # HTTP only
    error: str | None = None  # the RunPod job's error line, or the HTTP error message


@dataclass(frozen=True)
class Work:
    """One request, as the embedding or rerank route/job takes it."""

    model: str
    reranker: bool
    texts: list[str]
    query: str = "what is served here"

    def http(self) -> tuple[str, dict[str, Any]]:
        if self.reranker:
            return "/v1/rerank", {"model": self.model, "query": self.query, "documents": self.texts}
        return "/v1/embeddings", {"model": self.model, "input": self.texts}

    def job(self) -> dict[str, Any]:
        # The standard (non-OpenAI) job shapes a RunPod client sends.
        if self.reranker:
            return {"model": self.model, "query": self.query, "docs": self.texts}
        return {"model": self.model, "input": self.texts}


class Surface(Protocol):
    name: str
    container: Container

    def send(self, work: Work) -> Answer: ...
    def burst(self, work: Work, count: int) -> list[Answer]: ...
    def close(self) -> None: ...


@contextlib.contextmanager
def with_request_timeout(container: Container, seconds: float) -> Iterator[None]:
    """The policy both entrypoints resolve per request, with another REQUEST_TIMEOUT, for one block."""
    policy = container.policy()
    container.policy.override(providers.Object(ServingPolicy(container.lifecycle(), seconds, policy.drain_timeout)))
    try:
        yield
    finally:
        container.policy.reset_override()


class HttpSurface:
    name = "http"

    def __init__(self, container: Container) -> None:
        self.container = container
        self._client = TestClient(create_app(container))
        self._client.__enter__()
        wait_ready(self._client)

    def send(self, work: Work) -> Answer:
        path, body = work.http()
        response = self._client.post(path, json=body)
        if response.status_code == 200:
            return Answer(ok=True, code=None, status=200)
        error = response.json()["error"]
        return Answer(
            ok=False,
            code=error["code"],
            status=response.status_code,
            retry_after=response.headers.get("retry-after"),
            error=error["message"],
        )

    def burst(self, work: Work, count: int) -> list[Answer]:
        answers: list[Answer] = []
        lock = threading.Lock()
        start = threading.Barrier(count)

        def one() -> None:
            start.wait()
            answer = self.send(work)
            with lock:
                answers.append(answer)

        threads = [threading.Thread(target=one) for _ in range(count)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(60)
        return answers

    def close(self) -> None:
        self._client.__exit__(None, None, None)


class RunPodSurface:
    name = "runpod"

    def __init__(self, container: Container, runner: asyncio.Runner) -> None:
        self.container = container
        self._runner = runner
        self._handler = JobHandler(container)
        self._jobs = 0
        # The first job loads the models, as on a real worker.
        answer = self._answer(self._runner.run(self._handler.handle(self._job({"openai_route": "/v1/models"}))))
        assert answer.ok, answer

    def _job(self, job_input: Mapping[str, Any]) -> dict[str, Any]:
        self._jobs += 1
        return {"id": f"job-{self._jobs}", "input": dict(job_input)}

    @staticmethod
    def _answer(output: Mapping[str, Any]) -> Answer:
        if "error" not in output:
            return Answer(ok=True, code=None)
        error = str(output["error"])
        return Answer(ok=False, code=error.split(":", 1)[0], error=error)

    def send(self, work: Work) -> Answer:
        return self._answer(self._runner.run(self._handler.handle(self._job(work.job()))))

    def burst(self, work: Work, count: int) -> list[Answer]:
        async def all_at_once() -> list[dict[str, Any]]:
            return list(await asyncio.gather(*(self._handler.handle(self._job(work.job())) for _ in range(count))))

        return [self._answer(output) for output in self._runner.run(all_at_once())]

    def close(self) -> None:
        self._runner.run(self._handler.close())


SurfaceFactory = Callable[[Container], Surface]
