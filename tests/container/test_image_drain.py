"""`docker stop` while work is in flight: tini forwards SIGTERM, the work finishes, the process exits 0.

The fake engine (FAKE_DELAY_MS) makes each call last seconds, so the request or job is surely in flight
when the signal comes; the drain is the entrypoints' and the serving core's, whatever engine runs.
"""

from __future__ import annotations

import json
import time
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any

import httpx
import pytest

from tests.container.conftest import Image
from tests.container.harness import PORT, Running, run
from tests.container.scripts import REPO

pytestmark = [pytest.mark.docker, pytest.mark.timeout(1800)]  # the first test may build the image

SLOW = {"ENGINE": "fake", "MODEL_NAMES": "fake-embed", "FAKE_DELAY_MS": "8000", "DRAIN_TIMEOUT": "30"}
STOP_TIMEOUT_S = 40  # docker stop's grace before SIGKILL: longer than DRAIN_TIMEOUT
RUNPOD_LOCAL_API = ["runpod", "--rp_serve_api", "--rp_api_host", "0.0.0.0", "--rp_api_port", str(PORT)]


def stop_during(running: Running, in_flight: Future[Any]) -> tuple[float, int]:
    """`docker stop` once the work has been running two seconds; (seconds it took, exit code)."""
    time.sleep(2.0)  # time for the request to reach the server on a busy machine; the engine takes 8 s
    assert not in_flight.done(), f"the work finished before the stop: {in_flight.result()}"
    started = time.monotonic()
    running.container.stop(timeout=STOP_TIMEOUT_S)
    took = time.monotonic() - started
    exit_code = running.container.wait(timeout=10)["StatusCode"]
    return took, exit_code


def test_http_server_drains_a_request_in_flight_and_exits_0(image: Image) -> None:
    with run(image.client, image.tag, ["serve"], env=SLOW) as running, ThreadPoolExecutor(1) as pool:
        running.wait_for("/ready")
        body = {"model": "fake-embed", "input": "Hello world"}
        in_flight = pool.submit(httpx.post, f"{running.base}/v1/embeddings", json=body, timeout=60)
        took, exit_code = stop_during(running, in_flight)
        response = in_flight.result(timeout=5)
        assert response.status_code == 200, f"in-flight request answered {response.status_code}: {response.text}"
        assert len(response.json()["data"]) == 1
        assert took < STOP_TIMEOUT_S - 5, f"docker stop took {took:.0f}s: killed, not drained\n{running.logs()}"
        assert exit_code == 0, f"exit code {exit_code} after docker stop\n{running.logs()}"


def test_runpod_worker_drains_a_job_in_flight_and_exits_0(image: Image) -> None:
    with run(image.client, image.tag, RUNPOD_LOCAL_API, env=SLOW) as running, ThreadPoolExecutor(1) as pool:
        running.wait_for("/")
        job = {"input": {"model": "fake-embed", "input": "Hello world"}}
        in_flight = pool.submit(httpx.post, f"{running.base}/runsync", json=job, timeout=60)
        took, exit_code = stop_during(running, in_flight)
        try:
            answer = in_flight.result(timeout=5).json()
        except httpx.HTTPError as exc:
            answer = {"error": repr(exc)}
        assert answer.get("status") == "COMPLETED", f"in-flight job: {answer}\n{running.logs()}"
        assert took < STOP_TIMEOUT_S - 5, f"docker stop took {took:.0f}s: killed, not drained\n{running.logs()}"
        assert exit_code == 0, f"exit code {exit_code} after docker stop\n{running.logs()}"


QUEUE = "http://127.0.0.1:9000"
WORKER_ENV = {
    **SLOW,
    "RUNPOD_POD_ID": "drain-test",
    "RUNPOD_AI_API_KEY": "unused",
    "RUNPOD_WEBHOOK_GET_JOB": f"{QUEUE}/job-take/$ID?gpu=none",
    "RUNPOD_WEBHOOK_POST_OUTPUT": f"{QUEUE}/job-done/$RUNPOD_POD_ID/$ID?gpu=none",
    "RUNPOD_WEBHOOK_PING": f"{QUEUE}/ping/$RUNPOD_POD_ID?gpu=none",
}


def wait_for_line(running: Running, prefix: str, timeout: float = 120) -> str:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        lines = [line for line in running.logs().splitlines() if line.startswith(prefix)]
        if lines:
            return lines[-1]
        time.sleep(0.2)
    raise TimeoutError(f"the fake RunPod queue printed no `{prefix}` line within {timeout:.0f}s:\n{running.logs()}")


def test_serverless_worker_finishes_its_job_on_sigterm_and_exits_0(image: Image) -> None:
    # The worker as RunPod runs it (no local API), its queue faked on its own loopback.
    script = (REPO / "tests" / "container" / "fake_runpod_queue.py").read_text()
    job = json.dumps({"id": "job-1", "input": {"model": "fake-embed", "input": "Hello world"}})
    with run(image.client, image.tag, ["-c", script, job], entrypoint=["python"]) as queue:
        shared = f"container:{queue.container.id}"
        with run(image.client, image.tag, ["runpod"], env=WORKER_ENV, network=shared) as worker:
            wait_for_line(queue, "TAKEN")
            time.sleep(1.0)
            started = time.monotonic()
            worker.container.stop(timeout=STOP_TIMEOUT_S)
            took = time.monotonic() - started
            exit_code = worker.container.wait(timeout=10)["StatusCode"]
            posted = [line for line in queue.logs().splitlines() if line.startswith("DONE")]
            assert posted and '"data"' in posted[-1], f"no result posted for the job in flight\n{worker.logs()}"
            assert took < STOP_TIMEOUT_S - 5, f"docker stop took {took:.0f}s: killed, not drained\n{worker.logs()}"
            assert exit_code == 0, f"exit code {exit_code} after docker stop\n{worker.logs()}"
