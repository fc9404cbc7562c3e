"""A minimal HTTP/1.1 keep-alive client for the load generator.

The bench's clients share two cores with the server they measure: a general-purpose client spends
more CPU per request than our server does, so we speak just enough HTTP (one POST at a time per
connection, Content-Length bodies) to keep the load generator's own cost out of the numbers.
"""

from __future__ import annotations

import asyncio
import json
from typing import Any


class HttpError(RuntimeError):
    def __init__(self, status: int, body: bytes) -> None:
        super().__init__(f"HTTP {status}: {body[:300]!r}")
        self.status = status


class Connection:
    def __init__(self, host: str, port: int) -> None:
        self._host, self._port = host, port
        self._reader: asyncio.StreamReader | None = None
        self._writer: asyncio.StreamWriter | None = None

    async def post_json(self, path: str, payload: Any) -> Any:
        """POST `payload` as JSON; the decoded JSON answer, or HttpError for a non-2xx status."""
        body = json.dumps(payload).encode()
        head = (
            f"POST {path} HTTP/1.1\r\nHost: {self._host}:{self._port}\r\nContent-Type: application/json\r\n"
            f"Content-Length: {len(body)}\r\n\r\n"
        ).encode()
        if self._writer is None:
            self._reader, self._writer = await asyncio.open_connection(self._host, self._port)
        assert self._reader is not None
        self._writer.write(head + body)
        status, headers = _parse_head(await self._reader.readuntil(b"\r\n\r\n"))
        content = await self._reader.readexactly(int(headers.get("content-length", "0")))
        if headers.get("connection", "").lower() == "close":
            await self.close()
        if not 200 <= status < 300:
            raise HttpError(status, content)
        return json.loads(content)

    async def close(self) -> None:
        if self._writer is not None:
            self._writer.close()
            self._writer = None


def _parse_head(raw: bytes) -> tuple[int, dict[str, str]]:
    lines = raw.decode("latin-1").split("\r\n")
    status = int(lines[0].split(" ", 2)[1])
    headers: dict[str, str] = {}
    for line in lines[1:]:
        if ":" in line:
            name, value = line.split(":", 1)
            headers[name.strip().lower()] = value.strip()
    if "chunked" in headers.get("transfer-encoding", ""):
        raise RuntimeError("chunked responses are not expected from /v1/embeddings")
    return status, headers
