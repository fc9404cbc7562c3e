"""The official Qwen3-Reranker recipe over plain transformers, shared by the parity tests and the bench."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from adapters.engines.qwen3_reranker.prompt import DEFAULT_INSTRUCTION, PREFIX, SUFFIX, body_text


class OfficialReranker:
    """prefix + truncated body + suffix, left padded, full logits, softmax over [no, yes] at the last position."""

    def __init__(self, model: Any, tokenizer: Any) -> None:
        self.model, self.tokenizer = model, tokenizer
        self.tokenizer.padding_side = "left"
        self.prefix = tokenizer.encode(PREFIX, add_special_tokens=False)
        self.suffix = tokenizer.encode(SUFFIX, add_special_tokens=False)
        self.yes = tokenizer.convert_tokens_to_ids("yes")
        self.no = tokenizer.convert_tokens_to_ids("no")

    def scores(
        self, query: str, documents: Sequence[str], instruction: str | None = None, max_length: int = 8192
    ) -> list[float]:
        import torch

        pairs = [body_text(instruction or DEFAULT_INSTRUCTION, query, d) for d in documents]
        inputs = self.tokenizer(
            pairs,
            padding=False,
            truncation="longest_first",
            return_attention_mask=False,
            max_length=max_length - len(self.prefix) - len(self.suffix),
        )
        inputs["input_ids"] = [self.prefix + ids + self.suffix for ids in inputs["input_ids"]]
        batch = self.tokenizer.pad(inputs, padding=True, return_tensors="pt").to(self.model.device)
        with torch.no_grad():
            logits = self.model(**batch).logits[:, -1, :]
        pair = torch.stack([logits[:, self.no], logits[:, self.yes]], dim=1)
        return torch.nn.functional.log_softmax(pair, dim=1)[:, 1].exp().tolist()
