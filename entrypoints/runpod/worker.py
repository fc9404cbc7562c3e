"""Start the runpod SDK with our handler: the serverless worker, or the SDK's local test API."""

from __future__ import annotations

import asyncio
import logging
import sys
from collections.abc import Callable, Sequence

from application.container import build_container
from application.settings import Settings
from entrypoints.runpod.handler import JobHandler

log = logging.getLogger(__name__)


def start_worker(settings: Settings, sdk_argv: Sequence[str]) -> int:
    """Blocks until the SDK stops. Without RUNPOD_WEBHOOK_GET_JOB and `--rp_serve_api` the SDK runs
    `--test_input` or ./test_input.json once and exits, as every RunPod worker does."""
    import runpod  # pulls in aiohttp and fastapi: only for this command

    handler = JobHandler(build_container(settings))
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
            asyncio.run(handler.close(settings.drain_timeout))
        except Exception:
            log.exception("stopping the engines failed")
    return 0


def fixed_concurrency(limit: int) -> Callable[[int], int]:
    """RUNPOD_MAX_CONCURRENCY as the SDK's concurrency_modifier: jobs run at once on one event loop."""
    jobs = max(1, int(limit))

    def modifier(current: int) -> int:
        return jobs

    return modifier
