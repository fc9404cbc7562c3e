"""The ids a Hugging Face tokenizer puts around every text: how arrays in its vocabulary are recognised."""

from __future__ import annotations

from typing import Any

_PROBE = "frame"


def token_frame(tokenizer: Any) -> tuple[tuple[int, ...], tuple[int, ...]]:
    """(prefix, suffix): `([101], [102])` for BERT's `[CLS] … [SEP]`, `((), (151643,))` for Qwen3."""
    framed = list(tokenizer(_PROBE)["input_ids"])
    plain = list(tokenizer(_PROBE, add_special_tokens=False)["input_ids"])
    for start in range(len(framed) - len(plain) + 1):
        if framed[start : start + len(plain)] == plain:
            return tuple(framed[:start]), tuple(framed[start + len(plain) :])
    return (), ()
