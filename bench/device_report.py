"""The device run's summary: MFU per point, the targets, which engine the numbers favour, a table, a plot."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from bench.qwen3_shaped import flops_per_token
from bench.report import target
from bench.workloads import token_weighted_length

PATHS = ("http", "in_process")
HEADLINE = "512"  # the workload the targets and the engine choice look at
HTTP_TOKENS_PER_S_TARGET = 300_000
RERANK_SPEEDUP_TARGET = 2.0
RERANK_P50_MS_TARGET = 10.0


def points(summary: dict[str, Any]) -> list[tuple[str, str, str, dict[str, Any]]]:
    """(path, engine, workload, numbers) for every throughput point measured."""
    found = []
    for path in PATHS:
        for engine, workloads in (summary.get(path) or {}).items():
            for name, numbers in workloads.items():
                if isinstance(numbers, dict) and "tokens_per_s" in numbers and name != "single":
                    found.append((path, engine, name, numbers))
    return found


def add_mfu(summary: dict[str, Any], shape: dict[str, int], lengths: dict[str, list[int]]) -> None:
    """Useful MFU of each point: real tokens' FLOPs per second over the GEMM peak measured in the run."""
    peak = (summary.get("gemm_peak") or {}).get("matmul_peak")
    for _, _, name, numbers in points(summary):
        achieved = numbers["tokens_per_s"] * flops_per_token(token_weighted_length(lengths[name]), shape)
        numbers["achieved_tflops"] = round(achieved / 1e12, 3)
        if peak:
            numbers["useful_mfu"] = round(achieved / peak, 4)


def favoured_engine(summary: dict[str, Any]) -> str | None:
    """The engine with the most tokens/s over HTTP at 512 tokens, or the longest fixed length measured."""
    http = summary.get("http") or {}
    fixed = {name for workloads in http.values() for name in workloads if name.isdigit()}
    headline = HEADLINE if HEADLINE in fixed else max(fixed, key=int, default=None)
    rates = {engine: w[headline]["tokens_per_s"] for engine, w in http.items() if headline in w}
    return max(rates, key=lambda engine: rates[engine]) if rates else None


def device_targets(summary: dict[str, Any]) -> list[dict[str, Any]]:
    found = []
    for row in summary.get("parity") or []:
        name = f"parity {row['engine']} {row['model']} {row['dtype']} ({row['measure']})"
        found.append(target(name, "within tolerance", row["value"], row["met"]))
    for engine, workloads in (summary.get("http") or {}).items():
        if HEADLINE in workloads:
            rate = workloads[HEADLINE]["tokens_per_s"]
            name = f"{engine} over HTTP, tokens/s at {HEADLINE} tokens"
            found.append(target(name, f">= {HTTP_TOKENS_PER_S_TARGET:,}", rate, rate >= HTTP_TOKENS_PER_S_TARGET))
    rerank = summary.get("rerank")
    if rerank:
        speedup = rerank["speedup"]
        found.append(target("reranker pairs/s ÷ official recipe", f">= {RERANK_SPEEDUP_TARGET}", speedup,
                            speedup >= RERANK_SPEEDUP_TARGET))  # fmt: skip
        p50 = rerank["ours"]["one_document_p50_ms"]
        found.append(target("reranker 1-query p50 (ms)", f"< {RERANK_P50_MS_TARGET}", p50, p50 < RERANK_P50_MS_TARGET))
    return found


def print_points(summary: dict[str, Any]) -> None:
    header = f"{'path':<11} {'engine':<22} {'workload':>8} {'tokens/s':>12} {'p50 ms':>9} {'MFU':>6}"
    print(header)
    print("-" * len(header))
    for path, engine, name, n in points(summary):
        mfu = f"{n['useful_mfu']:.0%}" if "useful_mfu" in n else "-"
        print(f"{path:<11} {engine:<22} {name:>8} {n['tokens_per_s']:>12,.0f} {n['p50_ms'] or 0:>9.1f} {mfu:>6}")


def plot(summary: dict[str, Any], path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, (rates, mfus, rerank) = plt.subplots(1, 3, figsize=(15, 4), dpi=80)
    measured = points(summary)
    names = list(dict.fromkeys(name for _, _, name, _ in measured))
    series = list(dict.fromkeys((p, e) for p, e, _, _ in measured))
    width = 0.8 / max(1, len(series))
    for s, (p, engine) in enumerate(series):
        numbers = {name: n for pp, ee, name, n in measured if (pp, ee) == (p, engine)}
        xs = [i + s * width for i, name in enumerate(names) if name in numbers]
        label = f"{engine} ({p.replace('_', '-')})"
        rates.bar(xs, [numbers[n]["tokens_per_s"] for n in names if n in numbers], width, label=label)
        mfus.bar(xs, [100 * numbers[n].get("useful_mfu", 0) for n in names if n in numbers], width, label=label)
    panels = ((rates, "Qwen3-Embedding throughput", "tokens/s"), (mfus, "useful MFU", "% of GEMM peak"))
    for axis, title, unit in panels:
        axis.set_xticks([i + 0.4 - width / 2 for i in range(len(names))], names)
        axis.set(title=title, ylabel=unit, xlabel="tokens per input")
        if series:
            axis.legend(fontsize=7)
    if HEADLINE in names:
        rates.axhline(HTTP_TOKENS_PER_S_TARGET, color="k", linestyle="--", linewidth=1)
    data = summary.get("rerank")
    if data:
        bars = rerank.bar(["ours", "official recipe"], [data["ours"]["pairs_per_s"], data["recipe"]["pairs_per_s"]],
                          color=["tab:green", "tab:gray"])  # fmt: skip
        p50s = [data["ours"]["one_document_p50_ms"], data["recipe"]["one_document_p50_ms"]]
        rerank.bar_label(bars, [f"1-query p50 {p:.1f} ms" for p in p50s], fontsize=7)
        rerank.set(title=f"Qwen3-Reranker, 1 query × {data['documents']} documents", ylabel="pairs/s")
    device = (summary.get("device") or {}).get("name", "?")
    fig.suptitle(f"embedrank on {device}", fontsize=9)
    fig.tight_layout()
    fig.savefig(path)
    plt.close(fig)
