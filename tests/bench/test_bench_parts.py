"""The bench's parts: a deterministic corpus, fair traffic, honest statistics, a plot, peaks that miss no spike."""

from __future__ import annotations

import asyncio
import json
import subprocess
import sys
import time
from pathlib import Path

import pytest

from bench.corpus import corpus_in_token_range, mixed_corpus
from bench.http_client import Connection, HttpError
from bench.plot import plot
from bench.processes import RssSampler
from bench.qwen3_shaped import flops_per_token
from bench.report import targets
from bench.stats import Measurement, percentile
from bench.traffic import split_into_requests


def test_the_corpus_is_deterministic_and_mixed() -> None:
    texts = mixed_corpus(300)
    assert texts == mixed_corpus(300) and texts != mixed_corpus(300, seed=7)
    words = sorted(len(t.split()) for t in texts)
    assert words[0] < 10 and words[-1] > 150  # short queries and long passages
    ranged = [len(t.split()) for t in corpus_in_token_range(200, 16, 160)]
    assert min(ranged) >= 16 and max(ranged) <= 160


def test_requests_hold_one_to_eight_texts_and_cover_the_corpus() -> None:
    texts = mixed_corpus(500)
    requests = split_into_requests(texts)
    assert [t for r in requests for t in r] == texts
    assert all(1 <= len(r) <= 8 for r in requests)


def test_percentiles_and_rates() -> None:
    assert percentile([1, 2, 3, 4], 50) == 2.5 and percentile([5], 99) == 5
    m = Measurement(mode="http", label="x", texts=10, tokens=700, seconds=2.0, latencies=[0.1, 0.3])
    data = m.to_json()
    assert data["texts_per_s"] == 5.0 and data["tokens_per_s"] == 350.0 and data["p50_ms"] == 200.0


def test_qwen3_flops_count_every_linear_twice() -> None:
    # 28 layers of 15.73M Linear weights: ~0.88 GFLOP per token before attention.
    assert 0.88e9 < flops_per_token(0) < 0.89e9 < flops_per_token(100)


def test_targets_and_plot_from_a_summary(tmp_path: Path) -> None:
    point = {"concurrency": 64, "texts_per_s": 95.0, "p50_ms": 900.0, "p99_ms": 2000.0}
    summary = {
        "baseline": {"texts_per_s": 91.0, "extra": {"batch_size": 32}, "p50_ms": 6.0},
        "http": {"fp32": {**point, "points": [point], "ratio_to_baseline": 1.04, "peak_rss_mib": 800.0,
                          "rss_growth": 0.01, "single": {"p50_ms": 7.5}, "single_latency_budget_ms": 9.0}},
        "qwen3": {"runs": [{"dtype": "fp32", "useful_mfu": 0.8}]},
    }  # fmt: skip
    met = {t["name"]: t["met"] for t in targets(summary)}
    assert all(met.values()) and len(met) == 5
    plot(summary, tmp_path / "bench.png")
    assert (tmp_path / "bench.png").read_bytes()[:4] == b"\x89PNG"


def test_the_default_path_targets_take_the_auto_server_against_encode_and_onnx(tmp_path: Path) -> None:
    point = {"concurrency": 64, "texts_per_s": 150.0, "p50_ms": 900.0, "p99_ms": 2000.0}
    summary = {
        "baseline": {"texts_per_s": 100.0, "extra": {"batch_size": 32}},
        "http": {"auto": {**point, "points": [point], "ratio_to_baseline": 1.5}},
        "onnx": {"texts_per_s": 90.0, "cosine": {"min": 0.9995}},
        "default_vs_onnx": {"ratio": 1.667, "server_cosine_to_fp32": {"min": 0.998}},
    }  # fmt: skip
    found = {t["name"]: (t["measured"], t["met"]) for t in targets(summary)}
    assert found == {
        "default server (http) ÷ raw encode fp32": (1.5, False),
        "default server (http) ÷ ONNX Runtime in-process": (1.667, True),
        "default server cosine to fp32 encode (min)": (0.998, False),
        "ONNX Runtime cosine to fp32 encode (min)": (0.9995, True),
    }
    plot(summary, tmp_path / "bench.png")
    assert (tmp_path / "bench.png").read_bytes()[:4] == b"\x89PNG"


