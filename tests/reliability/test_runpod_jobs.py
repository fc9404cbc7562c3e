"""200 jobs through the runpod SDK's local API, 10% of them invalid: each ends exactly once, the invalid
ones FAILED with a clear one-line message, none with a traceback."""

from __future__ import annotations

import concurrent.futures
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.reliability.conftest import assert_no_internals
from tests.runpod.conftest import FAKE_MODELS, LocalApi, local_api
from tests.runpod.seed_examples import SEED_RERANKER

pytestmark = pytest.mark.timeout(180)
JOBS = 200

VALID: list[dict[str, Any]] = [
    {"model": "plain-embed", "input": "hello world"},
    {"model": "plain-embed", "input": ["a", "b c"]},
    {"model": SEED_RERANKER, "query": "warranty", "docs": ["a warranty", "nothing"], "return_docs": True},
    {"openai_route": "/v1/models"},
    {"openai_route": "/v1/embeddings", "openai_input": {"model": "plain-embed", "input": "x", "dimensions": 8}},
    {"openai_route": "/v1/rerank", "openai_input": {"model": SEED_RERANKER, "query": "q", "documents": ["q"]}},
]
INVALID: list[dict[str, Any]] = [
    {"model": "plain-embed", "input": ""},
    {"model": "ghost", "input": "x"},
    {"model": "plain-embed", "input": [1, "a"]},
    {"model": "plain-embed", "input": "x", "dimensions": "8"},
    {"query": "q"},
    {"model": SEED_RERANKER, "query": "", "docs": ["d"]},
    {"openai_route": "/v1/bogus"},
    {"openai_route": "/v1/embeddings", "openai_input": "not an object"},
    {"openai_route": "/v1/embeddings", "openai_input": {"model": "plain-embed", "input": []}},
    {"nothing": "asked"},
]


def jobs() -> list[tuple[dict[str, Any], bool]]:
    """Every tenth job is invalid."""
    return [(INVALID[i // 10 % len(INVALID)], False) if i % 10 == 9 else (VALID[i % len(VALID)], True)
            for i in range(JOBS)]  # fmt: skip


def post(http: httpx.Client, path: str, body: dict[str, Any] | None = None) -> dict[str, Any]:
    response = http.post(path, json=body)
    assert response.status_code == 200, response.text
    result: dict[str, Any] = response.json()
    return result


def test_200_jobs_each_end_exactly_once(tmp_path: Path) -> None:
    planned = jobs()
    with local_api({"ENGINE": "fake", "MODEL_NAMES": FAKE_MODELS}, tmp_path / "worker.log") as api:
        with httpx.Client(base_url=api.base, timeout=60) as http:
            ids = [post(http, "/run", {"input": job})["id"] for job, _ in planned]
            assert len(set(ids)) == JOBS
            # The local API runs a job when its status is first asked for; ask for all of them at once.
            with concurrent.futures.ThreadPoolExecutor(16) as pool:
                finals = list(pool.map(lambda job_id: post(http, f"/status/{job_id}"), ids))
            # Asked again, a finished job is gone: it ended once and will not run again.
            again = post(http, f"/status/{ids[0]}")
        assert again["status"] == "FAILED" and "not found" in again["error"]
        assert _alive(api)

    for (job, valid), final, job_id in zip(planned, finals, ids, strict=True):
        assert final["id"] == job_id
        if valid:
            assert final["status"] == "COMPLETED", (job, final)
            assert "error" not in final.get("output", {}), final
        else:
            assert final["status"] == "FAILED", (job, final)
            message = final["error"]
            assert isinstance(message, str) and message and "\n" not in message, final
            assert ": " in message  # "<code>: <what was wrong>"
            assert_no_internals(message)
    assert sum(f["status"] == "FAILED" for f in finals) == JOBS // 10
    log = (tmp_path / "worker.log").read_text(errors="replace")
    assert "Traceback" not in log


def _alive(api: LocalApi) -> bool:
    response = httpx.post(f"{api.base}/runsync", json={"input": {"openai_route": "/v1/models"}}, timeout=30)
    return response.status_code == 200 and response.json()["status"] == "COMPLETED"
