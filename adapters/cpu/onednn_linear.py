"""Linear layers on a CPU with their weights laid out for oneDNN once, at load, instead of on every call.

PyTorch's CPU Linear passes the weight as the model stores it; oneDNN (bf16) then rearranges it into its
blocked layout inside every call, and MKL (fp32) packs it likewise. Reordered once, all-MiniLM-L6-v2's
packed forward on one core, 800 mixed texts, went 9.19 → 8.49 s in bf16 and 15.59 → 14.41 s in fp32;
the Qwen3-0.6B shape, 48 rows of 20–200 tokens, 160 → 174 useful GFLOP/s in bf16, 84 → 95 in fp32.

`pack_in_place` keeps only the packed copy: the module's own weight is dropped and its forward runs on
the packed one, so a model's memory does not grow by its Linear weights (Qwen3-0.6B in bf16: 0.9 GB).

`gelu=True` applies exact (erf) GELU inside the matmul, to each output while it is still in registers:
fp32 all-MiniLM-L6-v2, one core, 800 texts 15.0 → 14.2 s (bf16 the same speed, and one rounding fewer).
It also makes no GELU primitive: oneDNN builds and caches one for every new shape of a standalone GELU,
and behind the server (every batch a new shape) that cache churned mid-batch and fp32 round peaks grew
885 → 1006 MiB over five rounds (docs/benchmarks.md, Memory).
"""

from __future__ import annotations

from typing import Any, Protocol

# oneDNN's post-ops as (name, algorithm): "gelu" with algorithm "none" is the erf form ("tanh" would approximate).
NO_POST_OP = ("none", "")
EXACT_GELU = ("gelu", "none")


class Linear(Protocol):
    """`x ↦ x @ weight.T + bias`, then exact GELU when asked, for x of [rows, in_features]."""

    def __call__(self, x: Any, *, gelu: bool = False) -> Any: ...


def prepacked_linear(weight: Any, bias: Any, rows_hint: int) -> Linear:
    """A packed copy of `weight` for x of about `rows_hint` rows; the plain Linear where oneDNN can't."""
    packed = _packed(weight, rows_hint)
    return _plain(weight, bias) if packed is None else _on_packed(packed, bias, weight.shape[0])


def pack_in_place(linear: Any, rows_hint: int) -> Linear:
    """Pack a torch Linear's weight and make the module run on it, its own weight dropped.

    The module still computes what it did (its forward takes any leading dimensions, as before). Where
    oneDNN can't, or the module is not a plain Linear (int8's quantized ones), it is left as it is.
    Packing a module twice gives the first packing back.
    """
    if hasattr(linear, "packed"):
        return linear.packed  # type: ignore[no-any-return]
    if not _plain_torch_linear(linear):
        return _through(linear)
    packed = _packed(linear.weight, rows_hint)
    if packed is None:
        return _through(linear)
    run = _on_packed(packed, linear.bias, linear.out_features)
    del linear.weight  # the packed copy is the only one now

    def forward(x: Any) -> Any:
        return run(x.reshape(-1, x.shape[-1])).view(*x.shape[:-1], linear.out_features)

    linear.forward = forward
    linear.packed = run
    return run


def _plain_torch_linear(module: Any) -> bool:
    import torch

    return type(module) is torch.nn.Linear


def _packed(weight: Any, rows_hint: int) -> Any:
    """`weight` in oneDNN's layout for its matmul, or None where this build or tensor can't have one."""
    import torch

    if weight.device.type != "cpu" or weight.dtype not in (torch.float32, torch.bfloat16):
        return None
    if not torch.backends.mkldnn.is_available():
        return None
    try:
        return torch.ops.mkldnn._reorder_linear_weight(weight.detach(), rows_hint)
    except (AttributeError, RuntimeError):  # a build without these operators
        return None


def _on_packed(packed: Any, bias: Any, out_features: int) -> Linear:
    import torch

    linear_pointwise = torch.ops.mkldnn._linear_pointwise

    def run(x: Any, *, gelu: bool = False) -> Any:
        if x.shape[0] == 0:
            return x.new_empty((0, out_features))
        post_op, algorithm = EXACT_GELU if gelu else NO_POST_OP
        return linear_pointwise(x, packed, bias, post_op, [], algorithm)

    return run


def _through(module: Any) -> Linear:
    """The module's own forward (any `x ↦ y`), behind the same call as the packed one."""
    import torch

    def run(x: Any, *, gelu: bool = False) -> Any:
        y = module(x)
        return torch.nn.functional.gelu(y) if gelu else y

    return run


def _plain(weight: Any, bias: Any) -> Linear:
    import torch

    return _through(lambda x: torch.nn.functional.linear(x, weight, bias))
