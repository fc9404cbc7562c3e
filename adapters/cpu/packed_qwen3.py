"""Qwen3-Embedding on a CPU without padding: every Linear layer sees real tokens only.

A padded batch pays for its padding in every Linear layer, and Linear layers are ~90% of a Qwen3
forward pass. Here the rows of a batch are packed into one sequence for the Linear layers, the norms
and the rotary embedding, and attention runs row by row (causal, each row seeing only itself).
Measured on the Qwen3-0.6B shape, bf16, one core, 10 rows of 20-200 tokens: 117 → 164 useful GFLOP/s;
behind the batching scheduler, whose batches are already ~95% real tokens, ~4% (docs/benchmarks.md).
Its Linear weights are packed for oneDNN once, in place (onednn_linear.py): 160 → 174 useful GFLOP/s
in bf16 on one core, 48 rows of 20–200 tokens.

Same arithmetic as the official recipe's padded forward: positions count from each row's first token
(the recipe pads on the left, which shifts every position of a row equally, and RoPE scores depend only
on differences), so vectors agree within rounding (tests/qwen3).

Used only where it is exactly that model: a Qwen3 decoder with full attention in every layer, behind
sentence-transformers' Transformer → last-token Pooling (→ Normalize). Anything else keeps
sentence-transformers' own forward. Written against transformers' Qwen3 modules (pinned version).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from adapters.cpu.onednn_linear import pack_in_place
from adapters.cpu.pooling_pipeline import single_pooling

# Tokens per batch the Linear weights are packed for when the caller names none: the batching
# scheduler's CPU budget for a model this size.
PACKED_FOR_TOKENS = 2048


def packed_last_token(model: Any, tokens_hint: int = PACKED_FOR_TOKENS) -> PackedQwen3 | None:
    """The packed forward for a sentence-transformers model, or None when it is not one we can pack."""
    layout = single_pooling(model)
    if layout is None or layout[1] != "lasttoken":
        return None
    decoder = layout[0]
    config = decoder.config
    if type(decoder).__name__ != "Qwen3Model" or getattr(config, "use_sliding_window", False):
        return None
    if any(kind != "full_attention" for kind in getattr(config, "layer_types", None) or ()):
        return None
    return PackedQwen3(decoder, tokens_hint)


class PackedQwen3:
    """Last-token hidden states (after the final norm) of token-id rows, computed without padding."""

    def __init__(self, decoder: Any, tokens_hint: int = PACKED_FOR_TOKENS) -> None:
        self._decoder = decoder
        self._layers = decoder.layers[: decoder.config.num_hidden_layers]
        for layer in self._layers:
            attention, mlp = layer.self_attn, layer.mlp
            for linear in (attention.q_proj, attention.k_proj, attention.v_proj, attention.o_proj):
                pack_in_place(linear, tokens_hint)
            for linear in (mlp.gate_proj, mlp.up_proj, mlp.down_proj):
                pack_in_place(linear, tokens_hint)

    def __call__(self, rows: Sequence[Sequence[int]]) -> Any:
        import torch
        from transformers.models.qwen3.modeling_qwen3 import apply_rotary_pos_emb

        decoder = self._decoder
        device = decoder.embed_tokens.weight.device
        lengths = [len(row) for row in rows]
        ids = torch.tensor([token for row in rows for token in row], device=device)
        positions = torch.cat([torch.arange(n, device=device) for n in lengths])
        hidden = decoder.embed_tokens(ids).unsqueeze(0)  # [1, tokens, hidden]
        cos, sin = decoder.rotary_emb(hidden, positions.unsqueeze(0))
        for layer in self._layers:
            attention = layer.self_attn
            x = layer.input_layernorm(hidden)
            shape = (1, x.shape[1], -1, attention.head_dim)
            query = attention.q_norm(attention.q_proj(x).view(shape)).transpose(1, 2)
            key = attention.k_norm(attention.k_proj(x).view(shape)).transpose(1, 2)
            value = attention.v_proj(x).view(shape).transpose(1, 2)
            query, key = apply_rotary_pos_emb(query, key, cos, sin)
            attended = _per_row_causal_attention(query, key, value, lengths, attention.scaling)
            hidden = hidden + attention.o_proj(attended.transpose(1, 2).reshape(1, x.shape[1], -1))
            hidden = hidden + layer.mlp(layer.post_attention_layernorm(hidden))
        ends = torch.tensor(lengths, device=device).cumsum(0) - 1
        return decoder.norm(hidden[0, ends])


def _per_row_causal_attention(query: Any, key: Any, value: Any, lengths: Sequence[int], scale: float) -> Any:
    import torch
    from torch.nn.functional import scaled_dot_product_attention

    outputs, start = [], 0
    for n in lengths:
        rows = slice(start, start + n)
        outputs.append(
            scaled_dot_product_attention(
                query[:, :, rows], key[:, :, rows], value[:, :, rows], is_causal=True, scale=scale, enable_gqa=True
            )
        )
        start += n
    return torch.cat(outputs, dim=2)
