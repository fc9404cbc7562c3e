"""The CPU image end to end: built from this checkout, run as `serve` and as the RunPod local test API.

Needs a Docker daemon (`pytest -m docker` selects these tests); where none answers they skip and the
summary says why. The first build fetches torch's CPU wheel and the dependencies (minutes); later
builds reuse Docker's layer cache, so the image is kept under its tag. EMBEDRANK_TEST_IMAGE=<tag> tests
an image built beforehand instead (say, the one CI is about to push).
"""

from __future__ import annotations

import contextlib
import math
import os
import time
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import httpx
import pytest

from tests.container.scripts import REPO

pytestmark = [pytest.mark.docker, pytest.mark.timeout(1800)]

TAG = "embedrank:test-cpu"
# The embedded-default image: CPU torch, nothing downloaded, MODEL_NAMES unset.
CPU_BUILD_ARGS = {"TORCH_VARIANT": "cpu", "BAKE_MODELS": "", "MODEL_NAMES": ""}
MODEL = "sentence-transformers/all-MiniLM-L6-v2"
PORT = 8000
RUNPOD_LOCAL_API = ["runpod", "--rp_serve_api", "--rp_api_host", "0.0.0.0", "--rp_api_port", str(PORT)]
HEALTHCHECK = ["python", "/opt/embedrank/healthcheck.py", "/ready"]
# The seed README's rerank example, with the model this image serves.
SEED_QUERY = "Which product has warranty coverage?"
SEED_DOCS = [
    "Product A comes with a 2-year warranty",
    "Product B is available in red and blue colors",
    "All electronics include a standard 1-year warranty",
]


def docker_unavailable() -> str | None:
    """Why no Docker daemon can be used, or None; answers within seconds, whatever the setup.

    testcontainers' client finds the daemon the way the tests will (DOCKER_HOST, its own settings, the
    current docker context), so a skip here means the tests could not have run either.
    """
    try:
        from testcontainers.core.docker_client import DockerClient

        client = DockerClient(timeout=3).client
        client.ping()
        client.close()
    except Exception as exc:  # any failure at all means: no daemon for these tests
        detail = " ".join(str(exc).split())[:160] or type(exc).__name__
        return f"no Docker daemon answers ({detail})"
    return None


@pytest.fixture(scope="module")
def image() -> str:
    reason = docker_unavailable()
    if reason:
        pytest.skip(reason)
    prebuilt = os.environ.get("EMBEDRANK_TEST_IMAGE")
    if prebuilt:
        return prebuilt
    from testcontainers.core.image import DockerImage

    # docker-py's default 60 s read timeout would cut the build off at the first quiet step (pip installing).
    DockerImage(path=REPO, tag=TAG, clean_up=False, buildargs=CPU_BUILD_ARGS, timeout=1500).build()
    return TAG


@dataclass(frozen=True, slots=True)
class Running:
    container: Any  # testcontainers' DockerContainer
    base: str

    def logs(self) -> str:
        stdout, stderr = self.container.get_logs()
        return (stdout + stderr).decode(errors="replace")[-4000:]

    def exec(self, argv: list[str]) -> tuple[int, str]:
        result = self.container.exec(argv)
        return result.exit_code, result.output.decode(errors="replace").strip()

    def wait_for(self, path: str, timeout: float = 300) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            wrapped = self.container.get_wrapped_container()
            wrapped.reload()
            if wrapped.status == "exited":
                raise RuntimeError(f"container exited before {path} answered:\n{self.logs()}")
            with contextlib.suppress(httpx.HTTPError):
                if httpx.get(self.base + path, timeout=2).status_code == 200:
                    return
            time.sleep(0.5)
        raise TimeoutError(f"{path} not 200 within {timeout}s:\n{self.logs()}")


@contextlib.contextmanager
def run(image: str, command: list[str], ready_path: str) -> Iterator[Running]:
    from testcontainers.core.container import DockerContainer

    container = DockerContainer(image).with_command(command).with_exposed_ports(PORT)
    container.start()
    try:
        running = Running(container, f"http://{container.get_container_host_ip()}:{container.get_exposed_port(PORT)}")
        running.wait_for(ready_path)
        yield running
    finally:
        container.stop()


@pytest.fixture(scope="module")
def http_mode(image: str) -> Iterator[Running]:
    with run(image, ["serve"], "/ready") as running:
        yield running


@pytest.fixture(scope="module")
def runpod_mode(image: str) -> Iterator[Running]:
    # The SDK's local API serves its docs at `/`; models load with the first job.
    with run(image, RUNPOD_LOCAL_API, "/") as running:
        yield running


# Checks on a base URL, so they read the same whatever serves them.


def check_models(base: str) -> None:
    response = httpx.get(f"{base}/v1/models", timeout=30)
    assert response.status_code == 200, response.text
    assert [m["id"] for m in response.json()["data"]] == [MODEL]


