"""`DTYPES=auto` on every kind of device, decided without the hardware: never fp16 for Qwen3."""

from __future__ import annotations

import pytest

from adapters.engines.auto_dtype import auto_dtype


@pytest.mark.parametrize(
    ("device", "model_type", "gpu_bf16", "cpu_bf16", "expected"),
    [
        ("cuda", "qwen3", True, False, "bfloat16"),  # A100, H100
        ("cuda", "qwen3", False, False, "float32"),  # T4, V100: fp16 overflows Qwen3 to NaN
        ("cuda:1", "qwen3", False, True, "float32"),
        ("cuda", "bert", False, False, "float16"),  # other models keep fp16's speed there
        ("cuda", None, False, False, "float16"),
        ("cuda", "bert", True, False, "bfloat16"),
        ("cpu", "qwen3", False, True, "bfloat16"),
        ("cpu", "qwen3", True, False, "float32"),  # a GPU's bf16 says nothing about the CPU
        ("mps", "bert", True, True, "float32"),
    ],
)
def test_auto_dtype(device: str, model_type: str | None, gpu_bf16: bool, cpu_bf16: bool, expected: str) -> None:
    chosen = auto_dtype(device, model_type=model_type, gpu_has_bf16=gpu_bf16, cpu_has_bf16=cpu_bf16)
    assert chosen == expected


def test_no_hardware_makes_auto_pick_fp16_for_qwen3() -> None:
    for device in ("cuda", "cpu", "mps"):
        for gpu in (True, False):
            for cpu in (True, False):
                assert auto_dtype(device, model_type="qwen3", gpu_has_bf16=gpu, cpu_has_bf16=cpu) != "float16"
