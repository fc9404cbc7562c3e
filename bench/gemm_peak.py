"""The GEMM peak of this machine for a dtype: the best of a few large torch.matmul runs (child process).

Model FLOP utilisation is reported against this number, measured in the same run as the model, so a
busy or throttled machine lowers both. `python -m bench.gemm_peak JSON`.
"""

from __future__ import annotations

import time
from typing import Any

from bench.child_io import answer, arguments

# Square, and the shapes of Qwen3-0.6B's widest GEMMs at a 4096-token batch.
SHAPES = ((2048, 2048, 2048), (4096, 1024, 3072), (4096, 3072, 1024))


def peak_flops(dtype_name: str, repeats: int, seconds_per_shape: float) -> dict[str, Any]:
    import torch

    dtype = {"fp32": torch.float32, "bf16": torch.bfloat16}[dtype_name]
    best: dict[str, float] = {}
    for m, k, n in SHAPES:
        a, b = torch.randn(m, k, dtype=dtype), torch.randn(k, n, dtype=dtype)
        torch.matmul(a, b)
        fastest, spent = float("inf"), 0.0
        for _ in range(repeats):
            started = time.perf_counter()
            torch.matmul(a, b)
            elapsed = time.perf_counter() - started
            fastest, spent = min(fastest, elapsed), spent + elapsed
            if spent > seconds_per_shape:
                break
        best[f"{m}x{k}x{n}"] = 2 * m * k * n / fastest
    threads = torch.get_num_threads()
    return {"dtype": dtype_name, "per_shape_flops": best, "peak_flops": max(best.values()), "threads": threads}


if __name__ == "__main__":
    args = arguments()
    answer(peak_flops(args["dtype"], args.get("repeats", 10), args.get("seconds_per_shape", 3.0)))
