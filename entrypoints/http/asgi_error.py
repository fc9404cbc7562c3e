"""OpenAI-shaped error responses sent straight from ASGI layers that run outside Litestar's handlers."""

from __future__ import annotations

from collections.abc import Iterable

import msgspec
from litestar.types import Send

from entrypoints.errors import error_body


async def send_error(
    send: Send,
    status: int,
    message: str,
    type_: str,
    code: str,
    headers: Iterable[tuple[bytes, bytes]] = (),
) -> None:
    body = msgspec.json.encode(error_body(message, type_, None, code))
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [
                (b"content-type", b"application/json"),
                (b"content-length", str(len(body)).encode()),
                *headers,
            ],
        }
    )
    await send({"type": "http.response.body", "body": body, "more_body": False})
