"""Qwen3-Reranker forward passes that compute only what the score needs.

- The score is sigmoid(logit_yes - logit_no) at a row's last real token, and that difference is
  h · (W_yes - W_no): the decoder runs without the LM head (full-vocabulary logits at every position
  are ~35% extra work at 0.6B) and one vector replaces it.
- The prefix + instruction + query part is the same for every document: its KV cache is computed
  once per request and each batch of documents runs against a view of it.
- Rows are right-padded: causal attention already hides a row's padding from its real tokens, and the
  mask hides it from everything else; each row is read at its own last real position.

torch is imported inside functions so importing this module stays cheap.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import torch

KeyValues = list[tuple["torch.Tensor", "torch.Tensor"]]


def plan_batches(lengths: Sequence[int], *, token_budget: int, max_rows: int) -> list[list[int]]:
    """Row indices grouped into forward passes.

    Longest first, so rows of similar length share a batch and little padding is computed; a batch's
    padded size (rows × its longest row) stays within `token_budget`, and a row longer than the
    budget runs alone.
    """
    batches: list[list[int]] = []
    current: list[int] = []
    width = 0
    for i in sorted(range(len(lengths)), key=lambda i: -lengths[i]):
        if current and ((len(current) + 1) * width > token_budget or len(current) >= max_rows):
            batches.append(current)
            current = []
        if not current:
            width = lengths[i]
        current.append(i)
    if current:
        batches.append(current)
    return batches


class YesNoScorer:
    """Scores token rows with a causal LM's P(yes) over {yes, no} at each row's last token."""

    def __init__(self, model: Any, *, yes_id: int, no_id: int, pad_id: int) -> None:
        self._decoder = model.get_decoder()  # layers + final norm, as the LM runs them, without the head
        head = model.get_output_embeddings()  # the tied input embeddings when the checkpoint ties them
        weight = head.weight.detach()
        self._direction = weight[yes_id].float() - weight[no_id].float()
        bias = getattr(head, "bias", None)
        self._offset = 0.0 if bias is None else float(bias[yes_id] - bias[no_id])
        self._device = weight.device
        self._pad_id = pad_id

    def prefix_cache(self, ids: list[int]) -> KeyValues:
        """Keys and values of `ids` (batch 1) at every layer, for rows that continue them."""
        import torch

        with torch.inference_mode():
            out = self._decoder(input_ids=torch.tensor([ids], device=self._device), use_cache=True)
        return [(layer.keys, layer.values) for layer in out.past_key_values.layers]

    def score_rows(self, rows: list[list[int]], past: KeyValues | None, past_len: int) -> list[float]:
        """P(yes) for each row in one forward pass; `past` holds the `past_len` tokens before every row."""
        import torch

        with torch.inference_mode():
            return self._score_rows(rows, past, past_len)

    def _score_rows(self, rows: list[list[int]], past: KeyValues | None, past_len: int) -> list[float]:
        import torch
        from transformers import DynamicCache

        n, width = len(rows), max(len(r) for r in rows)
        # Built on the host and moved once: one transfer per batch, not one per row.
        padded = [row + [self._pad_id] * (width - len(row)) for row in rows]
        ids = torch.tensor(padded, dtype=torch.long, device=self._device)
        lengths = torch.tensor([len(r) for r in rows], device=self._device)
        columns = torch.arange(width, device=self._device)
        # Attention mask over shared + row columns: the shared part is real for every row.
        shared_mask = torch.ones(n, past_len, dtype=torch.long, device=self._device)
        mask = torch.cat([shared_mask, (columns < lengths[:, None]).long()], dim=1)
        positions = past_len + columns
        cache = None
        if past is not None:
            # expand() is a view: no per-row copies of the prefix beyond those the cache makes as it grows.
            cache = DynamicCache(
                ddp_cache_data=[(k.expand(n, -1, -1, -1), v.expand(n, -1, -1, -1)) for k, v in past],
                config=self._decoder.config,
            )
        hidden = self._decoder(
            input_ids=ids,
            attention_mask=mask,
            position_ids=positions.expand(n, width),
            cache_position=positions,
            past_key_values=cache,
            use_cache=cache is not None,
        ).last_hidden_state
        last = hidden[torch.arange(n, device=self._device), lengths - 1].float()
        return torch.sigmoid(last @ self._direction + self._offset).tolist()
