"""Soak: minutes of concurrent load against `embedrank serve`, checking that nothing degrades.

Runs phases in a loop for the whole duration: steady mixed traffic (valid and invalid requests),
then a burst far over the queue, then quiet. It fails (exit 1) when any request goes unanswered, any
answer is a 5xx, a 429 lacks Retry-After, the server stops answering after a burst, or its memory
grows past --max-rss-growth-mb.

    .venv/bin/python -m bench.soak                      # 5 minutes on the fake engine (make soak)
    .venv/bin/python -m bench.soak --minutes 30 --clients 128
    .venv/bin/python -m bench.soak --url http://host:8000 --api-key KEY --model my-model
"""

from __future__ import annotations

import argparse
import asyncio
import collections
import contextlib
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import httpx

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


@dataclass
class Totals:
    sent: int = 0
    statuses: collections.Counter[int] = field(default_factory=collections.Counter)
    unanswered: collections.Counter[str] = field(default_factory=collections.Counter)
    no_retry_after: int = 0
    latencies: list[float] = field(default_factory=list)

    def percentile(self, q: float) -> float:
        ordered = sorted(self.latencies)
        return ordered[min(len(ordered) - 1, int(q * len(ordered)))] if ordered else 0.0


def requests_for(embed_model: str, rerank_model: str) -> list[tuple[str, dict[str, Any]]]:
    return [
        ("/v1/embeddings", {"model": embed_model, "input": "the quick brown fox"}),
        ("/v1/embeddings", {"model": embed_model, "input": [f"text {i}" for i in range(16)]}),
        ("/v1/embeddings", {"model": embed_model, "input": "x", "encoding_format": "base64"}),
        ("/v1/rerank", {"model": rerank_model, "query": "fox", "documents": ["a fox", "a dog", "fox and dog"]}),
        ("/v1/embeddings", {"model": embed_model, "input": ""}),  # 400
        ("/v1/embeddings", {"model": "no-such-model", "input": "x"}),  # 404
    ]


async def phase(http: httpx.AsyncClient, totals: Totals, clients: int, seconds: float, bodies: list) -> None:
    stop_at = time.monotonic() + seconds

    async def client(n: int) -> None:
        i = n
        while time.monotonic() < stop_at:
            path, body = bodies[i % len(bodies)]
            i += 1
            totals.sent += 1
            started = time.perf_counter()
            try:
                response = await http.post(path, json=body)
            except httpx.HTTPError as exc:
                totals.unanswered[type(exc).__name__] += 1
                continue
            totals.latencies.append(time.perf_counter() - started)
            totals.statuses[response.status_code] += 1
            if response.status_code == 429:
                totals.no_retry_after += "retry-after" not in response.headers
                await asyncio.sleep(0.05)

    await asyncio.gather(*(client(n) for n in range(clients)))


def rss_mb(pid: int | None) -> float | None:
    if pid is None:
        return None
    import psutil

    return float(psutil.Process(pid).memory_info().rss) / 2**20


async def soak(args: argparse.Namespace, base: str, pid: int | None) -> list[str]:
    headers = {"Authorization": f"Bearer {args.api_key}"} if args.api_key else {}
    limits = httpx.Limits(max_connections=args.clients * 4)
    bodies = requests_for(args.model, args.rerank_model)
    totals = Totals()
    problems: list[str] = []
    async with httpx.AsyncClient(base_url=base, headers=headers, limits=limits, timeout=60) as http:
        await phase(http, totals, args.clients, 10, bodies)  # warm-up, then the memory baseline
        baseline = rss_mb(pid)
        end = time.monotonic() + args.minutes * 60
        rounds = 0
        while time.monotonic() < end:
            rounds += 1
            await phase(http, totals, args.clients, 40, bodies)
            await phase(http, totals, args.clients * 4, 10, bodies[:2])  # a burst over the queue
            await asyncio.sleep(3)
            probe = await http.post(bodies[0][0], json=bodies[0][1])
            if probe.status_code != 200:
                problems.append(f"round {rounds}: not recovered after the burst ({probe.status_code})")
            print(f"round {rounds}: {totals.sent} sent, {dict(totals.statuses)}, rss {rss_mb(pid) or 0:.0f} MiB",
                  flush=True)  # fmt: skip
    final = rss_mb(pid)
    print(f"p50 {totals.percentile(0.5) * 1000:.1f} ms, p99 {totals.percentile(0.99) * 1000:.1f} ms")
    if totals.unanswered:
        problems.append(f"unanswered requests: {dict(totals.unanswered)}")
    server_errors = {s: n for s, n in totals.statuses.items() if s >= 500}
    if server_errors:
        problems.append(f"5xx answers: {server_errors}")
    if totals.no_retry_after:
        problems.append(f"{totals.no_retry_after} 429s without Retry-After")
    if baseline is not None and final is not None:
        print(f"server memory: {baseline:.0f} MiB after warm-up, {final:.0f} MiB at the end")
        if final - baseline > args.max_rss_growth_mb:
            problems.append(f"memory grew {final - baseline:.0f} MiB (limit {args.max_rss_growth_mb})")
    return problems


@contextlib.contextmanager
def local_server(env: dict[str, str]) -> Iterator[tuple[str, subprocess.Popen[bytes]]]:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    log = tempfile.NamedTemporaryFile(prefix="embedrank-soak-", suffix=".log", delete=False)  # noqa: SIM115
    full_env = {**os.environ, **env, "HOST": "127.0.0.1", "PORT": str(port)}
    process = subprocess.Popen([sys.executable, "-m", "entrypoints.cli", "serve"], cwd=REPO, env=full_env,
                               stdout=subprocess.DEVNULL, stderr=log)  # fmt: skip
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 120
        while True:
            with contextlib.suppress(httpx.HTTPError):
                if httpx.get(f"{base}/ready", timeout=2).status_code == 200:
                    break
            if process.poll() is not None or time.monotonic() > deadline:
                raise SystemExit(f"server did not start; see {log.name}")
            time.sleep(0.2)
        print(f"server log: {log.name}")
        yield base, process
    finally:
        process.send_signal(signal.SIGTERM)
        code = process.wait(60)
        print(f"server exited with {code} after SIGTERM")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--minutes", type=float, default=5)
    parser.add_argument("--clients", type=int, default=64)
    parser.add_argument("--url", help="soak a running server instead of starting one (memory is not checked)")
    parser.add_argument("--api-key")
    parser.add_argument("--model", default="fake-embed")
    parser.add_argument("--rerank-model", default="fake-rerank")
    parser.add_argument("--queue-size", default="128", help="INFINITY_QUEUE_SIZE of the started server")
    parser.add_argument("--delay-ms", default="20", help="FAKE_DELAY_MS of the started server")
    parser.add_argument("--max-rss-growth-mb", type=float, default=100)
    args = parser.parse_args()
    if args.url:
        problems = asyncio.run(soak(args, args.url, None))
    else:
        env = {"ENGINE": "fake", "MODEL_NAMES": f"{args.model};{args.rerank_model}",
               "INFINITY_QUEUE_SIZE": args.queue_size, "FAKE_DELAY_MS": args.delay_ms}  # fmt: skip
        with local_server(env) as (base, process):
            problems = asyncio.run(soak(args, base, process.pid))
        if process.returncode != 0:
            problems.append(f"server exit code {process.returncode} after SIGTERM (want 0)")
    for problem in problems:
        print(f"FAIL: {problem}")
    print("soak passed" if not problems else "soak failed")
    return 1 if problems else 0


if __name__ == "__main__":
    raise SystemExit(main())
