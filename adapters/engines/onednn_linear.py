"""Linear layers on a CPU with their weights laid out for oneDNN once, at load, instead of on every call.

PyTorch's CPU Linear passes the weight as the model stores it; oneDNN (bf16) then rearranges it into its
blocked layout inside every call, and MKL (fp32) packs it likewise. Reordered once, all-MiniLM-L6-v2's
packed forward on one core, 800 mixed texts, went 9.19 → 8.49 s in bf16 and 15.59 → 14.41 s in fp32.
It costs a second copy of the Linear weights (the model keeps its own for its own forward).

`gelu=True` applies exact (erf) GELU inside the matmul, to each output while it is still in registers:
fp32 all-MiniLM-L6-v2, one core, 800 texts 15.0 → 14.2 s (bf16 the same speed, and one rounding fewer).
It also makes no GELU primitive: oneDNN builds and caches one for every new shape of a standalone GELU,
and behind the server (every batch a new shape) that cache churned mid-batch and fp32 round peaks grew
885 → 1006 MiB over five rounds (docs/benchmarks.md, Memory).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any


def prepacked_linear(weight: Any, bias: Any, rows_hint: int, *, gelu: bool = False) -> Callable[[Any], Any]:
    """`x ↦ x @ weight.T + bias` (then exact GELU) for x of about `rows_hint` rows; plain where oneDNN can't."""
    import torch

    plain = _plain(weight, bias, gelu)
    if weight.device.type != "cpu" or weight.dtype not in (torch.float32, torch.bfloat16):
        return plain
    if not torch.backends.mkldnn.is_available():
        return plain
    try:
        packed = torch.ops.mkldnn._reorder_linear_weight(weight.detach(), rows_hint)
    except (AttributeError, RuntimeError):  # a build without these operators
        return plain
    linear_pointwise = torch.ops.mkldnn._linear_pointwise
    # oneDNN's post-op: "gelu" with algorithm "none" is the erf form, "tanh" would be the approximation.
    post_op, algorithm = ("gelu", "none") if gelu else ("none", "")

    def run(x: Any) -> Any:
        if x.shape[0] == 0:
            return plain(x)
        return linear_pointwise(x, packed, bias, post_op, [], algorithm)

    return run


def _plain(weight: Any, bias: Any, gelu: bool) -> Callable[[Any], Any]:
    import torch

    def run(x: Any) -> Any:
        y = torch.nn.functional.linear(x, weight, bias)
        return torch.nn.functional.gelu(y) if gelu else y

    return run
