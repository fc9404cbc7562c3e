"""SIGTERM to the RunPod worker with jobs in flight (the runpod SDK's local API, a real process): every job
comes back COMPLETED with its output, and the process exits 0. RunPod scales workers down with SIGTERM.

The HTTP server's drain is tests/reliability/test_drain.py.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.runpod.conftest import FAKE_MODELS, LocalApi, _wait_ready
from tests.runpod.seed_examples import SEED_EMBEDDER
from tests.support.servers import REPO, free_port, stop

pytestmark = pytest.mark.timeout(120)
IN_FLIGHT = 4
JOB = {"input": {"model": SEED_EMBEDDER, "input": ["in flight when SIGTERM came"]}}


def test_sigterm_lets_jobs_in_flight_complete_and_exits_0(tmp_path: Path) -> None:
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("RUNPOD_")}
    # Each job takes 1.5 s: long enough to signal while all of them run, short against DRAIN_TIMEOUT.
    env |= {"ENGINE": "fake", "MODEL_NAMES": FAKE_MODELS, "FAKE_DELAY_MS": "1500", "DRAIN_TIMEOUT": "20"}
    log = tmp_path / "worker.log"
    command = [sys.executable, "-m", "entrypoints.cli", "runpod", "--rp_serve_api", "--rp_api_host", "127.0.0.1",
               "--rp_api_port", str(port), "--rp_log_level", "WARN"]  # fmt: skip
    with log.open("wb") as sink:
        process = subprocess.Popen(command, cwd=REPO, env=env, stdout=sink, stderr=sink)
        try:
            api = LocalApi(f"http://127.0.0.1:{port}", log)
            _wait_ready(api, process)
            answers: list[dict[str, Any]] = []
            lock = threading.Lock()

            def one() -> None:
                response = httpx.post(f"{api.base}/runsync", json=JOB, timeout=30)
                with lock:
                    answers.append({"status_code": response.status_code, **response.json()})

            threads = [threading.Thread(target=one) for _ in range(IN_FLIGHT)]
            for thread in threads:
                thread.start()
            time.sleep(0.5)  # all posted and running (each sleeps 1.5 s in the engine)
            assert not answers, "jobs finished before SIGTERM: nothing was in flight"
            process.send_signal(signal.SIGTERM)
            for thread in threads:
                thread.join(30)

            assert len(answers) == IN_FLIGHT, answers
            for answer in answers:
                assert answer["status_code"] == 200 and answer["status"] == "COMPLETED", (
                    answer,
                    log.read_text()[-3000:],
                )
                assert len(answer["output"]["data"][0]["embedding"]) == 384
            assert process.wait(20) == 0, log.read_text()[-3000:]
        finally:
            stop(process)
    assert "Traceback" not in log.read_text()
