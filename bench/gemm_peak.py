"""The GEMM peak of this machine for a dtype, measured in the same run as the model (child process).

Two ways to multiply: torch.matmul (fp32 goes to MKL), and oneDNN with a weight packed once (what
torch.compile's freezing does), which is faster on this AMD CPU. MFU is reported against torch.matmul's
peak (the usual definition), and against the packed one beside it. Each is the best of
a few runs per shape. `python -m bench.gemm_peak JSON`.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from functools import partial
from typing import Any

from bench.child_io import answer, arguments

# Square, and the shapes of Qwen3-0.6B's widest GEMMs at a 4096-token batch.
SHAPES = ((2048, 2048, 2048), (4096, 1024, 3072), (4096, 3072, 1024))
# A GPU needs bigger GEMMs to reach its peak: square, and the same layers at a 32768-token batch.
GPU_SHAPES = ((8192, 8192, 8192), (32768, 1024, 3072), (32768, 3072, 1024))


def _fastest(run: Callable[[], Any], repeats: int, budget: float) -> float:
    run()
    fastest, spent = float("inf"), 0.0
    for _ in range(repeats):
        started = time.perf_counter()
        run()
        elapsed = time.perf_counter() - started
        fastest, spent = min(fastest, elapsed), spent + elapsed
        if spent > budget:
            break
    return fastest


def peak_flops(
    dtype_name: str, repeats: int, seconds_per_shape: float, shapes: tuple[tuple[int, int, int], ...] = SHAPES
) -> dict[str, Any]:
    import torch

    dtype = {"fp32": torch.float32, "bf16": torch.bfloat16}[dtype_name]
    matmul: dict[str, float] = {}
    packed: dict[str, float] = {}
    with torch.inference_mode():
        for m, k, n in shapes:
            a, b = torch.randn(m, k, dtype=dtype), torch.randn(k, n, dtype=dtype)
            flops = 2 * m * k * n
            matmul[f"{m}x{k}x{n}"] = flops / _fastest(partial(torch.matmul, a, b), repeats, seconds_per_shape)
            weight = torch.ops.mkldnn._reorder_linear_weight(b.t().contiguous(), m)
            linear = partial(torch.ops.mkldnn._linear_pointwise, a, weight, None, "none", [], "")
            packed[f"{m}x{k}x{n}"] = flops / _fastest(linear, repeats, seconds_per_shape)
    return {
        "dtype": dtype_name, "threads": torch.get_num_threads(),
        "matmul_flops": matmul, "packed_linear_flops": packed,
        "matmul_peak": max(matmul.values()), "packed_linear_peak": max(packed.values()),
    }  # fmt: skip


def gpu_peak_flops(
    dtype_name: str, device: str, repeats: int = 20, shapes: tuple[tuple[int, int, int], ...] = GPU_SHAPES
) -> dict[str, Any]:
    """torch.matmul's best FLOP/s on a GPU (cuBLAS) per shape; each timed between two synchronisations."""
    import torch

    dtype = {"fp32": torch.float32, "bf16": torch.bfloat16, "fp16": torch.float16}[dtype_name]
    on_gpu = device.startswith("cuda")
    matmul: dict[str, float] = {}
    with torch.inference_mode():
        for m, k, n in shapes:
            a = torch.randn(m, k, dtype=dtype, device=device)
            b = torch.randn(k, n, dtype=dtype, device=device)

            def run(a: Any = a, b: Any = b) -> None:
                torch.matmul(a, b)
                if on_gpu:  # kernels return before they finish: time them to the end
                    torch.cuda.synchronize(device)

            matmul[f"{m}x{k}x{n}"] = 2 * m * k * n / _fastest(run, repeats, budget=2.0)
            del a, b
    name = torch.cuda.get_device_name(device) if on_gpu else device
    return {"dtype": dtype_name, "device": name, "matmul_flops": matmul, "matmul_peak": max(matmul.values())}


if __name__ == "__main__":
    args = arguments()
    answer(peak_flops(args["dtype"], args.get("repeats", 10), args.get("seconds_per_shape", 3.0)))
