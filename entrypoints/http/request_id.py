"""X-Request-Id on every response: the client's own when it is sane, else a fresh one."""

from __future__ import annotations

import re
import uuid
from contextvars import ContextVar

from litestar.types import ASGIApp, Message, Receive, Scope, Send

HEADER = b"x-request-id"
# Echoed into headers and logs, so only a short, plain token is accepted from a client.
_SANE = re.compile(rb"[A-Za-z0-9][A-Za-z0-9._:-]{0,127}")

REQUEST_ID: ContextVar[str] = ContextVar("request_id", default="-")


def request_id_of(scope: Scope) -> str:
    return str(scope.get("state", {}).get("request_id", "-"))


class RequestId:
    def __init__(self, app: ASGIApp) -> None:
        self._app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        incoming = next((v for k, v in scope.get("headers", ()) if k.lower() == HEADER), b"")
        rid = incoming.decode("ascii") if _SANE.fullmatch(incoming) else uuid.uuid4().hex
        scope.setdefault("state", {})["request_id"] = rid
        token = REQUEST_ID.set(rid)

        async def send_with_id(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = [(k, v) for k, v in message.get("headers", ()) if k.lower() != HEADER]
                message = {**message, "headers": [*headers, (HEADER, rid.encode("ascii"))]}  # type: ignore[typeddict-item]
            await send(message)

        try:
            await self._app(scope, receive, send_with_id)
        finally:
            REQUEST_ID.reset(token)
