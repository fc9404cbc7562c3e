"""The run as one small PNG: throughput and latency against concurrency, and Qwen3 MFU when measured."""

from __future__ import annotations

from pathlib import Path
from typing import Any

COLOURS = {"fp32": "tab:blue", "bf16": "tab:orange", "auto": "tab:red"}


def plot(summary: dict[str, Any], path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    qwen3 = summary.get("qwen3", {}).get("runs", [])
    fig, axes = plt.subplots(1, 3 if qwen3 else 2, figsize=(13 if qwen3 else 9, 3.6), dpi=80)
    throughput, latency = axes[0], axes[1]
    for dtype, run in summary.get("http", {}).items():
        points = sorted(run["points"], key=lambda p: p["concurrency"])
        xs = [p["concurrency"] for p in points]
        colour = COLOURS.get(dtype)
        throughput.plot(xs, [p["texts_per_s"] for p in points], "o-", color=colour, label=f"embedrank http {dtype}")
        latency.plot(xs, [p["p50_ms"] for p in points], "o-", color=colour, label=f"p50 {dtype}")
        latency.plot(xs, [p["p99_ms"] for p in points], "s--", color=colour, label=f"p99 {dtype}")
    for name, style in (("baseline", "--"), ("engine_bf16", ":")):
        if name in summary:
            throughput.axhline(summary[name]["texts_per_s"], linestyle=style, color="k", label=_label(name, summary))
    if "infinity" in summary:
        inf = summary["infinity"]
        throughput.plot([inf["concurrency"]], [inf["texts_per_s"]], "D", color="tab:green", label="infinity engine")
    if "onnx" in summary:
        rate = summary["onnx"]["texts_per_s"]
        throughput.axhline(rate, linestyle="-.", color="tab:green", label="ONNX Runtime in-process")
    throughput.set(xscale="log", xlabel="concurrent clients", ylabel="texts/s", title="Throughput")
    latency.set(xscale="log", yscale="log", xlabel="concurrent clients", ylabel="ms", title="Request latency")
    for axis in (throughput, latency):
        if axis.get_legend_handles_labels()[0]:
            axis.legend(fontsize=7)
    if qwen3:
        _mfu_bars(axes[2], qwen3)
    fig.tight_layout()
    fig.savefig(path)
    plt.close(fig)


def _mfu_bars(bars: Any, runs: list[dict[str, Any]]) -> None:
    """MFU per dtype against both measured peaks: the packed-weight matmul beats `torch.matmul`'s on a CPU."""
    x = range(len(runs))
    matmul = [100 * r["useful_mfu"] for r in runs]
    packed = [100 * r.get("useful_mfu_vs_packed_linear", 0.0) for r in runs]
    bars.bar([i - 0.2 for i in x], matmul, width=0.4, color="tab:purple", label="of torch.matmul peak")
    bars.bar([i + 0.2 for i in x], packed, width=0.4, color="tab:pink", label="of packed-weight peak")
    bars.set_xticks(list(x), [r["dtype"] for r in runs])
    bars.axhline(75, color="k", linestyle="--", linewidth=1)
    top = max(100.0, *matmul, *packed) + 10
    bars.set(ylabel="% of GEMM peak", title="Qwen3-0.6B-shaped useful MFU", ylim=(0, top))
    bars.legend(fontsize=7, loc="lower right")


def _label(name: str, summary: dict[str, Any]) -> str:
    batch = summary[name].get("extra", {}).get("batch_size")
    precision = "bf16" if name == "engine_bf16" else "fp32"
    return f"raw encode {precision} (batch {batch})"
