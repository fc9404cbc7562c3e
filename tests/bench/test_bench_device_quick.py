"""`embedrank bench --device cpu --quick`: the GPU run's every step, end to end on tiny models, so it cannot rot.

Parity of every engine against the CPU fp32 references, exact-length workloads in process and over
HTTP (usage counts exactly the tokens sent), MFU against the GEMM peak of the same run, the reranker
against the official recipe, then JSON and a PNG. Speed itself is never asserted here.
"""

from __future__ import annotations

import json
from pathlib import Path

from entrypoints.cli import main


def test_the_device_bench_runs_every_step_on_a_cpu(tmp_path: Path) -> None:
    assert main(["bench", "--device", "cpu", "--quick", "--out", str(tmp_path)]) == 0
    summary = json.loads((tmp_path / "bench-device.json").read_text())
    assert not summary["errors"] and not summary["skipped"], (summary["errors"], summary["skipped"])

    parity = summary["parity"]
    assert all(row["met"] for row in parity), parity
    assert {row["engine"] for row in parity} == {*summary["engines"], "qwen3-reranker"}
    assert {row["model"] for row in parity} >= {"all-MiniLM-L6-v2", "Qwen3-Embedding-tiny"}

    assert summary["gemm_peak"]["matmul_peak"] > 0
    workloads = set(summary["in_process"]["sentence-transformers"])
    assert workloads == {"32", "128", "mixed"}
    for path in ("in_process", "http"):
        for engine, points in summary[path].items():
            for name in workloads:
                point = points[name]
                assert point["texts"] > 0 and point["useful_mfu"] > 0, (path, engine, name)
                if name != "mixed":
                    assert point["tokens"] == int(name) * point["texts"], "usage counts exactly the tokens sent"
    server = summary["http"]["sentence-transformers"]
    assert not any(server[name]["errors"] for name in [*workloads, "single"]) and server["peak_rss_mib"] > 0
    assert summary["favoured_engine"] == "sentence-transformers"

    rerank = summary["rerank"]
    assert rerank["max_score_difference"] < 1e-4, "fp32 on a CPU: ours equals the recipe"
    assert rerank["ours"]["pairs_per_s"] > 0 and rerank["recipe"]["pairs_per_s"] > 0
    assert rerank["ours"]["one_document_p50_ms"] > 0
    names = {t["name"] for t in summary["targets"]}
    assert {"reranker pairs/s ÷ official recipe", "reranker 1-query p50 (ms)"} <= names
    assert (tmp_path / "bench-device.png").read_bytes()[:4] == b"\x89PNG"
