"""Run the HTTP app under uvicorn; a failed model load stops the server with exit code 1.

SIGTERM drains instead of stopping at once: /ready turns 503 and new requests get a 503 right away,
requests in flight finish (up to DRAIN_TIMEOUT), then uvicorn closes the socket and the process exits 0.
"""

from __future__ import annotations

import asyncio
import logging
import signal
import socket
from types import FrameType

import uvicorn

from application.container import build_container
from application.serving_policy import ServingPolicy
from application.settings import Settings
from entrypoints.http.app import create_app
from entrypoints.http.observe import configure_access_log

log = logging.getLogger(__name__)
# What uvicorn itself may still wait for once drained: keep-alive connections closing.
CLOSE_GRACE_SECONDS = 5


class DrainingServer(uvicorn.Server):
    """A uvicorn server whose first SIGTERM/SIGINT drains; a second one stops at once."""

    def __init__(self, config: uvicorn.Config, policy: ServingPolicy) -> None:
        super().__init__(config)
        self._policy = policy
        self._loop: asyncio.AbstractEventLoop | None = None
        self._draining: asyncio.Task[None] | None = None
        self._drain_requested = False

    async def serve(self, sockets: list[socket.socket] | None = None) -> None:
        self._loop = asyncio.get_running_loop()
        await super().serve(sockets)

    def handle_exit(self, sig: int, frame: FrameType | None) -> None:
        if self._drain_requested or not self.started or self._loop is None:
            # uvicorn's own handling: a second signal, or one before the server listens.
            super().handle_exit(sig, frame)
            return
        # Not recorded as a captured signal: uvicorn would re-raise it after a clean drain, and the
        # process would die by SIGTERM instead of exiting 0.
        self._drain_requested = True
        self._policy.begin_drain()
        log.info("received %s: draining %d request(s)", signal.Signals(sig).name, self._policy.in_flight)
        self._loop.call_soon_threadsafe(self._start_drain)

    def _start_drain(self) -> None:
        self._draining = asyncio.ensure_future(self._drain())

    async def _drain(self) -> None:
        if not await self._policy.drain():
            log.warning("drain timeout: %d request(s) still in flight are cut off", self._policy.in_flight)
        self.should_exit = True


def serve(settings: Settings) -> int:
    failed: list[BaseException] = []
    server: uvicorn.Server | None = None

    def on_fatal(exc: BaseException) -> None:
        failed.append(exc)
        if server is not None:
            server.should_exit = True

    configure_access_log()
    container = build_container(settings)
    app = create_app(container, on_fatal=on_fatal)
    config = uvicorn.Config(
        app,
        host=settings.host,
        port=settings.port,
        log_config=None,
        access_log=False,  # ours is one JSON line per request (entrypoints/http/observe.py)
        timeout_graceful_shutdown=CLOSE_GRACE_SECONDS,
    )
    server = DrainingServer(config, container.policy())
    log.info("embedrank serving on http://%s:%d (OpenAPI at /schema)", settings.host, settings.port)
    server.run()
    if failed:
        log.error("exiting: a model failed to load")
        return 1
    return 0
