"""BERT-family embedders on a CPU: no padding in the Linear layers, a group of rows at a time.

sentence-transformers runs BERT padded over the whole batch, with three Q/K/V matmuls and PyTorch's CPU
flash-attention kernel. Here a batch's rows are sorted by length and packed into one sequence, and
consecutive rows of about GROUP_TOKENS (fp32: FP32_GROUP_TOKENS) tokens go through every layer together:
Q, K and V from one matmul; attention a chunk of alike rows at a time, padded to the chunk's longest
(rounded up to WIDTH_STEP) so each score matrix stays in cache, softmax in fp32 (bf16's softmax kernel
runs at half the speed of fp32's here); then the output projections and the feed-forward, with weights
prepacked for oneDNN and GELU fused into its matmul (onednn_linear.py). A group's tensors stay at most
~12 MiB, where whole-batch ones would be tens of MiB each. The CPU flash kernel is slow at BERT's head size
(32–64): [64 rows × 12 heads × 122 tokens × 32] took 27 ms in fp32 and 33 in bf16, these chunks 21 and 21.
Since padding costs only inside a chunk, the scheduler fills such batches with any lengths
(BatchingOptions.packed). Measured on all-MiniLM-L6-v2, one core, 800 mixed texts in batches of 8192
tokens in arrival order: bf16 14.2 s with attention padded to each group's longest row, 7.5 s with chunks
padded to their own (7.8 s when the batches were sorted by length across the whole corpus).

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

from adapters.cpu.onednn_linear import Linear, pack_in_place, prepacked_linear
from adapters.cpu.pooling_pipeline import single_pooling

# Score elements per attention chunk: 2^19 is 1 MiB in bf16, 2 MiB in fp32 — cache-sized, and a big
# score matrix is also a fresh mmap'd block (page faults) on every call. 2^18..2^20 measured alike.
SCORE_CHUNK = 1 << 19
# Attention chunks are padded to a multiple of this many tokens. Every new [rows × heads, width, width]
# shape makes oneDNN create a bf16 matmul primitive (~0.3 ms) and evicts one from its bounded cache;
# measured, one core, 800 mixed texts in batches of 8192 tokens: 1404 primitives created with width
# steps of 1, 838 with 8, 264 with 16; bf16 8.0 → 7.5 s.
WIDTH_STEP = 16
# Tokens per group of rows that go through the layers together. MiniLM on one core, 800 texts, prepacked weights:
# bf16 1024 → 8.49 s, 2048 → 8.10, 4096 → 7.65 (8192 slower again); fp32 14.41, 14.11, 13.90 s, but behind
# the server fp32 groups of 4096 raised the round peaks to 976–1027 MiB and 2048 to 882–926 (climbing),
# where 1024 stays at 810–836 MiB, for 97–101 instead of 101–105 texts/s. (Those ran layer by layer over a
# whole batch; group by group, bf16 2048/4096/8192 measured 7.46/7.28/7.34 s.)
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

        # Rows in length order: a group's attention chunks then hold rows of alike lengths (little padding).
        order = sorted(range(len(rows)), key=lambda k: len(rows[k]))
        ordered = [rows[k] for k in order]
        lengths = [len(row) for row in ordered]
        dtype = self._encoder.embeddings.word_embeddings.weight.dtype
        spans = _groups(lengths, _group_tokens(dtype))
        # A group at a time through every layer: its rows need no other's, and the oneDNN primitives its
        # shapes make are used by all the layers before the next group's evict them.
        pooled = [self._group(ordered[first:last], lengths[first:last]) for first, last in spans]
        if not pooled:
            return torch.zeros((0, self._encoder.config.hidden_size))
        return torch.cat(pooled)[torch.tensor(order).argsort()]  # back in the callers' order

    def _group(self, rows: Sequence[Sequence[int]], lengths: list[int]) -> Any:
        """The pooled vectors of a group's rows."""
        import torch

        embeddings = self._encoder.embeddings
        weight = embeddings.word_embeddings.weight
        device = weight.device
        group = _Group.of(lengths, self._heads, weight.dtype)
        ids = torch.tensor([token for row in rows for token in row], dtype=torch.long, device=device)
        first = self._first_position
        positions = torch.cat([torch.arange(first, first + n) for n in lengths]).to(device)
        hidden = embeddings.word_embeddings(ids) + embeddings.token_type_embeddings.weight[0]
        hidden = embeddings.LayerNorm(hidden + embeddings.position_embeddings(positions))
        for layer, weights in zip(self._encoder.encoder.layer, self._weights, strict=True):
            hidden = _layer(layer, weights, hidden, group)
        sizes = torch.tensor(lengths, device=device)
        if not self._mean:
            return hidden[sizes.cumsum(0) - sizes]
        row_of_token = torch.repeat_interleave(torch.arange(len(rows), device=device), sizes)
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


