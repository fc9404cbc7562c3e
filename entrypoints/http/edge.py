"""The layers every HTTP request passes before Litestar routes it, outermost first.

Litestar runs its own middleware only for matched routes; request ids, the access log, metrics,
auth and draining must also see 404s and requests refused at the door, so they wrap the whole app.
"""

from __future__ import annotations

from collections.abc import Callable

from litestar import Litestar
from litestar.types import ASGIApp, Receive, Scope, Send

from application.serving_policy import ServingPolicy
from application.settings import Settings
from entrypoints.http.auth import BearerAuth
from entrypoints.http.disconnect import CancelOnDisconnect
from entrypoints.http.drain_gate import DrainGate
from entrypoints.http.observe import Observe
from entrypoints.http.request_ids import with_request_ids

PROBES = frozenset({"/health", "/ready", "/ping"})
METRICS = "/metrics"


def open_paths(settings: Settings) -> frozenset[str]:
    """Routes that need no API key: the probes, and /metrics unless METRICS_REQUIRE_AUTH."""
    return PROBES if settings.metrics_require_auth else PROBES | {METRICS}


def edge_layers(
    settings: Settings, policy: ServingPolicy, known_paths: frozenset[str]
) -> Callable[[ASGIApp], ASGIApp]:
    def wrap(app: ASGIApp) -> ASGIApp:
        app = CancelOnDisconnect(app)
        app = DrainGate(app, policy, PROBES | {METRICS})
        app = BearerAuth(app, settings.api_keys, open_paths(settings))
        app = Observe(app, known_paths)
        return with_request_ids(app)

    return wrap


class EdgedLitestar(Litestar):
    """A Litestar app whose HTTP requests go through `edge` first (set once by `wrap_edge`)."""

    _edge: ASGIApp | None = None

    def wrap_edge(self, layers: Callable[[ASGIApp], ASGIApp]) -> None:
        self._edge = layers(super().__call__)  # type: ignore[arg-type]

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:  # type: ignore[override]
        if scope["type"] == "http" and self._edge is not None:
            await self._edge(scope, receive, send)
        else:
            await super().__call__(scope, receive, send)  # type: ignore[arg-type]
