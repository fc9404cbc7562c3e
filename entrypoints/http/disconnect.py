"""Cancel a request's handler when its client goes away, so its queued work is dropped.

Neither uvicorn nor Litestar does this: once the body is read nobody listens to the connection, and
the handler would compute an answer for no one. After the body, the next ASGI message can only be
`http.disconnect` (the client left, or the response is complete); a watcher waits for it and cancels
the handler's task when the response is not complete yet. Cancellation reaches the engine's queue,
which drops the request's items.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging

from litestar.types import ASGIApp, Message, Receive, ReceiveMessage, Scope, Send

log = logging.getLogger(__name__)


class CancelOnDisconnect:
    def __init__(self, app: ASGIApp) -> None:
        self._app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        body_read = asyncio.Event()
        responded = client_gone = False

        async def app_receive() -> ReceiveMessage:
            message = await receive()
            if message["type"] == "http.disconnect" or not message.get("more_body", False):
                body_read.set()
            return message

        async def app_send(message: Message) -> None:
            nonlocal responded
            if message["type"] == "http.response.body" and not message.get("more_body", False):
                responded = True
            await send(message)

        async def watch() -> None:
            nonlocal client_gone
            await body_read.wait()
            message = await receive()
            if message["type"] == "http.disconnect" and not responded and not handler.done():
                client_gone = True
                handler.cancel()

        handler = asyncio.ensure_future(self._app(scope, app_receive, app_send))
        watcher = asyncio.ensure_future(watch())
        try:
            await handler
        except asyncio.CancelledError:
            if not client_gone:
                raise  # cancelled from outside (server shutdown): not ours to swallow
            scope.setdefault("state", {})["client_gone"] = True
            log.info("client disconnected; its request was cancelled")
        finally:
            watcher.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await watcher
