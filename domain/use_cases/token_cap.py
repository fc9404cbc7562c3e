"""A client's per-item token cap (Cohere's `max_tokens`, `max_tokens_per_doc`).

- below 1 → InvalidInput
- at or above the model's own limit: items are cut at the model's limit as always (truncating)
- below the model's limit → InvalidInput: cutting to fewer tokens needs the model's tokenizer here,
  which the use cases don't have; a cap that cannot be honoured is refused, never ignored
"""

from __future__ import annotations

from domain.errors import InvalidInput
from domain.models import ModelInfo


def check_token_cap(model: ModelInfo, cap: int | None, param: str) -> None:
    if cap is None:
        return
    if cap < 1:
        raise InvalidInput(f"'{param}' must be at least 1, got {cap}", param=param)
    if cap < model.max_tokens:
        raise InvalidInput(
            f"'{param}' of {cap} is below the {model.max_tokens}-token limit of model '{model.id}', which this "
            f"server cannot cut to; send shorter texts, or '{param}' of at least {model.max_tokens}",
            param=param,
        )
