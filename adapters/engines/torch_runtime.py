"""Device and dtype choices shared by the engines we drive with torch. torch is imported lazily."""

from __future__ import annotations

import functools
import logging
from pathlib import Path
from typing import Any

from adapters.engines.auto_dtype import auto_dtype

# CPU features that multiply bf16 in hardware; without them oneDNN emulates bf16, slower than fp32.
NATIVE_BF16_FLAGS = frozenset({"avx512_bf16", "amx_bf16"})
CPUINFO = Path("/proc/cpuinfo")

log = logging.getLogger(__name__)


def resolve_device(device: str) -> str:
    import torch

    if device == "auto":
        return "cuda" if torch.cuda.is_available() else "cpu"
    return device


def resolve_dtype(dtype: str, device: str, *, model_type: str | None = None) -> Any:
    """The torch dtype for a canonical dtype name.

    `auto` (adapters/engines/auto_dtype.py): bf16 on a GPU that has it (else fp16, or fp32 for a
    `model_type` that overflows fp16); on a CPU bf16 where it multiplies bf16 in hardware (AVX512-BF16
    or AMX: all-MiniLM-L6-v2 behind our server 1.7× the texts/s of fp32, cosine ≥ 0.9999 to it), else fp32.
    """
    import torch

    if dtype == "auto":
        dtype = auto_dtype_name(device, model_type=model_type)
    table = {"float32": torch.float32, "float16": torch.float16, "bfloat16": torch.bfloat16}
    if dtype not in table:
        raise ValueError(f"dtype {dtype!r} is not supported by this engine; use auto, fp32, fp16 or bf16")
    return table[dtype]


def auto_dtype_name(device: str, *, model_type: str | None) -> str:
    """`auto` for this machine's hardware: the canonical dtype name."""
    import torch

    gpu_has_bf16 = device.startswith("cuda") and torch.cuda.is_bf16_supported()
    cpu_has_bf16 = device == "cpu" and cpu_multiplies_bf16()
    return auto_dtype(device, model_type=model_type, gpu_has_bf16=gpu_has_bf16, cpu_has_bf16=cpu_has_bf16)


def log_precision(model_id: str, requested: str, dtype: Any, device: str) -> None:
    """One line at load: which precision `DTYPES` gave this model, `auto` above all."""
    log.info("model %s runs in %s on %s (DTYPES: %s)", model_id, str(dtype).removeprefix("torch."), device, requested)


@functools.cache
def cpu_multiplies_bf16() -> bool:
    """Whether this CPU has bf16 matmul instructions and torch can use them (oneDNN)."""
    import torch

    return torch.backends.mkldnn.is_available() and bool(NATIVE_BF16_FLAGS & cpu_flags(CPUINFO))


def cpu_flags(cpuinfo: Path) -> set[str]:
    """The feature flags the kernel lists for the first CPU (Linux); empty where there is no such file."""
    try:
        text = cpuinfo.read_text()
    except OSError:
        return set()
    for line in text.splitlines():
        if line.startswith("flags"):
            return set(line.partition(":")[2].split())
    return set()
