"""Prepacked Linear layers compute what torch.nn.functional.linear computes."""

from __future__ import annotations

import pytest

from adapters.cpu.onednn_linear import _packed, pack_in_place, prepacked_linear

torch = pytest.importorskip("torch")


@pytest.mark.parametrize("rows", [0, 1, 37, 1030])
def test_prepacked_fp32_equals_the_plain_linear(rows: int) -> None:
    torch.manual_seed(rows)
    weight, bias, x = torch.randn(96, 64), torch.randn(96), torch.randn(rows, 64)
    with torch.inference_mode():
        ours = prepacked_linear(weight, bias, rows_hint=1024)(x)
        torch.testing.assert_close(ours, torch.nn.functional.linear(x, weight, bias), rtol=1e-5, atol=1e-5)
    assert ours.shape == (rows, 96)


def test_prepacked_bf16_stays_within_bf16_rounding_of_fp32() -> None:
    torch.manual_seed(0)
    weight, bias, x = torch.randn(96, 64), torch.randn(96), torch.randn(50, 64)
    with torch.inference_mode():
        ours = prepacked_linear(weight.bfloat16(), bias.bfloat16(), rows_hint=1024)(x.bfloat16())
        reference = torch.nn.functional.linear(x.bfloat16().float(), weight.bfloat16().float(), bias.bfloat16().float())
    assert ours.dtype == torch.bfloat16
    cosine = torch.nn.functional.cosine_similarity(ours.float(), reference, dim=1)
    assert cosine.min() > 0.9999


def test_other_dtypes_and_builds_without_onednn_get_the_plain_linear(monkeypatch: pytest.MonkeyPatch) -> None:
    torch.manual_seed(1)
    weight, bias, x = torch.randn(8, 4).double(), torch.randn(8).double(), torch.randn(3, 4).double()
    with torch.inference_mode():
        assert torch.equal(prepacked_linear(weight, bias, 16)(x), torch.nn.functional.linear(x, weight, bias))
        monkeypatch.setattr(torch.backends.mkldnn, "is_available", lambda: False)
        weight, bias, x = weight.float(), bias.float(), x.float()
        assert torch.equal(prepacked_linear(weight, bias, 16)(x), torch.nn.functional.linear(x, weight, bias))


@pytest.mark.parametrize("rows", [0, 5, 300])
def test_fused_gelu_is_the_exact_gelu_of_the_linear(rows: int) -> None:
    torch.manual_seed(rows)
    weight, bias, x = torch.randn(96, 64) / 8, torch.randn(96), torch.randn(rows, 64)
    with torch.inference_mode():
        ours = prepacked_linear(weight, bias, rows_hint=256)(x, gelu=True)
        reference = torch.nn.functional.gelu(torch.nn.functional.linear(x, weight, bias))
        tanh_form = torch.nn.functional.gelu(torch.nn.functional.linear(x, weight, bias), approximate="tanh")
        torch.testing.assert_close(ours, reference, rtol=1e-5, atol=1e-5)
    if rows:  # the erf form, not the tanh approximation (they differ by up to ~5e-4 here)
        assert (ours - tanh_form).abs().max() > 1e-4


def test_fused_gelu_in_bf16_and_without_onednn(monkeypatch: pytest.MonkeyPatch) -> None:
    torch.manual_seed(2)
    weight, bias, x = torch.randn(96, 64) / 8, torch.randn(96), torch.randn(50, 64)
    with torch.inference_mode():
        reference = torch.nn.functional.gelu(torch.nn.functional.linear(x, weight, bias))
        ours = prepacked_linear(weight.bfloat16(), bias.bfloat16(), 64)(x.bfloat16(), gelu=True)
        assert ours.dtype == torch.bfloat16
        assert torch.nn.functional.cosine_similarity(ours.float(), reference, dim=1).min() > 0.9999
        monkeypatch.setattr(torch.backends.mkldnn, "is_available", lambda: False)
        torch.testing.assert_close(prepacked_linear(weight, bias, 64)(x, gelu=True), reference, rtol=0, atol=0)


@pytest.mark.parametrize("dtype", ["float32", "bfloat16"])
def test_packing_in_place_keeps_one_copy_and_the_module_computes_the_same(dtype: str) -> None:
    torch.manual_seed(3)
    linear = torch.nn.Linear(64, 96).to(getattr(torch, dtype))
    x = torch.randn(2, 7, 64).to(linear.weight.dtype)  # leading dimensions, as a transformer's layers pass
    with torch.inference_mode():
        expected = linear(x)
        # oneDNN packs bf16 only on CPUs that multiply it in hardware; elsewhere the module stays as it is.
        packable = _packed(linear.weight, 16) is not None
        run = pack_in_place(linear, rows_hint=16)
        kept = "weight" in dict(linear.named_parameters())
        assert kept is not packable, "packed: the module's own weight is dropped; else it is kept"
        torch.testing.assert_close(linear(x), expected, rtol=1e-2 if dtype == "bfloat16" else 1e-5, atol=1e-5)
        torch.testing.assert_close(run(x.reshape(14, 64)), linear(x).reshape(14, 96), rtol=0, atol=0)
        if packable:
            assert pack_in_place(linear, rows_hint=16) is run, "packing twice gives the first packing back"


def test_packing_in_place_leaves_what_onednn_cannot_take() -> None:
    import warnings

    linear = torch.nn.Linear(4, 8).double()
    x = torch.randn(3, 4).double()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # torch's quantized modules are deprecated in favour of torchao
        holder = torch.ao.quantization.quantize_dynamic(torch.nn.Sequential(torch.nn.Linear(4, 8)), {torch.nn.Linear})
    quantized = holder[0]
    with torch.inference_mode():
        run = pack_in_place(linear, rows_hint=16)
        assert "weight" in dict(linear.named_parameters())
        assert torch.equal(run(x), linear(x))
        run = pack_in_place(quantized, rows_hint=16)  # int8: its weight is a method, not a tensor
        assert torch.equal(run(x.float()), quantized(x.float()))
