"""A client's per-item token cap (Cohere's `max_tokens`, `max_tokens_per_doc`).

- below 1 → InvalidInput
- at or above the model's own limit: nothing to do; the model cuts at its limit as always
- below it: the text is cut after its cap-th token (the model's own tokenizer, special tokens aside),
  before any prompt is added; without a tokenizer → InvalidInput (never silently ignored)
"""

from __future__ import annotations

from domain.errors import InvalidInput
from domain.models import ModelInfo
from domain.ports import Tokenizer


def check_token_cap(cap: int | None, param: str) -> None:
    if cap is not None and cap < 1:
        raise InvalidInput(f"'{param}' must be at least 1, got {cap}", param=param)


async def cut_to_cap(tokenizer: Tokenizer | None, model: ModelInfo, text: str, cap: int | None, param: str) -> str:
    if cap is None or cap >= model.max_tokens:
        return text
    if tokenizer is None:
        raise InvalidInput(
            f"'{param}' of {cap} is below the {model.max_tokens}-token limit of model '{model.id}', which this "
            f"server cannot cut to; send shorter texts, or '{param}' of at least {model.max_tokens}",
            param=param,
        )
    tokens = await tokenizer.tokenize(model.id, text, special=False)
    return text if len(tokens) <= cap else text[: tokens[cap - 1].stop]
