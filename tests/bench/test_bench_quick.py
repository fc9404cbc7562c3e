"""`embedrank bench --quick` runs end to end: the baseline, our server over HTTP, then JSON and a PNG."""

from __future__ import annotations

import json
from pathlib import Path

from entrypoints.cli import main


def test_bench_quick_writes_json_and_png(tmp_path: Path) -> None:
    assert main(["bench", "--quick", "--modes", "engine,http", "--out", str(tmp_path)]) == 0
    summary = json.loads((tmp_path / "bench.json").read_text())
    assert summary["baseline"]["texts_per_s"] > 0
    fp32 = summary["http"]["fp32"]
    assert fp32["texts"] == summary["baseline"]["texts"] and not fp32["extra"]["errors"]
    assert fp32["ratio_to_baseline"] > 0 and fp32["peak_rss_mib"] > 0
    assert {t["name"] for t in summary["targets"]} >= {"http texts/s ÷ raw encode (fp32)", "server peak RSS (MiB)"}
    assert (tmp_path / "bench.png").read_bytes()[:4] == b"\x89PNG"