def test_auto_is_the_server_with_no_engine_or_dtype_and_raw_encode_runs_fp32() -> None:
    from bench.http_bench import server_env
    from bench.options import BenchOptions, quick
    from bench.run import _engine_dtypes

    options = BenchOptions(out=Path("unused"), dtypes=("auto",))
    env = server_env("/models/m", "auto", options)
    assert "ENGINE" not in env and "DTYPES" not in env and env["MODEL_NAMES"] == "/models/m"
    assert server_env("/models/m", "bf16", options)["DTYPES"] == "bf16"
    assert _engine_dtypes(("auto",)) == ["fp32"] and _engine_dtypes(("auto", "bf16")) == ["fp32", "bf16"]
    assert _engine_dtypes(("fp32", "bf16")) == ["fp32", "bf16"]
    assert quick(options).dtypes == ("auto",) and quick(BenchOptions(out=Path("unused"))).dtypes == ("fp32",)


def test_the_load_client_speaks_http_1_1_keep_alive() -> None:
    async def scenario() -> None:
        seen: list[bytes] = []

        async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
            for status in (200, 429):
                head = await reader.readuntil(b"\r\n\r\n")
                length = int(head.lower().split(b"content-length: ")[1].split(b"\r\n")[0])
                seen.append(await reader.readexactly(length))
                body = json.dumps({"ok": status}).encode()
                writer.write(b"HTTP/1.1 %d X\r\ncontent-length: %d\r\n\r\n%s" % (status, len(body), body))
            writer.close()

        server = await asyncio.start_server(handle, "127.0.0.1", 0)
        port = server.sockets[0].getsockname()[1]
        connection = Connection("127.0.0.1", port)
        assert await connection.post_json("/v1/embeddings", {"input": ["a"]}) == {"ok": 200}
        try:
            await connection.post_json("/v1/embeddings", {"input": ["b"]})
        except HttpError as exc:
            assert exc.status == 429
        await connection.close()
        server.close()
        assert [json.loads(b)["input"] for b in seen] == [["a"], ["b"]]

    asyncio.run(scenario())


def test_a_round_peak_catches_a_spike_shorter_than_the_sampling_interval(tmp_path: Path) -> None:
    if not Path("/proc/self/clear_refs").exists():
        pytest.skip("no per-process peak RSS to reset on this OS")
    go, spiked = tmp_path / "go", tmp_path / "spiked"
    spike = (
        "import pathlib, time\n"
        f"while not pathlib.Path({str(go)!r}).exists(): time.sleep(0.01)\n"
        "block = bytearray(300 * 2**20); del block\n"  # 300 MiB touched and freed within milliseconds
        f"pathlib.Path({str(spiked)!r}).touch(); time.sleep(60)\n"
    )
    child = subprocess.Popen([sys.executable, "-c", spike])
    try:
        sampler = RssSampler(child.pid, interval=30)  # samples once, before the spike
        before = sampler.window_peak
        go.touch()
        while not spiked.exists():
            time.sleep(0.01)
        assert sampler.window_peak - before >= 250 * 2**20, "the kernel's high-water mark saw the spike"
        sampler.reset_window()
        assert sampler.window_peak < before + 100 * 2**20, "a new window starts from what is resident now"
        assert sampler.peak - before >= 250 * 2**20, "the whole run's peak keeps the spike"
        sampler.stop()
    finally:
        child.kill()
        child.wait()


def test_a_childs_peak_survives_its_exit() -> None:
    if not Path("/proc/self/clear_refs").exists():
        pytest.skip("no per-process peak RSS on this OS")
    spike = "import time; time.sleep(0.3); block = bytearray(300 * 2**20); del block; time.sleep(0.3)"
    child = subprocess.Popen([sys.executable, "-c", spike])
    sampler = RssSampler(child.pid, interval=0.05)
    child.wait()
    sampler.stop()
    assert sampler.peak >= 280 * 2**20, "read once the child is gone, as run_child reads it"


def test_the_bench_imports_nothing_from_the_tests() -> None:
    # The bench ships in the package and runs where tests/ does not exist (a GPU machine's image).
    bench = Path(__file__).resolve().parents[2] / "bench"
    offenders = [
        path.name
        for path in bench.glob("*.py")
        for line in path.read_text().splitlines()
        if line.strip().startswith(("from tests", "import tests"))
    ]
    assert not offenders


def test_the_gpu_gemm_peak_times_every_shape_and_keeps_the_best() -> None:
    from bench.gemm_peak import gpu_peak_flops

    # The GPU path's arithmetic on a CPU (without the synchronisation only a GPU has).
    peak = gpu_peak_flops("fp32", "cpu", repeats=2, shapes=((64, 32, 16), (128, 128, 128)))
    assert set(peak["matmul_flops"]) == {"64x32x16", "128x128x128"}
    assert peak["matmul_peak"] == max(peak["matmul_flops"].values()) > 0
