"""Model FLOP utilisation of a Qwen3-0.6B-shaped model behind our server, under mixed-length traffic.

Useful MFU counts real tokens only (padding is waste): FLOPs of the real tokens / time / the GEMM peak
measured with torch.matmul in the same run, per dtype (the issue's definition); the MFU against oneDNN's
packed-weight GEMM, faster still on this CPU, is reported beside it.
"""

from __future__ import annotations

import asyncio
import tempfile
from typing import Any

from bench.corpus import corpus_in_token_range
from bench.http_bench import server_env
from bench.load import drive
from bench.options import BenchOptions
from bench.processes import mib, run_child, serve
from bench.progress import say
from bench.qwen3_shaped import flops_per_token
from bench.traffic import split_into_requests

# The MiniLM tokenizer gives ~1.17 tokens per corpus word plus [CLS]/[SEP]: 16-160 words ≈ 20-200 tokens.
TOKENS_PER_WORD = 1.17
SPECIAL_TOKENS = 2


def bench_qwen3(options: BenchOptions, tokenizer_dir: str) -> dict[str, Any]:
    low, high = (max(1, round((n - SPECIAL_TOKENS) / TOKENS_PER_WORD)) for n in options.qwen3_tokens)
    texts = corpus_in_token_range(options.qwen3_texts, low, high, seed=options.seed)
    requests = split_into_requests(texts)
    results: dict[str, Any] = {"texts": len(texts), "token_range": list(options.qwen3_tokens), "runs": []}
    with tempfile.TemporaryDirectory(prefix="qwen3-shaped-") as scratch:
        say("qwen3: building a Qwen3-0.6B-shaped model with random weights")
        built = run_child("bench.qwen3_shaped", {"directory": f"{scratch}/model", "tokenizer": tokenizer_dir})
        results["parameters"] = built["parameters"]
        for dtype in options.dtypes:
            say(f"qwen3: GEMM peak ({dtype})")
            peak = run_child("bench.gemm_peak", {"dtype": dtype})
            log = options.out / f"server-qwen3-{dtype}.log"
            with serve(server_env(built["path"], dtype, options), log) as (host, port, rss):
                asyncio.run(drive(host, port, built["path"], [texts[:2]], concurrency=1, label="warm-up"))
                load = asyncio.run(
                    drive(host, port, built["path"], requests, concurrency=options.clients, label=f"qwen3 {dtype}")
                )
                peak_rss = mib(rss.peak)
            mean_length = load.tokens / max(load.texts, 1)
            achieved = load.tokens * flops_per_token(mean_length) / load.seconds
            results["runs"].append({
                "dtype": dtype, "texts": load.texts, "tokens": load.tokens, "seconds": round(load.seconds, 2),
                "tokens_per_s": round(load.tokens / load.seconds, 1), "achieved_gflops": round(achieved / 1e9, 1),
                "matmul_peak_gflops": round(peak["matmul_peak"] / 1e9, 1),
                "packed_linear_peak_gflops": round(peak["packed_linear_peak"] / 1e9, 1),
                "useful_mfu": round(achieved / peak["matmul_peak"], 3),
                "useful_mfu_vs_packed_linear": round(achieved / peak["packed_linear_peak"], 3),
                "peak_rss_mib": peak_rss,
                "mean_tokens_per_text": round(mean_length, 1), "errors": load.errors,
            })  # fmt: skip
            say(f"  qwen3 {dtype}: useful MFU {achieved / peak['matmul_peak']:.0%} of {peak['matmul_peak'] / 1e9:.0f}")
    return results
