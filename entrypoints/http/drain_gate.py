"""While draining, new requests get a clean 503; requests admitted before keep running to the end."""

from __future__ import annotations

import contextlib
from collections.abc import Iterable

from litestar.types import ASGIApp, Receive, Scope, Send

from application.serving_policy import ServingPolicy
from domain.errors import Unavailable
from entrypoints.errors import map_error
from entrypoints.http.asgi_error import send_error


class DrainGate:
    def __init__(self, app: ASGIApp, policy: ServingPolicy, open_paths: Iterable[str]) -> None:
        self._app = app
        self._policy = policy
        # Probes keep answering while draining: /ready must be able to say 503.
        self._open = frozenset(open_paths)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope.get("path") in self._open:
            await self._app(scope, receive, send)
            return
        with contextlib.ExitStack() as admitted:
            try:
                admitted.enter_context(self._policy.admit())
            except Unavailable as exc:
                error = map_error(exc).body.error
                await send_error(send, 503, error.message, error.type, error.code or "unavailable",
                                 [(b"connection", b"close")])  # fmt: skip
                return
            await self._app(scope, receive, send)
