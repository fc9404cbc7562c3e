"""Tokenize and Decode: a served model's own tokenizer, for clients that count or inspect tokens (TEI)."""

from __future__ import annotations

from collections.abc import Sequence

from domain.errors import InvalidInput
from domain.models import Limits, ModelInfo, PromptType, Token
from domain.ports import ModelCatalog, Tokenizer
from domain.use_cases.prompts import apply_prompt
from domain.use_cases.validation import check_items


def served_model(catalog: ModelCatalog, model_id: str | None) -> ModelInfo:
    """The named model, or the first served one (TEI serves one and names none)."""
    if model_id:
        return catalog.get_model(model_id)
    return catalog.list_models()[0]


class Tokenize:
    """Tokens of each text as the model reads them.

    - model: the named one, or the first served
    - empty list, more than max items → InvalidInput; an empty text has no tokens but the special ones
    - prompt_type → the model's prompt for it is tokenised too, as embedding would
    """

    def __init__(self, catalog: ModelCatalog, tokenizer: Tokenizer, limits: Limits) -> None:
        self._catalog = catalog
        self._tokenizer = tokenizer
        self._limits = limits

    async def __call__(
        self, model_id: str | None, texts: Sequence[str], *, special: bool, prompt_type: PromptType | None = None
    ) -> list[Sequence[Token]]:
        model = served_model(self._catalog, model_id)
        check_items(texts, self._limits, "inputs")
        return [
            await self._tokenizer.tokenize(model.id, apply_prompt(model, t, None, prompt_type), special=special)
            for t in texts
        ]


class Decode:
    """Text of token-id lists in the model's own vocabulary.

    - model: the named one, or the first served
    - empty list, more than max items → InvalidInput; ids outside the vocabulary → InvalidInput
    """

    def __init__(self, catalog: ModelCatalog, tokenizer: Tokenizer, limits: Limits) -> None:
        self._catalog = catalog
        self._tokenizer = tokenizer
        self._limits = limits

    async def __call__(self, model_id: str | None, ids: Sequence[Sequence[int]], *, skip_special: bool) -> list[str]:
        model = served_model(self._catalog, model_id)
        check_items(ids, self._limits, "ids")
        vocab = model.vocab_size
        for i, row in enumerate(ids):
            bad = next((t for t in row if vocab is not None and not 0 <= t < vocab), None)
            if bad is not None:
                raise InvalidInput(f"ids[{i}] has token id {bad}, outside the vocabulary of '{model.id}'", param="ids")
        return [await self._tokenizer.decode(model.id, row, skip_special=skip_special) for row in ids]
