"""BERT-family embedders on a CPU: no padding in the Linear layers, a layer a group of rows at a time.

sentence-transformers runs BERT padded over the whole batch, with three Q/K/V matmuls and PyTorch's CPU
flash-attention kernel. Here the rows of a batch are packed into one sequence, and each layer runs over
consecutive rows of about GROUP_TOKENS (fp32: FP32_GROUP_TOKENS) tokens at a time: Q, K and V from one
matmul; attention padded only to the group's longest row, a few rows at a time so each score matrix
stays in cache, softmax in fp32 (bf16's softmax kernel runs at half the speed of fp32's here); then the
output projections and the feed-forward, with weights prepacked for oneDNN and GELU fused into its
matmul (onednn_linear.py). A group's tensors stay at most ~12 MiB, where whole-batch ones would be tens
of MiB each. The CPU flash kernel is slow at BERT's head size (32–64): [64 rows × 12 heads × 122 tokens
× 32] took 27 ms in fp32 and 33 in bf16, these chunks 21 and 21.
Measured on all-MiniLM-L6-v2, 800 mixed texts, 2-core CPU, sentence-transformers' forward → this: batches
as the scheduler forms them (≥95% real tokens) fp32 8.5 → 8.0 s, bf16 4.7 → 4.3 s; batches of 64
arrivals sorted by length (more padding) fp32 20.0 → 8.6 s, bf16 11.8 → 6.3 s (before prepacking and
bf16 groups of 4096 tokens, which took a further 8% in fp32 and 17% in bf16 off one core's time).

Same arithmetic as the padded forward of BertModel, RobertaModel and XLMRobertaModel (the same layers;
positions count from each row's first token, from padding_idx + 1 in the RoBERTa family; token type 0, as
sentence-transformers feeds it), so vectors agree within rounding (tests/contract/test_packed_bert.py).
Used only where it is exactly such a model: absolute positions, plain Linear layers (int8 models keep their
own forward), behind Transformer → mean or CLS Pooling (→ Normalize).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from adapters.engines.onednn_linear import Linear, pack_in_place, prepacked_linear
from adapters.engines.st_layout import single_pooling

# Score elements per attention chunk: 2^19 is 1 MiB in bf16, 2 MiB in fp32 — cache-sized, and a big
# score matrix is also a fresh mmap'd block (page faults) on every call. 2^18..2^20 measured alike.
SCORE_CHUNK = 1 << 19
# Tokens per group of rows a layer runs over at once. MiniLM on one core, 800 texts, prepacked weights:
# bf16 1024 → 8.49 s, 2048 → 8.10, 4096 → 7.65 (8192 slower again); fp32 14.41, 14.11, 13.90 s, but behind
# the server fp32 groups of 4096 raised the round peaks to 976–1027 MiB and 2048 to 882–926 (climbing),
# where 1024 stays at 810–836 MiB, for 97–101 instead of 101–105 texts/s.
GROUP_TOKENS = 4096
FP32_GROUP_TOKENS = 1024
POOLINGS = ("mean", "cls")
# The position id of a row's first token: RoBERTa's embeddings count positions after the padding index.
FIRST_POSITION: dict[str, Callable[[Any], int]] = {
    "BertModel": lambda embeddings: 0,
    "RobertaModel": lambda embeddings: embeddings.padding_idx + 1,
    "XLMRobertaModel": lambda embeddings: embeddings.padding_idx + 1,
}


def packed_bert(model: Any) -> PackedBert | None:
    """The packed forward for a sentence-transformers model, or None when it is not one we can pack."""
    import torch

    layout = single_pooling(model)
    if layout is None or layout[1] not in POOLINGS:
        return None
    encoder, pooling = layout
    config = encoder.config
    if type(encoder).__name__ not in FIRST_POSITION or getattr(config, "is_decoder", False):
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
        self._first_position = FIRST_POSITION[type(encoder).__name__](encoder.embeddings)
        rows = _group_tokens(encoder.embeddings.word_embeddings.weight.dtype)
        self._weights = [_LayerWeights.of(layer, rows) for layer in encoder.encoder.layer]

    def __call__(self, rows: Sequence[Sequence[int]]) -> Any:
        import torch

        embeddings = self._encoder.embeddings
        weight = embeddings.word_embeddings.weight
        lengths = [len(row) for row in rows]
        spans = _groups(lengths, _group_tokens(weight.dtype))
        groups = [_Group.of(lengths, first, last, self._heads, weight.dtype) for first, last in spans]
        ids = torch.tensor([token for row in rows for token in row], dtype=torch.long, device=weight.device)
        first = self._first_position
        positions = torch.cat([torch.arange(first, first + n) for n in lengths]) if rows else torch.zeros(0).long()
        hidden = embeddings.word_embeddings(ids) + embeddings.token_type_embeddings.weight[0]
        hidden = embeddings.LayerNorm(hidden + embeddings.position_embeddings(positions.to(weight.device)))
        for layer, weights in zip(self._encoder.encoder.layer, self._weights, strict=True):
            hidden = _layer(layer, weights, hidden, groups)
        sizes = torch.tensor(lengths, device=weight.device)
        starts = sizes.cumsum(0) - sizes
        if not self._mean:
            return hidden[starts]
        row_of_token = torch.repeat_interleave(torch.arange(len(rows), device=weight.device), sizes)
        sums = hidden.new_zeros((len(rows), hidden.shape[1]), dtype=torch.float32)
        sums.index_add_(0, row_of_token, hidden.float())
        return sums / sizes.clamp(min=1)[:, None]


def _group_tokens(dtype: Any) -> int:
    import torch

    return FP32_GROUP_TOKENS if dtype == torch.float32 else GROUP_TOKENS


def _groups(lengths: list[int], limit: int) -> list[tuple[int, int]]:
    """Consecutive rows of about `limit` tokens (at least one row each)."""
    groups, first, tokens = [], 0, 0
    for row, length in enumerate(lengths):
        if tokens and tokens + length > limit:
            groups.append((first, row))
            first, tokens = row, 0
        tokens += length
    if first < len(lengths):
        groups.append((first, len(lengths)))
    return groups


@dataclass(frozen=True)
class _LayerWeights:
    """A layer's Linear layers, prepacked: Q, K and V as one; the feed-forward's first with its activation.

    Q, K and V keep the model's own (fused) weight beside the packed one, for the model's own attention
    (3 × hidden² a layer); the others are packed in place, their own weights dropped.
    """

    qkv: Linear
    attention_out: Linear
    activated: Callable[[Any], Any]
    output: Linear

    @classmethod
    def of(cls, layer: Any, rows: int) -> _LayerWeights:
        return cls(
            qkv=prepacked_linear(*_fuse_qkv(layer.attention.self), rows),
            attention_out=pack_in_place(layer.attention.output.dense, rows),
            activated=_activated(layer.intermediate, pack_in_place(layer.intermediate.dense, rows)),
            output=pack_in_place(layer.output.dense, rows),
        )


def _layer(layer: Any, weights: _LayerWeights, hidden: Any, groups: list[_Group]) -> Any:
    """One encoder layer, a group of rows at a time, so every intermediate tensor stays a few MiB."""
    import torch

    out = torch.empty_like(hidden)
    for group in groups:
        x = hidden[group.tokens]
        attended = _attention(weights.qkv(x), group)
        x = layer.attention.output.LayerNorm(weights.attention_out(attended) + x)
        out[group.tokens] = layer.output.LayerNorm(weights.output(weights.activated(x)) + x)
    return out


def _activated(intermediate: Any, linear: Linear) -> Callable[[Any], Any]:
    """The feed-forward's first Linear and its activation: exact GELU (BERT's) fused into the matmul."""
    import torch

    activation = intermediate.intermediate_act_fn
    exact_gelu = getattr(activation, "act", None) is torch.nn.functional.gelu  # transformers' GELUActivation
    exact_gelu |= isinstance(activation, torch.nn.GELU) and activation.approximate == "none"
    if exact_gelu:
        return lambda x: linear(x, gelu=True)
    return lambda x: activation(linear(x))


@dataclass(frozen=True)
class _Group:
    """Consecutive rows of a batch, and where their packed tokens sit in the padded grid attention uses."""

    tokens: slice  # the rows' tokens in the packed batch
    rows: int
    longest: int
    real: Any  # flat grid index of every token, in packed order
    padding: Any  # flat grid index of every padding slot
    heads: int
    key_bias: Any  # [rows × heads, 1, longest], added to the scores: 0 on real keys, the dtype's min on padding

    @classmethod
    def of(cls, lengths: list[int], first: int, last: int, heads: int, dtype: Any) -> _Group:
        import torch

        mine = lengths[first:last]
        sizes = torch.tensor(mine)
        longest = max(mine)
        is_real = (torch.arange(longest).expand(len(mine), longest) < sizes[:, None]).reshape(-1)
        flat = torch.arange(is_real.numel())
        key_bias = torch.zeros((len(mine), 1, longest), dtype=dtype)
        key_bias.masked_fill_(~is_real.view(len(mine), 1, longest), torch.finfo(dtype).min)
        start = sum(lengths[:first])
        return cls(
            tokens=slice(start, start + sum(mine)),
            rows=len(mine),
            longest=longest,
            real=flat[is_real],
            padding=flat[~is_real],
            heads=heads,
            key_bias=key_bias.repeat_interleave(heads, dim=0),
        )


def _attention(qkv: Any, batch: _Group) -> Any:
    """Self-attention of packed [tokens, 3 × hidden] projections, padded a few rows at a time."""
    import torch

    rows, longest, heads = batch.rows, batch.longest, batch.heads
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
