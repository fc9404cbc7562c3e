"""`embedrank bench`: flags → BenchOptions → bench.run (the benchmark itself lives in the `bench` package)."""

from __future__ import annotations

import argparse
import importlib.util
from pathlib import Path


def add_bench_parser(commands: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    # `bench` is a development tool that a checkout installs and the image leaves out: offered only
    # where it can run, so the image's `--help` does not list a command that fails.
    if importlib.util.find_spec("bench") is None:
        return
    bench = commands.add_parser(
        "bench", help="measure throughput, latency and memory against raw encode and Infinity (see docs/benchmarks.md)"
    )
    bench.add_argument("--quick", action="store_true", help="a small corpus and one round: seconds, for CI")
    bench.add_argument("--out", type=Path, default=Path("bench-results"), help="where bench.json and bench.png go")
    bench.add_argument("--modes", default="engine,http,infinity", help="any of engine,http,infinity,qwen3,onnx")
    bench.add_argument("--model", help="model path (default: the bundled all-MiniLM-L6-v2)")
    bench.add_argument("--texts", type=int, default=2000, help="corpus size")
    bench.add_argument("--clients", type=int, default=64, help="concurrent clients for the headline numbers")
    bench.add_argument("--sweep", default="1,4,16", help="further client counts, each run for --seconds")
    bench.add_argument("--seconds", type=float, default=20.0, help="time bound of each sweep point")
    bench.add_argument("--rounds", type=int, default=3, help="headline rounds (memory must not grow across them)")
    bench.add_argument(
        "--dtypes", default="fp32,bf16", help="precisions: fp32,bf16,auto (auto: the server with no ENGINE/DTYPES)"
    )
    bench.add_argument("--batch-sizes", default="16,32,64,128", help="raw encode batch sizes; the best is the baseline")
    bench.add_argument("--qwen3-texts", type=int, default=96, help="texts sent to the Qwen3-shaped model")
    bench.add_argument(
        "--server-env", action="append", default=[], metavar="NAME=VALUE",
        help="extra settings for the measured server, e.g. BATCH_SIZES=64 (repeatable)",
    )  # fmt: skip
    bench.add_argument(
        "--device", help="measure the GPU path on this device instead (cuda, or cpu with --quick for CI): parity, "
        "Qwen3-shaped throughput of each engine in process and over HTTP, MFU, the reranker (see docs/benchmarks.md)",
    )  # fmt: skip
    bench.add_argument("--budget-minutes", type=float, default=7.5, help="--device: the whole run ends within this")


def run_bench_command(args: argparse.Namespace) -> int:
    from bench.options import MODES, BenchOptions, quick
    from bench.run import run_bench

    server_env = dict(pair.split("=", 1) for pair in args.server_env)
    if args.device:
        from bench.device_options import device_suite
        from bench.device_run import run_device_bench

        suite = device_suite(args.out, args.device, quick=args.quick, budget_minutes=args.budget_minutes,
                             clients=args.clients, server_env=server_env)  # fmt: skip
        run_device_bench(suite)
        return 0

    modes = tuple(m for m in args.modes.split(",") if m)
    unknown = set(modes) - set(MODES)
    if unknown:
        raise SystemExit(f"embedrank bench: unknown mode(s) {', '.join(sorted(unknown))}; use {', '.join(MODES)}")
    options = BenchOptions(
        out=args.out, modes=modes, model=args.model, texts=args.texts, clients=args.clients,
        sweep=_ints(args.sweep), point_seconds=args.seconds, rounds=args.rounds,
        dtypes=tuple(d for d in args.dtypes.split(",") if d), batch_sizes=_ints(args.batch_sizes),
        qwen3_texts=args.qwen3_texts, server_env=server_env,
    )  # fmt: skip
    run_bench(quick(options) if args.quick else options)
    return 0


def _ints(text: str) -> tuple[int, ...]:
    return tuple(int(part) for part in text.split(",") if part)
