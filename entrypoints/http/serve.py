"""Run the HTTP app under uvicorn; a failed model load stops the server with exit code 1."""

from __future__ import annotations

import logging

import uvicorn

from application.container import build_container
from application.settings import Settings
from entrypoints.http.app import create_app

log = logging.getLogger(__name__)


def serve(settings: Settings) -> int:
    failed: list[BaseException] = []
    server: uvicorn.Server | None = None

    def on_fatal(exc: BaseException) -> None:
        failed.append(exc)
        if server is not None:
            server.should_exit = True

    app = create_app(build_container(settings), on_fatal=on_fatal)
    config = uvicorn.Config(
        app, host=settings.host, port=settings.port, log_config=None, access_log=False, timeout_graceful_shutdown=30
    )
    server = uvicorn.Server(config)
    log.info("embedrank serving on http://%s:%d (OpenAPI at /schema)", settings.host, settings.port)
    server.run()
    if failed:
        log.error("exiting: a model failed to load")
        return 1
    return 0
