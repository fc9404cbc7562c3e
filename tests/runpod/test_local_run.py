"""`embedrank runpod` off RunPod runs one job and exits, as RunPod workers do: ./test_input.json by default.

The job runs on the embedded default model's id (MODEL_NAMES unset), served by the fake engine.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys

from application.settings import EMBEDDED_DEFAULT_ID
from tests.support.servers import REPO


def run_worker(*args: str, **env: str) -> subprocess.CompletedProcess[str]:
    inherited = {k: v for k, v in os.environ.items() if not k.startswith("RUNPOD_") and k != "MODEL_NAMES"}
    return subprocess.run(
        [sys.executable, "-m", "entrypoints.runpod", "--rp_log_level", "INFO", *args],
        cwd=REPO,
        env={**inherited, "HF_HUB_OFFLINE": "1", **env},
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_shipped_test_input_runs_and_exits_0() -> None:
    # The fake engine keeps this fast; test_local_api_e2e runs the same job on the real model.
    job = json.loads((REPO / "test_input.json").read_text())
    assert "input" in job["input"]  # a standard embeddings job
    done = run_worker(ENGINE="fake")
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-2000:]
    assert "completed successfully" in done.stdout
    assert EMBEDDED_DEFAULT_ID in done.stdout


def test_a_failing_job_exits_1_with_its_message() -> None:
    done = run_worker("--test_input", json.dumps({"input": {"model": "nope", "input": "x"}}), ENGINE="fake")
    assert done.returncode == 1
    assert "failed with error: model_not_found: model 'nope' is not served here" in done.stdout
    assert "Traceback" not in done.stdout + done.stderr
