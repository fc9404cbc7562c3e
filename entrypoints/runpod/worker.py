"""Start the runpod SDK with our handler: the serverless worker, or the SDK's local test API."""

from __future__ import annotations

import asyncio
import logging
import signal
import sys
from collections.abc import Callable, Sequence
from types import FrameType

from application.container import build_container
from application.settings import Settings
from entrypoints.runpod.handler import JobHandler

log = logging.getLogger(__name__)


def start_worker(settings: Settings, sdk_argv: Sequence[str]) -> int:
    """Blocks until the SDK stops. Without RUNPOD_WEBHOOK_GET_JOB and `--rp_serve_api` the SDK runs
    `--test_input` or ./test_input.json once and exits, as every RunPod worker does."""
    import runpod  # pulls in aiohttp and fastapi: only for this command

    container = build_container(settings)
    handler = JobHandler(container)
    policy = container.policy()

    def on_sigterm(sig: int, frame: FrameType | None) -> None:
        # RunPod scales workers down with SIGTERM. The SDK's own handling runs first where it has one
        # (its local API's uvicorn answers the requests in flight, then restores this handler and raises
        # the signal again; its polling loop stops taking jobs and finishes those it took). Then, or at
        # once where the SDK has none: no new job is admitted, and the `finally` below waits for the jobs
        # in flight (DRAIN_TIMEOUT) before the engines stop and the process exits 0.
        log.info("received SIGTERM: draining %d job(s)", policy.in_flight)
        policy.begin_drain()
        raise SystemExit(0)

    signal.signal(signal.SIGTERM, on_sigterm)
    # The SDK reads its flags from sys.argv, not from a parameter.
    sys.argv = [sys.argv[0], *sdk_argv]
    try:
        runpod.serverless.start(
            {"handler": handler.handle, "concurrency_modifier": fixed_concurrency(settings.runpod_max_concurrency)}
        )
    finally:
        # Also on the SDK's sys.exit: an engine's worker threads (infinity's) would keep the process alive.
        # The SDK's loop is closed by now, so the engines are stopped on a fresh one.
        try:
            asyncio.run(handler.close())
        except Exception:
            log.exception("stopping the engines failed")
    return 0


def fixed_concurrency(limit: int) -> Callable[[int], int]:
    """RUNPOD_MAX_CONCURRENCY as the SDK's concurrency_modifier: jobs run at once on one event loop."""
    jobs = max(1, int(limit))

    def modifier(current: int) -> int:
        return jobs

    return modifier
