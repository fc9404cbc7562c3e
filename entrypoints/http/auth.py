"""Bearer-key authentication for every route but an explicit allowlist.

Keys are compared as SHA-256 digests with `hmac.compare_digest` against every configured key, with
no early exit, so timing tells nothing about which key, or how much of one, matched. The key is never
logged, echoed or put in the OpenAPI document.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Iterable, Sequence

from litestar.types import ASGIApp, Receive, Scope, Send

from entrypoints.http.asgi_error import send_error

CHALLENGE = b'Bearer realm="embedrank"'


class BearerAuth:
    def __init__(self, app: ASGIApp, keys: Sequence[str], open_paths: Iterable[str]) -> None:
        self._app = app
        self._digests = [_digest(key.encode()) for key in keys]
        self._open = frozenset(open_paths)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if not self._digests or scope.get("path") in self._open:
            await self._app(scope, receive, send)
            return
        token = bearer_token(scope)
        if token is not None and self.accepts(token):
            await self._app(scope, receive, send)
            return
        if token is None:
            message = "missing API key: send it as 'Authorization: Bearer <key>'"
            challenge = CHALLENGE
        else:
            message = "invalid API key"
            challenge = CHALLENGE + b', error="invalid_token"'
        await send_error(send, 401, message, "authentication_error", "invalid_api_key",
                         [(b"www-authenticate", challenge)])  # fmt: skip

    def accepts(self, token: bytes) -> bool:
        presented = _digest(token)
        matched = False
        for digest in self._digests:
            matched |= hmac.compare_digest(presented, digest)
        return matched


def bearer_token(scope: Scope) -> bytes | None:
    header = next((v for k, v in scope.get("headers", ()) if k.lower() == b"authorization"), None)
    if header is None:
        return None
    scheme, _, token = header.strip().partition(b" ")
    token = token.strip()
    if scheme.lower() != b"bearer" or not token:
        return None
    return token


def _digest(value: bytes) -> bytes:
    return hashlib.sha256(value).digest()
