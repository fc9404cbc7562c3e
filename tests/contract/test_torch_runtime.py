"""`DTYPES=auto` for the engines we drive: bf16 where the CPU multiplies bf16 in hardware, else fp32."""

from __future__ import annotations

from pathlib import Path

import pytest

from adapters.engines import torch_runtime
from adapters.engines.torch_runtime import cpu_flags, cpu_multiplies_bf16, resolve_dtype
from tests.support.served import served_embedder

torch = pytest.importorskip("torch")

ZEN4 = "processor\t: 0\nflags\t\t: fpu sse2 avx2 avx512f avx512_bf16 avx512_vnni\n\nprocessor\t: 1\n"
SKYLAKE = "processor\t: 0\nflags\t\t: fpu sse2 avx2 avx512f avx512bw\n"


def test_cpu_flags_come_from_the_kernels_cpu_list(tmp_path: Path) -> None:
    cpuinfo = tmp_path / "cpuinfo"
    cpuinfo.write_text(ZEN4)
    assert {"avx512_bf16", "avx512f"} <= cpu_flags(cpuinfo)
    cpuinfo.write_text(SKYLAKE)
    assert "avx512_bf16" not in cpu_flags(cpuinfo)
    assert cpu_flags(tmp_path / "missing") == set(), "no /proc (macOS, Windows): no flags, so fp32"


@pytest.mark.parametrize(("cpuinfo", "expected"), [(ZEN4, "bfloat16"), (SKYLAKE, "float32")])
def test_auto_on_a_cpu_is_bf16_only_with_hardware_bf16(
    cpuinfo: str, expected: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "cpuinfo").write_text(cpuinfo)
    monkeypatch.setattr(torch_runtime, "CPUINFO", tmp_path / "cpuinfo")
    cpu_multiplies_bf16.cache_clear()
    try:
        assert resolve_dtype("auto", "cpu") == getattr(torch, expected)
    finally:
        cpu_multiplies_bf16.cache_clear()


def test_named_dtypes_are_taken_as_they_are(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(torch_runtime, "cpu_multiplies_bf16", lambda: True)
    assert resolve_dtype("float32", "cpu") == torch.float32
    assert resolve_dtype("bfloat16", "cpu") == torch.bfloat16
    with pytest.raises(ValueError, match="not supported"):
        resolve_dtype("fp8", "cpu")


@pytest.mark.parametrize("native", [True, False])
def test_the_engine_loads_the_bundled_model_in_the_auto_dtype(
    native: bool, bundled_model_path: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    import asyncio

    from adapters.engines import sentence_transformers
    from adapters.engines.base import ModelSpec

    monkeypatch.setattr(torch_runtime, "cpu_multiplies_bf16", lambda: native)
    with caplog.at_level("INFO", logger=torch_runtime.__name__):
        served = served_embedder(
            sentence_transformers.load(ModelSpec(id="m", path=str(bundled_model_path), device="cpu"))
        )
    expected = "bfloat16" if native else "float32"
    assert f"model m runs in {expected} on cpu (DTYPES: auto)" in caplog.text, "the operator sees what auto chose"
    try:
        vectors = asyncio.run(served.embed(["bf16 where the CPU has it"], truncate=True)).vectors
        parameter = next(served.engine._model.parameters())  # type: ignore[attr-defined]
        assert parameter.dtype == (torch.bfloat16 if native else torch.float32)
        assert abs(sum(x * x for x in vectors[0]) - 1) < 1e-5, "normalised in fp32 either way"
    finally:
        asyncio.run(served.close())


@pytest.mark.parametrize(("model_type", "expected"), [("qwen3", "float32"), ("bert", "float16"), (None, "float16")])
def test_auto_on_a_gpu_without_bf16_never_gives_qwen3_fp16(
    model_type: str | None, expected: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The decision the engines take on a T4: only the hardware probe is faked, no GPU is touched.
    monkeypatch.setattr(torch.cuda, "is_bf16_supported", lambda *args, **kwargs: False)
    assert resolve_dtype("auto", "cuda", model_type=model_type) == getattr(torch, expected)
    monkeypatch.setattr(torch.cuda, "is_bf16_supported", lambda *args, **kwargs: True)
    assert resolve_dtype("auto", "cuda", model_type=model_type) == torch.bfloat16


@pytest.mark.parametrize(("config", "expected"), [({"model_type": "qwen3"}, "float32"), ({}, "float16")])
def test_infinity_takes_our_auto_on_a_gpu(
    config: dict[str, str], expected: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import json

    from adapters.engines.base import ModelSpec
    from adapters.engines.infinity.args import engine_args

    (tmp_path / "config.json").write_text(json.dumps(config))
    monkeypatch.setattr(torch.cuda, "is_bf16_supported", lambda *args, **kwargs: False)
    monkeypatch.setattr(torch.cuda, "device_count", lambda: 1)  # EngineArgs places the model at construction
    args = engine_args(ModelSpec(id="m", path=str(tmp_path), dtype="auto"), tmp_path, "cuda")
    assert args.dtype.value == expected, "infinity's own auto would give fp16 here"
    on_cpu = engine_args(ModelSpec(id="m", path=str(tmp_path), dtype="auto"), tmp_path, "cpu")
    assert on_cpu.dtype.value == "auto", "on a CPU infinity keeps its own choice"
