"""Fixtures for the RunPod worker: a handler on the fake engine, and the SDK's local API as a process."""

from __future__ import annotations

import asyncio
import contextlib
import os
import subprocess
import sys
import time
from collections.abc import Callable, Iterator, Mapping
from pathlib import Path
from typing import Any

import httpx
import pytest

from application.container import Container, build_container
from application.settings import load_settings
from entrypoints.runpod.handler import JobHandler
from tests.runpod.seed_examples import SEED_EMBEDDER, SEED_RERANKER
from tests.support.servers import REPO, free_port, stop

# The seed's own model ids, served by the fake engine: "rerank" makes a reranker, "qwen3" an
# instruction-aware embedder, so the seed's payloads run unchanged.
FAKE_MODELS = f"{SEED_EMBEDDER};{SEED_RERANKER};plain-embed"
STARTUP_TIMEOUT = 60.0


def fake_container(**env: str) -> Container:
    return build_container(load_settings({"ENGINE": "fake", "MODEL_NAMES": FAKE_MODELS, **env}))


@pytest.fixture
def container() -> Container:
    return fake_container()


@pytest.fixture
def handler(container: Container) -> JobHandler:
    return JobHandler(container)


def run_job(handler: JobHandler, job_input: Any, job_id: str = "job-1") -> dict[str, Any]:
    return asyncio.run(handler.handle({"id": job_id, "input": job_input}))


class LocalApi:
    """The runpod SDK's local test server (`--rp_serve_api`) running our worker."""

    def __init__(self, base: str, log: Path) -> None:
        self.base = base
        self.log = log

    def post(self, path: str, body: Mapping[str, Any] | None = None, timeout: float = 30) -> dict[str, Any]:
        response = httpx.post(f"{self.base}{path}", json=body, timeout=timeout)
        assert response.status_code == 200, response.text
        result: dict[str, Any] = response.json()
        return result

    def runsync(self, job_input: Mapping[str, Any]) -> dict[str, Any]:
        return self.post("/runsync", {"input": job_input})


@contextlib.contextmanager
def local_api(env: Mapping[str, str], log: Path, meanwhile: Callable[[], object] = lambda: None) -> Iterator[LocalApi]:
    """`python -m entrypoints.runpod --rp_serve_api` on a free loopback port, settings from `env`.

    `meanwhile` runs while the worker starts (loading a reference model in parallel saves seconds).
    """
    port = free_port()
    inherited = {
        k: v for k, v in os.environ.items() if not k.startswith("RUNPOD_") and k not in {"ENGINE", "MODEL_NAMES"}
    }
    command = [sys.executable, "-m", "entrypoints.runpod", "--rp_serve_api", "--rp_api_host", "127.0.0.1",
               "--rp_api_port", str(port), "--rp_log_level", "WARN"]  # fmt: skip
    with log.open("wb") as sink:
        process = subprocess.Popen(
            command, cwd=REPO, env={**inherited, "HF_HUB_OFFLINE": "1", **env}, stdout=sink, stderr=sink
        )
        api = LocalApi(f"http://127.0.0.1:{port}", log)
        try:
            meanwhile()
            _wait_ready(api, process)
            yield api
        finally:
            stop(process)


def _wait_ready(api: LocalApi, process: subprocess.Popen[bytes]) -> None:
    # Listing models is the first job, so "ready" also means the models have loaded.
    deadline = time.monotonic() + STARTUP_TIMEOUT
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"worker exited with {process.returncode}: {api.log.read_text()[-3000:]}")
        with contextlib.suppress(httpx.HTTPError):
            body = httpx.post(f"{api.base}/runsync", json={"input": {"openai_route": "/v1/models"}}, timeout=30)
            if body.status_code == 200 and body.json().get("status") == "COMPLETED":
                return
        time.sleep(0.2)
    raise TimeoutError(f"worker not ready within {STARTUP_TIMEOUT}s: {api.log.read_text()[-3000:]}")