def check_embeddings_with_openai_sdk(base: str) -> None:
    from openai import OpenAI

    client = OpenAI(base_url=f"{base}/v1", api_key="unused", max_retries=0, timeout=60)
    response = client.embeddings.create(model=MODEL, input=["Hello world", "What is machine learning?"])
    assert [d.index for d in response.data] == [0, 1]
    for datum in response.data:
        assert len(datum.embedding) == 384
        assert math.isclose(math.fsum(x * x for x in datum.embedding), 1.0, rel_tol=1e-4)
    assert response.usage.prompt_tokens > 0


def check_rerank(base: str) -> None:
    body = {"model": MODEL, "query": SEED_QUERY, "documents": SEED_DOCS, "return_documents": True}
    response = httpx.post(f"{base}/v1/rerank", json=body, timeout=60)
    assert response.status_code == 200, response.text
    results = response.json()["results"]
    assert sorted(r["index"] for r in results) == [0, 1, 2]
    scores = [r["relevance_score"] for r in results]
    assert scores == sorted(scores, reverse=True)
    assert results[-1]["index"] == 1, "the colours document answers nothing about warranties"
    assert results[0]["document"]["text"] == SEED_DOCS[results[0]["index"]]


def runsync(base: str, job_input: dict[str, Any]) -> dict[str, Any]:
    # The first job loads the model: the generous timeout is for that.
    response = httpx.post(f"{base}/runsync", json={"input": job_input}, timeout=300)
    assert response.status_code == 200, response.text
    job = response.json()
    assert job.get("status") == "COMPLETED", job
    output: dict[str, Any] = job["output"]
    return output


def check_runpod_embeddings(base: str) -> None:
    output = runsync(base, {"model": MODEL, "input": "Hello world"})
    assert output["object"] == "list"
    assert output["model"] == MODEL
    assert len(output["data"][0]["embedding"]) == 384


def check_runpod_openai_route(base: str) -> None:
    output = runsync(base, {"openai_route": "/v1/models"})
    assert [m["id"] for m in output["data"]] == [MODEL]
    body = {"model": MODEL, "input": ["Hello world"], "encoding_format": "float"}
    output = runsync(base, {"openai_route": "/v1/embeddings", "openai_input": body})
    assert len(output["data"][0]["embedding"]) == 384


def check_runpod_seed_rerank(base: str) -> None:
    output = runsync(base, {"model": MODEL, "query": SEED_QUERY, "docs": SEED_DOCS, "return_docs": True})
    assert len(output["scores"]) == len(SEED_DOCS)
    assert [d["text"] for d in output["docs"]] == [SEED_DOCS[d["index"]] for d in output["docs"]]
    assert output["docs"][-1]["index"] == 1


# The tests.


def test_image_configuration(image: str) -> None:
    from testcontainers.core.docker_client import DockerClient

    config = DockerClient().client.images.get(image).attrs["Config"]
    env = dict(item.split("=", 1) for item in config["Env"])
    assert config["User"] not in ("", "root", "0", "0:0")
    assert env["HF_HUB_OFFLINE"] == env["TRANSFORMERS_OFFLINE"] == "1"
    assert (env["HOST"], env["PORT"]) == ("0.0.0.0", str(PORT))
    assert env["MODEL_NAMES"] == ""  # the embedded default
    assert config["Entrypoint"] + config["Cmd"] == ["tini", "--", "embedrank", "runpod"]
    assert config["Healthcheck"]["Test"] == ["CMD", *HEALTHCHECK]


def test_http_models(http_mode: Running) -> None:
    check_models(http_mode.base)


def test_http_embeddings_with_the_openai_sdk(http_mode: Running) -> None:
    check_embeddings_with_openai_sdk(http_mode.base)


def test_http_rerank(http_mode: Running) -> None:
    check_rerank(http_mode.base)


def test_http_mode_is_healthy_and_not_root(http_mode: Running) -> None:
    status, output = http_mode.exec(HEALTHCHECK)
    assert status == 0, output
    assert output.endswith(": 200")
    assert http_mode.exec(["id", "-u"]) == (0, "10001")


def test_runpod_runsync_embeddings(runpod_mode: Running) -> None:
    check_runpod_embeddings(runpod_mode.base)


def test_runpod_openai_route(runpod_mode: Running) -> None:
    check_runpod_openai_route(runpod_mode.base)


def test_runpod_seed_rerank(runpod_mode: Running) -> None:
    check_runpod_seed_rerank(runpod_mode.base)


def test_runpod_mode_passes_the_healthcheck_without_http(runpod_mode: Running) -> None:
    status, output = runpod_mode.exec(HEALTHCHECK)
    assert status == 0, output
    assert "RunPod" in output


def test_the_worker_stops_promptly_on_sigterm(image: str) -> None:
    # tini forwards `docker stop`'s SIGTERM; without it Python as PID 1 would wait for the SIGKILL.
    with run(image, RUNPOD_LOCAL_API, "/") as running:
        started = time.monotonic()
        running.container.get_wrapped_container().stop(timeout=20)
        assert time.monotonic() - started < 10, running.logs()
