"""The RunPod job handler: one job in, one JSON-able dict out, on the runpod SDK's event loop."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Mapping
from typing import Any

import msgspec

from application.container import Container
from domain.errors import EmbedRankError, Unavailable
from entrypoints.convert import embeddings_request, models_response, rerank_request
from entrypoints.dialects.voyage import embeddings_reply, rerank_reply
from entrypoints.errors import map_error
from entrypoints.runpod.jobs import EmbeddingsJob, Job, ModelsJob, RerankJob, parse_job
from entrypoints.runpod.output import JobOutput
from entrypoints.runpod.seed_rerank import seed_rerank_response

log = logging.getLogger(__name__)


class JobHandler:
    """Runs RunPod jobs through the use cases the HTTP server calls.

    - every job runs under the serving policy the HTTP server uses (application/serving_policy.py):
      refused once draining, failed with `deadline_exceeded` past REQUEST_TIMEOUT
    - models load once per process, when the first job arrives, on the event loop the SDK runs jobs
      on (it starts its own with asyncio.run; loading under another loop could tie engine objects to
      a loop that is gone); jobs arriving meanwhile wait for that same load
    - a failed load is not retried: every later job fails with the same message
    - failures return `{"error": "<code>: <message>"}` on one line, which the SDK turns into a FAILED
      job; unknown exceptions are logged and answered generically, never with a traceback
    - Unavailable while the models are not ready (load failed, an engine died) adds
      `refresh_worker: true`, so RunPod replaces this worker
    """

    def __init__(self, container: Container) -> None:
        self._container = container
        self._lifecycle = container.lifecycle()
        self._loading = asyncio.Lock()  # binds to a loop only on first contention, i.e. the SDK's
        self._loaded = False
        self._load_failure: str | None = None

    async def handle(self, job: Mapping[str, Any]) -> dict[str, Any]:
        try:
            parsed = parse_job(job)
            await self._ensure_loaded()
            # The serving policy the HTTP server applies too: refused once draining, REQUEST_TIMEOUT.
            output = await self._container.policy().run(self._run(parsed))
            # Through JSON once: vectors are pre-encoded (shortest float32 form) and come back as plain floats.
            return JobOutput(msgspec.json.decode(msgspec.json.encode(output)))
        except Exception as exc:
            return self._failure(job, exc)

    async def close(self) -> None:
        """Refuse new jobs, let admitted ones finish (up to DRAIN_TIMEOUT), release the engines."""
        policy = self._container.policy()
        if not await policy.drain():
            log.warning("drain timeout: %d job(s) still in flight are cut off", policy.in_flight)
        await self._lifecycle.stop()

    async def _ensure_loaded(self) -> None:
        if self._loaded:
            return
        async with self._loading:
            if self._loaded:
                return
            if self._load_failure is not None:
                raise Unavailable(self._load_failure)
            try:
                await self._lifecycle.start()
            except Exception as exc:
                log.error("model loading failed: %s", exc)
                self._load_failure = exc.message if isinstance(exc, EmbedRankError) else "models failed to load"
                raise Unavailable(self._load_failure) from exc
            self._loaded = True

    async def _run(self, job: Job) -> msgspec.Struct:
        match job:
            case ModelsJob():
                return models_response(self._container.list_models()())
            case EmbeddingsJob(body):
                result = await self._container.create_embeddings()(embeddings_request(body))
                return embeddings_reply(result, body)
            case RerankJob(body, seed_shape):
                request = rerank_request(body)
                ranked = await self._container.rerank()(request)
                return seed_rerank_response(ranked, request) if seed_shape else rerank_reply(ranked, body)

    def _failure(self, job: Mapping[str, Any], exc: Exception) -> dict[str, Any]:
        error = map_error(exc).body.error
        message = " ".join(f"{error.code}: {error.message}".split())
        log.info("job %s failed: %s", job.get("id"), message)
        failure: dict[str, Any] = {"error": message}
        if isinstance(exc, Unavailable) and not self._lifecycle.readiness().ready:
            failure["refresh_worker"] = True
        return failure
