"""Tokenize once, at the adapter, and hand infinity the exact features the model must see.

infinity passes each input string untouched through its queue to the model's `encode_pre`, which
normally re-tokenizes it after stripping leading and trailing whitespace (sentence-transformers'
Transformer.tokenize and infinity's cross-encoder both call `.strip()`). That breaks byte-level BPE
models, where "\\nQuery:" and "Query:" are different tokens. So the strings we submit are `Tokenized`:
they carry their token ids, and `encode_pre` is replaced by a padder of those ids.
"""

from __future__ import annotations

import copy
from collections.abc import Callable, Sequence
from typing import Any

from adapters.engines.model_info import too_long
from domain.models import EmbedInput


class Tokenized(str):
    """A text (empty for token-id inputs) with the features its model must see."""

    features: dict[str, list[int]]
    # When it reached infinity's queue (perf_counter), for the queue-wait metric.
    queued_at: float

    def __new__(cls, text: str, features: dict[str, list[int]]) -> Tokenized:
        item = super().__new__(cls, text)
        item.features = features
        item.queued_at = 0.0
        return item

    def __len__(self) -> int:
        # infinity orders its queue by len() of the string to batch similar lengths together:
        # make that the real token count.
        return len(self.features["input_ids"])


class ModelTokenizer:
    """The model's own tokenizer, truncation and casing; blocking, call it from one thread at a time.

    Hugging Face fast tokenizers set truncation on the shared Rust object per call, so we use our own
    copy, never the one infinity's threads use.
    """

    def __init__(self, tokenizer: Any, limit: int, *, lower_case: bool = False) -> None:
        self._tokenizer = copy.deepcopy(tokenizer)
        self.limit = limit
        self._lower_case = lower_case

    def embed_inputs(self, inputs: Sequence[EmbedInput], truncate: bool) -> list[Tokenized]:
        """Texts get the model's special tokens; token ids are taken as they are, cut at the limit."""
        texts = [(i, self._cased(item)) for i, item in enumerate(inputs) if isinstance(item, str)]
        rows: list[list[int]] = [[] if isinstance(item, str) else list(item) for item in inputs]
        if texts:
            encoded = self._tokenizer(
                [text for _, text in texts],
                add_special_tokens=True,
                truncation=truncate,
                max_length=self.limit if truncate else None,
                return_attention_mask=False,
                return_token_type_ids=False,
            )["input_ids"]
            for (i, _), row in zip(texts, encoded, strict=True):
                rows[i] = list(row)
        out = []
        for i, (item, row) in enumerate(zip(inputs, rows, strict=True)):
            if len(row) > self.limit:
                if not truncate:
                    raise too_long(f"input[{i}]", len(row), self.limit)
                row = row[: self.limit]
            out.append(Tokenized(item if isinstance(item, str) else "", {"input_ids": row}))
        return out

    def rerank_pairs(self, query: str, documents: Sequence[str], truncate: bool) -> list[Tokenized]:
        """One (query, document) pair per document, truncated longest-first as the cross-encoder does."""
        encoded = self._tokenizer(
            [self._cased(query)] * len(documents),
            [self._cased(d) for d in documents],
            truncation="longest_first" if truncate else False,
            max_length=self.limit if truncate else None,
            return_attention_mask=False,
        )
        keys = [k for k in encoded if k != "attention_mask"]
        out = []
        for i, document in enumerate(documents):
            features = {k: list(encoded[k][i]) for k in keys}
            if len(features["input_ids"]) > self.limit:
                raise too_long(f"documents[{i}]", len(features["input_ids"]), self.limit)
            out.append(Tokenized(document, features))
        return out

    def _cased(self, text: str) -> str:
        # sentence-transformers' `do_lower_case` lowercases before the tokenizer sees the text.
        return text.lower() if self._lower_case else text


def padding_encode_pre(tokenizer: Any) -> Callable[[list[Any]], Any]:
    """A replacement for a model's `encode_pre`: pad the carried ids (single items or rerank pairs)."""
    # We pad pre-tokenized ids on purpose; silence transformers' "use __call__ instead" hint.
    tokenizer.deprecation_warnings["Asking-to-pad-a-fast-tokenizer"] = True

    def encode_pre(items: list[Any]) -> Any:
        return tokenizer.pad([c.features for c in carriers(items)], padding=True, return_tensors="pt")

    return encode_pre


def carriers(items: list[Any]) -> list[Tokenized]:
    """The Tokenized strings of a batch's items (single items, or rerank pairs whose second is ours)."""
    found = [item[1] if isinstance(item, tuple) else item for item in items]
    if not all(isinstance(c, Tokenized) for c in found):
        raise TypeError("inputs must reach the model as Tokenized strings (see tokens.py)")
    return found
