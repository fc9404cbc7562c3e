"""Our server under load: lone-request latency, a concurrency sweep, headline rounds, and probe vectors."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field

from bench.child_io import texts_file
from bench.load import LoadResult, drive
from bench.options import BenchOptions
from bench.processes import mib, run_child, serve
from bench.progress import say
from bench.stats import Measurement, percentile
from bench.traffic import split_into_requests

PROBE_TEXTS = 256


@dataclass(slots=True)
class ServerRun:
    single: Measurement
    engine_single_p50_ms: float
    sweep: list[Measurement] = field(default_factory=list)
    rounds: list[Measurement] = field(default_factory=list)
    probe_vectors: list[list[float]] = field(default_factory=list)
    peak_rss_mib: float = 0.0
    # Resident memory at the end of the lull before each round and after the last: what the server keeps.
    settled_rss_mib: list[float] = field(default_factory=list)


def _engine_singles(model: str, lone: list[list[str]], dtype: str) -> list[float]:
    with texts_file([texts[0] for texts in lone]) as path:
        arguments = {
            "model": model, "texts_path": path, "batch_sizes": [], "dtype": resolved_dtype(dtype), "singles": len(lone),
        }  # fmt: skip
        return list(run_child("bench.engine_mode", arguments)["single_latencies"])


def server_env(model: str, dtype: str, options: BenchOptions) -> dict[str, str]:
    """`auto`: the server as `make serve` runs it, with no ENGINE or DTYPES (ENGINE=auto, DTYPES=auto)."""
    chosen = {} if dtype == "auto" else {"ENGINE": "sentence-transformers", "DTYPES": dtype}
    return {
        **chosen, "MODEL_NAMES": model, "DEVICE": "cpu",
        # A benchmark's queue waits are long by design; the server's default deadline is for clients.
        "REQUEST_TIMEOUT": "3600", **options.server_env,
    }  # fmt: skip


def resolved_dtype(dtype: str) -> str:
    """What `DTYPES=auto` gives the bundled BERT model on this CPU: bf16 where it multiplies bf16 in hardware."""
    if dtype != "auto":
        return dtype
    from adapters.engines.torch_runtime import cpu_multiplies_bf16

    return "bf16" if cpu_multiplies_bf16() else "fp32"


def bench_server(model: str, texts: list[str], dtype: str, options: BenchOptions, *, label: str) -> ServerRun:
    say(f"http {label}: starting the server ({dtype})")
    log = options.out / f"server-{label}-{dtype}.log"
    with serve(server_env(model, dtype, options), log) as (host, port, rss):
        return asyncio.run(_session(host, port, rss, model, texts, dtype, options, label))


async def _session(host, port, rss, model, texts, dtype, options, label) -> ServerRun:  # type: ignore[no-untyped-def]
    requests = split_into_requests(texts)
    await drive(host, port, model, requests[:16], concurrency=4, label="warm-up")

    def measured(result: LoadResult, concurrency: int, name: str) -> Measurement:
        if result.errors:
            say(f"  {name}: errors {result.errors}")
        return Measurement(
            mode="http", label=name, dtype=dtype, concurrency=concurrency, texts=result.texts, tokens=result.tokens,
            seconds=result.seconds, latencies=result.latencies, peak_rss_mib=mib(rss.window_peak),
            extra={"errors": result.errors},
        )  # fmt: skip

    rss.reset_window()
    lone = [[text] for text in texts[: options.singles]]
    single = measured(await drive(host, port, model, lone, concurrency=1, label="1-text requests"), 1, "single")
    # The engine's own time for the same lone texts, measured now (the server idle) so both see one machine state.
    engine = await asyncio.to_thread(_engine_singles, model, lone, dtype)
    run = ServerRun(single=single, engine_single_p50_ms=round(percentile(engine, 50) * 1000, 2))
    for concurrency in options.sweep:
        rss.reset_window()
        name = f"{label} {dtype} c={concurrency}"
        result = await drive(
            host, port, model, requests, concurrency=concurrency, label=name, time_limit=options.point_seconds
        )
        run.sweep.append(measured(result, concurrency, name))
    for number in range(1, options.rounds + 1):
        # A lull between rounds, as real traffic has: the server returns freed memory when it goes quiet.
        await asyncio.sleep(options.round_pause)
        run.settled_rss_mib.append(mib(rss.current()))
        rss.reset_window()
        name = f"{label} {dtype} c={options.clients} round {number}"
        result = await drive(host, port, model, requests, concurrency=options.clients, label=name)
        run.rounds.append(measured(result, options.clients, name))
    await asyncio.sleep(options.round_pause)
    run.settled_rss_mib.append(mib(rss.current()))
    probe = [texts[i : i + 8] for i in range(0, min(PROBE_TEXTS, len(texts)), 8)]
    run.probe_vectors = (await drive(host, port, model, probe, concurrency=4, label="probe", keep_vectors=True)).vectors
    run.peak_rss_mib = mib(rss.peak)
    return run
