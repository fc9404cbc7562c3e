"""BERT-family embedders on a CPU: Linear layers on real tokens only, and attention in cache-sized chunks.

sentence-transformers runs BERT padded, with three Q/K/V matmuls and PyTorch's CPU flash-attention kernel.
Here the rows of a batch are packed into one sequence for every Linear layer, norm and activation; Q, K
and V come from one matmul; only attention sees the rows padded, a few rows at a time so that each
chunk's score matrix stays in cache, with the softmax computed in fp32 (bf16's softmax kernel runs at
half the speed of fp32's here). The CPU flash kernel is slow at BERT's head size (32–64): on
[64 rows × 12 heads × 122 tokens × 32] it took 27 ms in fp32 and 33 in bf16, these chunks 21 and 21.

Same arithmetic as BertModel's padded forward (positions count from each row's first token, token type 0,
as sentence-transformers feeds it), so vectors agree within rounding (tests/unit/test_packed_bert.py).
Used only where it is exactly that model: BertModel with absolute positions and plain Linear layers (int8
models keep their own forward) behind Transformer → mean or CLS Pooling (→ Normalize).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from adapters.engines.st_layout import single_pooling

# Score elements per attention chunk: 2^19 is 1 MiB in bf16, 2 MiB in fp32 — cache-sized, and a big
# score matrix is also a fresh mmap'd block (page faults) on every call. 2^18..2^20 measured alike.
SCORE_CHUNK = 1 << 19
POOLINGS = ("mean", "cls")


def packed_bert(model: Any) -> PackedBert | None:
    """The packed forward for a sentence-transformers model, or None when it is not one we can pack."""
    import torch

    layout = single_pooling(model)
    if layout is None or layout[1] not in POOLINGS:
        return None
    encoder, pooling = layout
    config = encoder.config
    if type(encoder).__name__ != "BertModel" or getattr(config, "is_decoder", False):
        return None
    if getattr(config, "position_embedding_type", "absolute") != "absolute":
        return None
    linears = [module for module in encoder.encoder.modules() if "Linear" in type(module).__name__]
    if any(type(module) is not torch.nn.Linear or module.bias is None for module in linears):
        return None
    return PackedBert(encoder, mean=pooling == "mean")


class PackedBert:
    """Pooled hidden states (mean or CLS) of token-id rows, computed without padding."""

    def __init__(self, encoder: Any, *, mean: bool) -> None:
        self._encoder = encoder
        self._mean = mean
        self._heads = encoder.config.num_attention_heads
        self._qkv = [_fuse_qkv(layer.attention.self) for layer in encoder.encoder.layer]

    def __call__(self, rows: Sequence[Sequence[int]]) -> Any:
        import torch

        embeddings = self._encoder.embeddings
        device = embeddings.word_embeddings.weight.device
        batch = _Batch.of([len(row) for row in rows], self._heads, embeddings.word_embeddings.weight.dtype, device)
        ids = torch.tensor([token for row in rows for token in row], device=device)
        hidden = embeddings.word_embeddings(ids) + embeddings.token_type_embeddings.weight[0]
        hidden = embeddings.LayerNorm(hidden + embeddings.position_embeddings(batch.positions))
        for layer, (weight, bias) in zip(self._encoder.encoder.layer, self._qkv, strict=True):
            attended = _attention(torch.nn.functional.linear(hidden, weight, bias), batch)
            output = layer.attention.output
            hidden = output.LayerNorm(output.dense(attended) + hidden)
            output = layer.output
            hidden = output.LayerNorm(output.dense(layer.intermediate(hidden)) + hidden)
        if not self._mean:
            return hidden[batch.starts]
        sums = hidden.new_zeros((len(rows), hidden.shape[1]), dtype=torch.float32)
        sums.index_add_(0, batch.row_of_token, hidden.float())
        return sums / batch.lengths.clamp(min=1)[:, None]


@dataclass(frozen=True)
class _Batch:
    """Where each packed token sits in the padded [rows, longest] grid attention works on."""

    lengths: Any  # [rows]
    longest: int
    real: Any  # flat grid index of every token, in packed order
    padding: Any  # flat grid index of every padding slot
    positions: Any  # each token's position in its row
    starts: Any  # packed index of each row's first token
    row_of_token: Any
    heads: int
    key_bias: Any  # [rows × heads, 1, longest], added to the scores: 0 on real keys, the dtype's min on padding

    @classmethod
    def of(cls, lengths: list[int], heads: int, dtype: Any, device: Any) -> _Batch:
        import torch

        sizes = torch.tensor(lengths, device=device)
        longest = max(lengths, default=0)
        grid = torch.arange(longest, device=device).expand(len(lengths), longest)
        is_real = (grid < sizes[:, None]).reshape(-1)
        flat = torch.arange(is_real.numel(), device=device)
        real = flat[is_real]
        key_bias = torch.zeros((len(lengths), 1, longest), dtype=dtype, device=device)
        key_bias.masked_fill_(~is_real.view(len(lengths), 1, longest), torch.finfo(dtype).min)
        return cls(
            lengths=sizes,
            longest=longest,
            real=real,
            padding=flat[~is_real],
            positions=real % max(longest, 1),
            starts=sizes.cumsum(0) - sizes,
            row_of_token=real // max(longest, 1),
            heads=heads,
            key_bias=key_bias.repeat_interleave(heads, dim=0),
        )


def _attention(qkv: Any, batch: _Batch) -> Any:
    """Self-attention of packed [tokens, 3 × hidden] projections, padded a few rows at a time."""
    import torch

    rows, longest, heads = len(batch.lengths), batch.longest, batch.heads
    hidden = qkv.shape[1] // 3
    size = hidden // heads
    grid = qkv.new_empty((rows * longest, 3 * hidden))
    grid.index_copy_(0, batch.real, qkv)
    grid.index_fill_(0, batch.padding, 0.0)  # finite values: a padded key's weight is 0, and 0 × NaN is not
    grid = grid.view(rows, longest, 3, heads, size)
    out = qkv.new_empty((rows, longest, heads, size))
    step = max(1, SCORE_CHUNK // max(1, heads * longest * longest))
    for first in range(0, rows, step):
        last = min(rows, first + step)
        count = last - first
        query, key, value = grid[first:last].permute(2, 0, 3, 1, 4).reshape(3, count * heads, longest, size)
        key_bias = batch.key_bias[first * heads : last * heads]
        scores = torch.baddbmm(key_bias, query, key.transpose(1, 2), alpha=size**-0.5)
        weights = torch.softmax(scores, dim=-1, dtype=torch.float32).to(qkv.dtype)
        context = torch.bmm(weights, value).view(count, heads, longest, size)
        out[first:last] = context.transpose(1, 2)
    return out.view(rows * longest, hidden).index_select(0, batch.real)


def _fuse_qkv(attention: Any) -> tuple[Any, Any]:
    """One [3 × hidden, hidden] weight for Q, K and V; the three Linear layers become views of it.

    One matmul instead of three small ones, and no second copy of the weights in memory.
    """
    import torch

    parts = (attention.query, attention.key, attention.value)
    weight = torch.cat([part.weight.data for part in parts])
    bias = torch.cat([part.bias.data for part in parts])
    width = parts[0].out_features
    for index, part in enumerate(parts):
        rows = slice(index * width, (index + 1) * width)
        part.weight = torch.nn.Parameter(weight[rows], requires_grad=False)
        part.bias = torch.nn.Parameter(bias[rows], requires_grad=False)
    return weight, bias
