"""Each engine in process, without HTTP: concurrent callers on every workload, as the server would call it."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Sequence
from typing import Any

from bench.budget import Budget
from bench.in_process import embed_load, served
from bench.traffic import split_into_requests

# More tokens a second than any engine here reaches (a 0.6B model on one GPU does well under this), so
# a point's requests never run out before its time does.
TOKENS_PER_S_CEILING = 3_000_000
ENGINE_LOAD_S = 20.0  # kept free for each engine still to load


def requests_for(texts: list[str], lengths: list[int], seconds: float, *, seed: int) -> list[list[str]]:
    """1-8 texts per request, repeated until even the fastest engine could not finish them in `seconds`."""
    from bench.workloads import cycled

    mean = sum(lengths) / len(lengths)
    return cycled(split_into_requests(texts, seed=seed), int(TOKENS_PER_S_CEILING * seconds / mean) + 1)


def engines_in_process(
    engines: Sequence[str],
    env: dict[str, str],
    model: str,
    loads: dict[str, dict[str, Any]],
    *,
    clients: int,
    point_seconds: float,
    budget: Budget,
    measured: Callable[[dict[str, Any]], None] = lambda found: None,
) -> dict[str, Any]:
    """engine → workload → the load's numbers; points that no longer fit the budget are skipped by name.

    `measured` is called with everything found so far after each point (the caller saves it).
    """
    found: dict[str, Any] = {}
    for n, engine in enumerate(engines):
        after = len(engines) - n - 1
        found[engine] = {}
        run = _engine(
            engine, {**env, "ENGINE": engine}, model, loads, clients, point_seconds, budget,
            reserve=after * ENGINE_LOAD_S, points_after=after * len(loads),
            found=found[engine], measured=lambda: measured(found),
        )  # fmt: skip
        asyncio.run(run)
    return found


async def _engine(
    engine: str, env: dict[str, str], model: str, loads: dict[str, dict[str, Any]], clients: int,
    point_seconds: float, budget: Budget, *, reserve: float, points_after: int, found: dict[str, Any],
    measured: Callable[[], None],
) -> None:  # fmt: skip
    async with served(env) as registry:
        for load in loads.values():  # warm-up: kernels and allocator blocks for each shape
            await embed_load(registry, model, split_into_requests(load["texts"])[:4], clients=2, seconds=0)
        for i, (name, load) in enumerate(loads.items()):
            points_left = len(loads) - i + points_after
            seconds = budget.point_seconds(point_seconds, points_left, reserve=reserve)
            if seconds is None:
                budget.skipped.append(f"in-process {engine} {name}")
                continue
            requests = requests_for(load["texts"], load["lengths"], seconds, seed=i)
            result = await embed_load(registry, model, requests, clients=clients, seconds=seconds)
            found[name] = result.to_json()
            measured()
