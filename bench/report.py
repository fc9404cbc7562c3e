"""The run's summary: ratios to the baseline, the targets met or not, a table on stdout, and JSON."""

from __future__ import annotations

import json
import math
import os
import platform
import statistics
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from bench.stats import Measurement, percentile


def conditions() -> dict[str, Any]:
    """What the numbers depend on: the CPU, its cores, and how busy the machine was."""
    cpu = "unknown"
    with open("/proc/cpuinfo", encoding="utf-8") as handle:
        for line in handle:
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    return {
        "cpu": cpu, "cores": os.cpu_count(), "load_average": [round(x, 2) for x in os.getloadavg()],
        "python": platform.python_version(),
    }  # fmt: skip


def median_round(rounds: Sequence[Measurement]) -> Measurement:
    ordered = sorted(rounds, key=lambda m: m.texts_per_s)
    return ordered[len(ordered) // 2]


def cosine_stats(reference: Sequence[Sequence[float]], other: Sequence[Sequence[float]]) -> dict[str, float]:
    values = []
    for a, b in zip(reference, other, strict=True):
        dot = math.fsum(x * y for x, y in zip(a, b, strict=True))
        values.append(dot / math.sqrt(math.fsum(x * x for x in a) * math.fsum(y * y for y in b)))
    return {"min": round(min(values), 6), "mean": round(statistics.fmean(values), 6), "count": len(values)}


def target(name: str, wanted: str, measured: float | None, met: bool | None) -> dict[str, Any]:
    return {"name": name, "target": wanted, "measured": measured, "met": met}


def targets(summary: dict[str, Any]) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = []
    http = summary.get("http", {})
    fp32 = http.get("fp32")
    if fp32 and "ratio_to_baseline" in fp32:
        ratio = fp32["ratio_to_baseline"]
        found.append(target("http texts/s ÷ raw encode (fp32)", ">= 1.00", ratio, ratio >= 1.0))
    if fp32:
        found.append(target("server peak RSS (MiB)", "< 1536", fp32["peak_rss_mib"], fp32["peak_rss_mib"] < 1536))
        growth = fp32.get("rss_growth")
        if growth is not None:
            found.append(target("RSS growth across rounds (round peaks)", "within ±5%", growth, abs(growth) <= 0.05))
        settled = fp32.get("settled_rss_growth")
        if settled is not None:
            found.append(
                target("RSS growth across rounds (after each lull)", "within ±5%", settled, abs(settled) <= 0.05)
            )
        budget = fp32.get("single_latency_budget_ms")
        if budget is not None:
            p50 = fp32["single"]["p50_ms"]
            found.append(target("1-text p50 latency (ms)", f"<= engine forward + 3 = {budget}", p50, p50 <= budget))
    bf16 = summary.get("bf16_vs_fp32")
    if bf16:
        found.append(target("bf16 ÷ fp32 http texts/s", ">= 1.8", bf16["speedup"], bf16["speedup"] >= 1.8))
        low = bf16["cosine"]["min"]
        found.append(target("bf16 cosine to fp32 (min)", ">= 0.999", low, low >= 0.999))
    found.extend(_default_path_targets(summary))
    runs = {run["dtype"]: run for run in summary.get("qwen3", {}).get("runs", [])}
    for dtype, run in runs.items():
        mfu = run["useful_mfu"]
        found.append(target(f"Qwen3-0.6B-shaped useful MFU, matmul peak ({dtype})", ">= 0.75", mfu, mfu >= 0.75))
    if "fp32" in runs and "bf16" in runs:
        speedup = round(runs["bf16"]["tokens_per_s"] / runs["fp32"]["tokens_per_s"], 3)
        found.append(target("Qwen3-0.6B-shaped bf16 ÷ fp32 http tokens/s", ">= 1.8", speedup, speedup >= 1.8))
    return found


def _default_path_targets(summary: dict[str, Any]) -> list[dict[str, Any]]:
    """Issue 17's: the default `make serve` path (no ENGINE/DTYPES) over HTTP against raw encode and ONNX Runtime."""
    found: list[dict[str, Any]] = []
    default = summary.get("http", {}).get("auto")
    if default and "ratio_to_baseline" in default:
        ratio = default["ratio_to_baseline"]
        found.append(target("default server (http) ÷ raw encode fp32", ">= 1.8", ratio, ratio >= 1.8))
    versus = summary.get("default_vs_onnx")
    if versus:
        ratio = versus["ratio"]
        found.append(target("default server (http) ÷ ONNX Runtime in-process", ">= 1.5", ratio, ratio >= 1.5))
        low = versus["server_cosine_to_fp32"]["min"]
        found.append(target("default server cosine to fp32 encode (min)", ">= 0.999", low, low >= 0.999))
    onnx = summary.get("onnx")
    if onnx:
        low = onnx["cosine"]["min"]
        found.append(target("ONNX Runtime cosine to fp32 encode (min)", ">= 0.999", low, low >= 0.999))
    return found


def print_table(rows: Sequence[tuple[Measurement, float | None]]) -> None:
    header = f"{'run':<34} {'texts/s':>9} {'tokens/s':>10} {'p50 ms':>9} {'p99 ms':>9} {'RSS MiB':>8} {'ratio':>6}"
    print(header)
    print("-" * len(header))
    for m, ratio in rows:
        p50, p99 = percentile(m.latencies, 50) * 1000, percentile(m.latencies, 99) * 1000
        rss = f"{m.peak_rss_mib:.0f}" if m.peak_rss_mib else "-"
        shown = f"{ratio:.2f}x" if ratio is not None else "-"
        rate = f"{m.texts_per_s:>9.1f} {m.tokens_per_s:>10.0f}"
        print(f"{m.label:<34} {rate} {p50:>9.1f} {p99:>9.1f} {rss:>8} {shown:>6}")


def print_targets(found: Sequence[dict[str, Any]]) -> None:
    for t in found:
        mark = "met" if t["met"] else "NOT met"
        print(f"  {t['name']}: {t['measured']} (target {t['target']}) — {mark}")


def write_json(path: Path, summary: dict[str, Any]) -> None:
    path.write_text(json.dumps(summary, indent=2, default=str) + "\n")
