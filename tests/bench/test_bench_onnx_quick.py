"""`embedrank bench --quick --modes http,onnx --dtypes auto`: ONNX Runtime against the default server path."""

from __future__ import annotations

import json
from pathlib import Path

from entrypoints.cli import main


def test_bench_onnx_quick_reports_cosine_and_ratio(tmp_path: Path) -> None:
    flags = ["--quick", "--modes", "http,onnx", "--dtypes", "auto", "--texts", "24", "--out", str(tmp_path)]
    assert main(["bench", *flags]) == 0
    summary = json.loads((tmp_path / "bench.json").read_text())
    server, onnx = summary["http"]["auto"], summary["onnx"]
    assert not server["extra"]["errors"] and onnx["texts"] == server["texts"] == 24
    assert onnx["texts_per_s"] > 0 and onnx["tokens"] == server["tokens"]
    # Every probe text (the whole tiny corpus) within 0.999 of sentence-transformers' fp32 encode.
    assert onnx["cosine"]["count"] == 24 and 0.999 <= onnx["cosine"]["min"] <= 1.000001
    versus = summary["default_vs_onnx"]
    assert versus["ratio"] == round(server["texts_per_s"] / onnx["texts_per_s"], 3) > 0
    assert versus["server_cosine_to_fp32"]["count"] == 24
    measured = {t["name"]: t["measured"] for t in summary["targets"]}
    assert measured["default server (http) ÷ ONNX Runtime in-process"] == versus["ratio"]
    assert measured["ONNX Runtime cosine to fp32 encode (min)"] == onnx["cosine"]["min"]
    assert list((tmp_path / "onnx-cache").glob("*/model.onnx"))
