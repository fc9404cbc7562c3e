"""Each engine behind our HTTP server on the device: concurrent clients on every workload, and lone requests."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from typing import Any

from bench.budget import Budget
from bench.device_engines import requests_for
from bench.device_options import DeviceSuite
from bench.load import LoadResult, drive
from bench.processes import mib, serve
from bench.progress import say
from bench.stats import percentile
from bench.traffic import split_into_requests

SERVER_START_S = 45.0  # loading a 0.6B model and infinity's warm-up on a GPU machine, with margin


def http_engines(
    engines: Sequence[str], suite: DeviceSuite, model: str, loads: dict[str, dict[str, Any]], budget: Budget
) -> dict[str, Any]:
    found: dict[str, Any] = {}
    for n, engine in enumerate(engines):
        after = len(engines) - n - 1
        reserve = after * (SERVER_START_S + len(loads) * suite.point_seconds)
        if not budget.allows(f"http {engine}", SERVER_START_S / 3, reserve=reserve):
            continue
        env = {
            "ENGINE": engine, "MODEL_NAMES": model, "DEVICE": suite.device, "DTYPES": suite.dtype,
            "BATCH_SIZES": str(suite.rows), "REQUEST_TIMEOUT": "3600", **suite.server_env,
        }  # fmt: skip
        say(f"http {engine}: starting the server on {suite.device}")
        try:
            log = suite.out / f"server-device-{engine}.log"
            with serve(env, log, timeout=max(1.0, budget.left(reserve))) as (host, port, rss):
                session = _session(host, port, model, loads, suite, budget, reserve, engine)
                found[engine] = asyncio.run(session)
                found[engine]["peak_rss_mib"] = mib(rss.peak)
        except Exception as exc:  # recorded; the other engine still runs
            say(f"http {engine}: {type(exc).__name__}: {exc}")
            found[engine] = {"error": f"{type(exc).__name__}: {exc}"}
    return found


async def _session(
    host: str, port: int, model: str, loads: dict[str, dict[str, Any]], suite: DeviceSuite, budget: Budget,
    reserve: float, engine: str,
) -> dict[str, Any]:  # fmt: skip
    found: dict[str, Any] = {}
    for load in loads.values():  # warm-up: kernels and allocator blocks for each shape
        await drive(host, port, model, split_into_requests(load["texts"])[:4], concurrency=2, label="warm-up")
    for i, (name, load) in enumerate(loads.items()):
        seconds = budget.point_seconds(suite.point_seconds, len(loads) - i, reserve=reserve)
        if seconds is None:
            budget.skipped.append(f"http {engine} {name}")
            continue
        requests = requests_for(load["texts"], load["lengths"], seconds, seed=i)
        label = f"http {engine} {name} c={suite.clients}"
        found[name] = _numbers(await drive(host, port, model, requests, concurrency=suite.clients, label=label,
                                           time_limit=seconds))  # fmt: skip
    shortest = loads[str(min(suite.lengths))]["texts"]
    lone = [[shortest[i % len(shortest)]] for i in range(suite.singles)]
    found["single"] = _numbers(await drive(host, port, model, lone, concurrency=1, label="1-text requests"))
    return found


def _numbers(result: LoadResult) -> dict[str, Any]:
    seconds = result.seconds or float("nan")
    return {
        "texts": result.texts, "tokens": result.tokens, "seconds": round(result.seconds, 3),
        "texts_per_s": round(result.texts / seconds, 1), "tokens_per_s": round(result.tokens / seconds, 1),
        "p50_ms": round(percentile(result.latencies, 50) * 1000, 2),
        "p99_ms": round(percentile(result.latencies, 99) * 1000, 2),
        "requests": len(result.latencies), "errors": result.errors,
    }  # fmt: skip
