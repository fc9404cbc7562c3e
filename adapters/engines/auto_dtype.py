"""What `DTYPES=auto` means for one model on one device: a pure decision, checkable without the hardware.

- a GPU with bf16 (Ampere and later): bf16;
- a GPU without it (T4, V100): fp16, except for model types whose activations overflow fp16's range
  (Qwen3: fp16 gives NaN on some inputs, see docs: qwen3.md), which run in fp32 there;
- a CPU that multiplies bf16 in hardware: bf16; any other device: fp32.
"""

from __future__ import annotations

# config.json `model_type`s that must never run in fp16.
FP16_OVERFLOWS = frozenset({"qwen3"})


def auto_dtype(device: str, *, model_type: str | None, gpu_has_bf16: bool, cpu_has_bf16: bool) -> str:
    """The canonical dtype name (`bfloat16`, `float16` or `float32`) that `auto` stands for."""
    if device.startswith("cuda"):
        if gpu_has_bf16:
            return "bfloat16"
        return "float32" if model_type in FP16_OVERFLOWS else "float16"
    return "bfloat16" if device == "cpu" and cpu_has_bf16 else "float32"
