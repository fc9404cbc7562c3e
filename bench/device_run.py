"""`embedrank bench --device DEVICE`: the GPU path measured in one command that ends by its deadline.

1. A child process builds the models, measures the GEMM peak, checks parity on the device, times the
   reranker against the official recipe and each engine in process (bench/device_child.py).
2. This process then starts our server once per engine on the device and drives it over HTTP.
3. MFU, the targets and the engine the numbers favour go into bench-device.json, a plot into
   bench-device.png; the JSON is written after each phase, so even a run cut short leaves its numbers.
"""

from __future__ import annotations

import importlib.util
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from bench.budget import Budget
from bench.device_http import SERVER_START_S, http_engines
from bench.device_options import DeviceSuite
from bench.device_report import add_mfu, device_targets, favoured_engine, plot, print_points
from bench.processes import REPO
from bench.progress import say
from bench.report import conditions, print_targets, write_json

CHILD_GRACE_S = 20.0  # past its deadline the child is stopped; it saved every step it finished


def engines_here() -> list[str]:
    """Every embedding engine installed: ours always, infinity where infinity_emb is."""
    return ["sentence-transformers"] + (["infinity"] if importlib.util.find_spec("infinity_emb") else [])


def run_device_bench(suite: DeviceSuite) -> dict[str, Any]:
    from bench.qwen3_tokenizer import qwen_tokenizer
    from bench.workloads import workloads

    started = time.time()
    budget = Budget.of(suite.budget_s)
    suite.out.mkdir(parents=True, exist_ok=True)
    json_path, png_path = suite.out / "bench-device.json", suite.out / "bench-device.png"
    engines = engines_here()
    served = [e for e in engines if suite.http_engines is None or e in suite.http_engines]
    summary: dict[str, Any] = {"options": suite.to_json(), "engines": engines, "conditions_at_start": conditions()}
    loads = workloads(qwen_tokenizer(append_eos=True), suite.lengths, suite.mixed, suite.texts_per_workload,
                      seed=suite.seed)  # fmt: skip
    http_time = len(served) * (SERVER_START_S + len(loads) * suite.point_seconds)
    with tempfile.TemporaryDirectory(prefix="embedrank-device-") as scratch:
        (Path(scratch) / "workloads.json").write_text(json.dumps(loads))
        summary.update(_child(suite, scratch, engines, deadline=budget.deadline - http_time))
        _finish(summary, suite, loads, started, json_path)
        model = (summary.get("models") or {}).get("embedder")
        if model:
            summary["http"] = http_engines(served, suite, model, loads, budget)
    summary["skipped"] = [*summary.get("skipped", []), *budget.skipped]
    _finish(summary, suite, loads, started, json_path)
    print()
    print_points(summary)
    print()
    print_targets(summary["targets"])
    plot(summary, png_path)
    say(f"wrote {json_path} and {png_path} in {summary['minutes']} minutes")
    return summary


def _child(suite: DeviceSuite, scratch: str, engines: list[str], *, deadline: float) -> dict[str, Any]:
    results = Path(scratch) / "child.json"
    arguments = {
        "device": suite.device, "dtype": suite.dtype, "parity_dtypes": list(suite.parity_dtypes),
        "shape": suite.shape, "quick": suite.quick, "rows": suite.rows, "clients": suite.clients,
        "point_seconds": suite.point_seconds, "documents": suite.documents, "rerank_repeats": suite.rerank_repeats,
        "document_words": list(suite.document_words),
        "singles": suite.singles, "seed": suite.seed, "engines": engines, "scratch": scratch,
        "workloads": str(Path(scratch) / "workloads.json"), "results": str(results), "deadline": deadline,
    }  # fmt: skip
    process = subprocess.Popen([sys.executable, "-m", "bench.device_child", json.dumps(arguments)], cwd=REPO)
    try:
        process.wait(timeout=max(1.0, deadline - time.time() + CHILD_GRACE_S))
    except subprocess.TimeoutExpired:
        say("device: the child ran past its deadline and was stopped; its finished steps are kept")
        process.kill()
        process.wait()
    found: dict[str, Any] = json.loads(results.read_text()) if results.exists() else {}
    if process.returncode != 0:
        found.setdefault("errors", {})["child"] = f"exit code {process.returncode}"
    return found


def _finish(summary: dict[str, Any], suite: DeviceSuite, loads: dict[str, Any], started: float, path: Path) -> None:
    add_mfu(summary, suite.shape, {name: load["lengths"] for name, load in loads.items()})
    summary["targets"] = device_targets(summary)
    summary["favoured_engine"] = favoured_engine(summary)
    summary["minutes"] = round((time.time() - started) / 60, 2)
    write_json(path, summary)
