"""One JSON access-log line and the HTTP metrics for every request, 404s and refusals included.

Never logged: headers (the API key), query strings, bodies. The route is the template, so label sets
stay bounded whatever paths clients invent; an unmatched request's line also names its path.
"""

from __future__ import annotations

import json
import logging
import sys
import time
from collections.abc import Iterable

from asgi_correlation_id import correlation_id
from litestar.types import ASGIApp, Message, Receive, Scope, Send

from entrypoints.http import http_metrics as m

ACCESS_LOGGER = "embedrank.access"
access_log = logging.getLogger(ACCESS_LOGGER)
MAX_LOGGED_PATH = 256


def configure_access_log() -> None:
    """Access lines go to stderr as bare JSON, one per line, whatever the root format is."""
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter("%(message)s"))
    access_log.handlers[:] = [handler]
    access_log.propagate = False
    access_log.setLevel(logging.INFO)


class Observe:
    def __init__(self, app: ASGIApp, known_paths: Iterable[str]) -> None:
        self._app = app
        # Requests refused before routing (401, 503 while draining) still get their route's label.
        self._known = frozenset(known_paths)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        started = time.perf_counter()
        status: int | None = None

        async def capture(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        m.IN_FLIGHT.inc()
        try:
            await self._app(scope, receive, capture)
        finally:
            m.IN_FLIGHT.dec()
            if status is None:
                status = m.CLIENT_CLOSED if scope.get("state", {}).get("client_gone") else 500
            self._record(scope, status, time.perf_counter() - started)

    def _record(self, scope: Scope, status: int, seconds: float) -> None:
        method = scope.get("method", "GET")
        method = method if method in m.METHODS else "OTHER"
        route = self.route_of(scope)
        m.REQUESTS.labels(method=method, route=route, status=str(status)).inc()
        m.DURATION.labels(method=method, route=route).observe(seconds)
        line = {
            "event": "http_request",
            "method": method,
            "route": route,
            "status": status,
            "duration_ms": round(seconds * 1000, 2),
            "request_id": correlation_id.get() or "-",
        }
        if route == m.UNMATCHED:
            # The metric label stays bounded; the log line says which path was asked for (cut short).
            line["path"] = str(scope.get("path", ""))[:MAX_LOGGED_PATH]
        access_log.info(json.dumps(line))

    def route_of(self, scope: Scope) -> str:
        if "route_handler" in scope and scope.get("path_template"):
            return str(scope["path_template"])
        path = scope.get("path", "")
        return path if path in self._known else m.UNMATCHED
