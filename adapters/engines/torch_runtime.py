"""Device and dtype choices shared by the engines we drive with torch. torch is imported lazily."""

from __future__ import annotations

from typing import Any


def resolve_device(device: str) -> str:
    import torch

    if device == "auto":
        return "cuda" if torch.cuda.is_available() else "cpu"
    return device


def resolve_dtype(dtype: str, device: str) -> Any:
    """The torch dtype for a canonical dtype name. `auto`: bf16 on GPU, fp32 on CPU."""
    import torch

    if dtype == "auto":
        if device.startswith("cuda"):
            return torch.bfloat16 if torch.cuda.is_bf16_supported() else torch.float16
        return torch.float32
    table = {"float32": torch.float32, "float16": torch.float16, "bfloat16": torch.bfloat16}
    if dtype not in table:
        raise ValueError(f"dtype {dtype!r} is not supported by this engine; use auto, fp32, fp16 or bf16")
    return table[dtype]
