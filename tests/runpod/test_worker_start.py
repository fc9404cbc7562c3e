"""`embedrank runpod` and the runpod SDK: flags pass through, RUNPOD_MAX_CONCURRENCY reaches its scaler,
and what the handler returns survives the SDK's own handling."""

from __future__ import annotations

import asyncio
import inspect
import json
import sys
from typing import Any

import pytest
import runpod
from runpod.serverless.modules.rp_job import run_job as run_job_through_sdk
from runpod.serverless.modules.rp_scale import JobScaler

from adapters.engines.fake import hash_vector
from application.container import Container
from entrypoints.cli import _parser, main
from entrypoints.runpod.flags import runpod_argv
from entrypoints.runpod.handler import JobHandler
from entrypoints.runpod.output import preview
from entrypoints.runpod.worker import fixed_concurrency

SDK_FLAGS = ["--rp_serve_api", "--rp_api_port", "8765", "--rp_api_host", "127.0.0.1", "--rp_log_level", "WARN"]


def test_sdk_flags_pass_through_our_parser() -> None:
    args = _parser().parse_args(["runpod", "--engine", "fake", *SDK_FLAGS])
    assert args.engine == "fake"
    assert runpod_argv(args) == SDK_FLAGS


def test_no_sdk_flags_means_none_passed() -> None:
    assert runpod_argv(_parser().parse_args(["runpod"])) == []


@pytest.mark.parametrize(("limit", "expected"), [(64, 64), (1, 1), (0, 1)])
def test_concurrency_is_an_int_of_at_least_one(limit: int, expected: int) -> None:
    modifier = fixed_concurrency(limit)
    assert modifier(1) == expected and modifier(999) == expected


def test_sdk_scaler_takes_our_concurrency() -> None:
    scaler = JobScaler({"concurrency_modifier": fixed_concurrency(7)})
    asyncio.run(scaler.set_scale())
    assert scaler.current_concurrency == 7 and scaler.jobs_queue.maxsize == 7


def test_main_starts_the_sdk_with_an_async_handler(monkeypatch: pytest.MonkeyPatch) -> None:
    started: dict[str, Any] = {}

    def fake_start(config: dict[str, Any]) -> None:
        started.update(config, argv=list(sys.argv))

    monkeypatch.setattr(runpod.serverless, "start", fake_start)
    monkeypatch.setattr(sys, "argv", ["embedrank", "runpod", *SDK_FLAGS])
    monkeypatch.setenv("ENGINE", "fake")
    monkeypatch.setenv("RUNPOD_MAX_CONCURRENCY", "12")
    assert main(["runpod", *SDK_FLAGS]) == 0
    assert started["argv"] == ["embedrank", *SDK_FLAGS]  # the SDK parses these from sys.argv
    assert started["concurrency_modifier"](1) == 12
    assert inspect.iscoroutinefunction(started["handler"])


def test_sdk_gets_the_full_output_but_logs_a_short_repr(handler: JobHandler) -> None:
    # The SDK formats outputs into log lines whatever the level: 2048 big vectors must not cost seconds.
    texts = [f"text {i}" for i in range(300)]
    result = asyncio.run(
        run_job_through_sdk(handler.handle, {"id": "big", "input": {"model": "plain-embed", "input": texts}})
    )
    output = result["output"]
    assert len(repr(result)) < 2000
    assert "'model': 'plain-embed'" in repr(output) and "300 items" in repr(output)
    assert json.loads(json.dumps(result))["output"]["data"][299]["embedding"] == pytest.approx(
        hash_vector("text 299", 384)
    )


def test_preview_keeps_short_lists_whole() -> None:
    assert preview({"a": [1, 2, 3, 4], "b": list(range(9)), "c": "x" * 100}) == {
        "a": [1, 2, 3, 4],
        "b": [0, 1, 2, "... 9 items"],
        "c": "x" * 60 + "... 100 chars",
    }


def test_sdk_worker_loop_loads_on_its_own_loop_and_runs_jobs_concurrently(
    container: Container, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The production path: the SDK's JobScaler runs jobs under its own asyncio.run, not ours.
    lifecycle = container.lifecycle()
    original_start = lifecycle.start

    async def slow_start() -> None:
        await asyncio.sleep(0.1)  # the first jobs all arrive while the models load
        await original_start()

    monkeypatch.setattr(lifecycle, "start", slow_start)
    handler = JobHandler(container)
    queued = [{"id": f"j{i}", "input": {"model": "plain-embed", "input": f"text {i}"}} for i in range(6)]
    results: dict[str, dict[str, Any]] = {}
    active = [0, 0]  # now, most

    async def fetch(_session: object, count: int) -> list[dict[str, Any]] | None:
        await asyncio.sleep(0.01)
        taken, queued[:] = queued[:count], queued[count:]
        return taken or None

    async def handle(_session: object, config: dict[str, Any], job: dict[str, Any]) -> None:
        active[0] += 1
        active[1] = max(active)
        results[job["id"]] = await run_job_through_sdk(config["handler"], job)
        active[0] -= 1
        if len(results) == 6:
            scaler.kill_worker()

    async def no_stop_signals(_session: object) -> list[str]:
        return []

    scaler = JobScaler(
        {
            "handler": handler.handle,
            "concurrency_modifier": fixed_concurrency(4),
            "jobs_fetcher": fetch,
            "jobs_handler": handle,
            "stop_signals_fetcher": no_stop_signals,
        }
    )
    asyncio.run(asyncio.wait_for(scaler.run(), timeout=20))
    assert sorted(results) == [f"j{i}" for i in range(6)]
    assert all("error" not in r and len(r["output"]["data"]) == 1 for r in results.values())
    assert active[1] == 4  # RUNPOD_MAX_CONCURRENCY jobs at once, never more