def _layer(layer: Any, weights: _LayerWeights, x: Any, group: _Group) -> Any:
    """One encoder layer over a group's packed tokens."""
    attended = _attention(weights.qkv(x), group)
    x = layer.attention.output.LayerNorm(weights.attention_out(attended) + x)
    return layer.output.LayerNorm(weights.output(weights.activated(x)) + x)


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
    """Consecutive rows of a sorted batch, which go through the layers together: their attention chunks."""

    chunks: tuple[_Chunk, ...]
    heads: int

    @classmethod
    def of(cls, lengths: list[int], heads: int, dtype: Any) -> _Group:
        chunks, row, offset, last = [], 0, 0, len(lengths)
        while row < last:
            end, width = row + 1, _width(lengths[row])
            # Rows arrive in length order, so a chunk's rows are alike and padding to its longest costs little.
            while end < last:
                wider = max(width, _width(lengths[end]))
                if (end + 1 - row) * heads * wider**2 > SCORE_CHUNK:
                    break
                end, width = end + 1, wider
            chunk = _Chunk.of(lengths[row:end], width, offset, heads, dtype)
            chunks.append(chunk)
            offset, row = chunk.tokens.stop, end
        return cls(chunks=tuple(chunks), heads=heads)


def _width(length: int) -> int:
    return -(-length // WIDTH_STEP) * WIDTH_STEP


@dataclass(frozen=True)
class _Chunk:
    """A few rows whose attention runs at once, padded to a width (their longest, rounded up to WIDTH_STEP).

    The rows are few enough that each score matrix stays in cache.

    Q, K and V come out of the packed projections in one gather straight into the padded per-head layout,
    and the context goes back in one gather; a padding slot reads some real token of the chunk (any finite
    value: its key's weight is exactly 0, and its query's output is never gathered back).
    """

    tokens: slice  # the rows' tokens within their group
    rows: int
    longest: int
    gather_in: Any  # [3 × rows × heads × longest]: the packed (token, Q/K/V, head) each padded slot reads
    gather_out: Any  # [tokens × heads]: the padded (row, head, position) each real token's context comes from
    key_bias: Any  # [rows × heads, 1, longest], added to the scores: 0 on real keys, the dtype's min on padding

    @classmethod
    def of(cls, mine: list[int], longest: int, offset: int, heads: int, dtype: Any) -> _Chunk:
        import torch

        rows = len(mine)
        sizes = torch.tensor(mine)
        starts = sizes.cumsum(0) - sizes
        position = torch.arange(longest)
        is_real = position < sizes[:, None]  # [rows, longest]
        token = (starts[:, None] + position).where(is_real, 0)  # padding reads the chunk's first token
        part, head = torch.arange(3)[:, None, None, None], torch.arange(heads)[None, None, :, None]
        gather_in = ((token[None, :, None, :] * 3 + part) * heads + head).reshape(-1)
        row, at = torch.arange(rows)[:, None].expand(rows, longest)[is_real], position.expand(rows, longest)[is_real]
        gather_out = (row[:, None] * heads + torch.arange(heads)) * longest + at[:, None]
        key_bias = torch.zeros((rows, 1, longest), dtype=dtype).masked_fill_(
            ~is_real[:, None, :], torch.finfo(dtype).min
        )
        return cls(
            tokens=slice(offset, offset + sum(mine)),
            rows=rows,
            longest=longest,
            gather_in=gather_in,
            gather_out=gather_out.reshape(-1),
            key_bias=key_bias.repeat_interleave(heads, dim=0),
        )


def _attention(qkv: Any, group: _Group) -> Any:
    """Self-attention of a group's packed [tokens, 3 × hidden] projections, a chunk of rows at a time."""
    import torch

    heads, hidden = group.heads, qkv.shape[1] // 3
    size = hidden // heads
    out = qkv.new_empty((qkv.shape[0] * heads, size))
    for chunk in group.chunks:
        if chunk.tokens.start == chunk.tokens.stop:
            continue  # rows without tokens
        rows, longest = chunk.rows, chunk.longest
        packed = qkv[chunk.tokens].reshape(-1, size)
        query, key, value = packed.index_select(0, chunk.gather_in).view(3, rows * heads, longest, size)
        scores = torch.baddbmm(chunk.key_bias, query, key.transpose(1, 2), alpha=size**-0.5)
        weights = torch.softmax(scores, dim=-1, dtype=torch.float32).to(qkv.dtype)
        context = torch.bmm(weights, value).view(-1, size)
        heads_of_tokens = slice(chunk.tokens.start * heads, chunk.tokens.stop * heads)
        torch.index_select(context, 0, chunk.gather_out, out=out[heads_of_tokens])
    return out.view(qkv.shape[0], hidden)


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
