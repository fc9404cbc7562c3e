"""The load generator: `concurrency` clients, each sending the next request as soon as its last one answered."""

from __future__ import annotations

import asyncio
import base64
import struct
import time
from dataclasses import dataclass, field

from bench.http_client import Connection, HttpError
from bench.progress import Progress


@dataclass(slots=True)
class LoadResult:
    texts: int = 0
    tokens: int = 0
    seconds: float = 0.0
    latencies: list[float] = field(default_factory=list)
    errors: dict[int, int] = field(default_factory=dict)  # HTTP status → count
    vectors: list[list[float]] = field(default_factory=list)  # only when asked for


async def drive(
    host: str,
    port: int,
    model: str,
    requests: list[list[str]],
    *,
    concurrency: int,
    label: str,
    time_limit: float | None = None,
    keep_vectors: bool = False,
) -> LoadResult:
    """Send `requests` (each a list of texts) with `concurrency` clients; stops early past `time_limit` s."""
    result = LoadResult()
    answers: dict[int, list[list[float]]] = {}
    pending = iter(enumerate(requests))
    progress = Progress(label, sum(len(r) for r in requests))
    started = time.perf_counter()

    async def client() -> None:
        connection = Connection(host, port)
        try:
            for number, texts in pending:
                sent = time.perf_counter()
                try:
                    body = await connection.post_json(
                        "/v1/embeddings", {"model": model, "input": texts, "encoding_format": "base64"}
                    )
                except HttpError as exc:
                    result.errors[exc.status] = result.errors.get(exc.status, 0) + 1
                    continue
                result.latencies.append(time.perf_counter() - sent)
                result.texts += len(body["data"])
                result.tokens += int(body["usage"]["prompt_tokens"])
                if keep_vectors:
                    answers[number] = [_floats(item["embedding"]) for item in body["data"]]
                progress.advance(len(texts))
                if time_limit is not None and time.perf_counter() - started > time_limit:
                    return
        finally:
            await connection.close()

    await asyncio.gather(*(client() for _ in range(concurrency)))
    result.seconds = time.perf_counter() - started
    progress.finish()
    result.vectors = [vector for number in sorted(answers) for vector in answers[number]]
    return result


def _floats(encoded: str) -> list[float]:
    raw = base64.b64decode(encoded)
    return list(struct.unpack(f"<{len(raw) // 4}f", raw))
