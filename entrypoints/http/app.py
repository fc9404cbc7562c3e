"""The Litestar application: routes, dependencies from the container, the error table, lifecycle, edge."""

from __future__ import annotations

import logging
from collections.abc import Callable

from litestar import Litestar
from litestar.di import Provide

from application.container import Container
from entrypoints.http.body_guard import BodyGuard
from entrypoints.http.dialects import DIALECT_ROUTES
from entrypoints.http.edge import EdgedLitestar, edge_layers
from entrypoints.http.errors import EXCEPTION_HANDLERS
from entrypoints.http.health import health, ping, ready
from entrypoints.http.metrics_route import metrics
from entrypoints.http.openapi_doc import openapi_config
from entrypoints.http.routes import V1, OpenAIV1, V2Rerank

log = logging.getLogger(__name__)


def create_app(container: Container, on_fatal: Callable[[BaseException], None] | None = None) -> Litestar:
    """Models load in the background at startup: /health answers at once, /ready says 503 until loaded.

    `on_fatal` is called when loading fails (the CLI stops the server with a non-zero exit).
    """
    settings = container.settings()
    lifecycle = container.lifecycle()

    async def start_loading() -> None:
        task = lifecycle.start_in_background()

        def done(t: object) -> None:
            if task.cancelled() or task.exception() is None:
                return
            exc = task.exception()
            assert exc is not None
            log.error("model loading failed: %s", exc)
            if on_fatal is not None:
                on_fatal(exc)

        task.add_done_callback(done)

    async def stop() -> None:
        await lifecycle.stop()

    app = EdgedLitestar(
        route_handlers=[V1, OpenAIV1, V2Rerank, health, ready, ping, metrics, *DIALECT_ROUTES],
        dependencies={
            "list_models": _provide(container.list_models),
            "create_embeddings": _provide(container.create_embeddings),
            "rerank": _provide(container.rerank),
            "tokenize": _provide(container.tokenize),
            "decode": _provide(container.decode),
            "lifecycle": _provide(container.lifecycle),
            "policy": _provide(container.policy),
            "limits": _provide(container.limits),
        },
        exception_handlers=EXCEPTION_HANDLERS,
        before_request=BodyGuard(settings.max_json_depth),
        on_startup=[start_loading],
        on_shutdown=[stop],
        request_max_body_size=settings.max_body_bytes,
        openapi_config=openapi_config(secured=bool(settings.api_keys)),
        debug=False,
        # Our log setup (entrypoints/logs.py) stays in force: Litestar would install its own format at startup.
        logging_config=None,
    )
    app.wrap_edge(edge_layers(settings, container.policy(), frozenset(route.path for route in app.routes)))
    return app


def _provide(provider: Callable[[], object]) -> Provide:
    # Litestar inspects signatures; dependency-injector providers have none, so wrap them.
    def dependency() -> object:
        return provider()

    return Provide(dependency, sync_to_thread=False)
