"""The served models' own Hugging Face tokenizers (domain.ports.Tokenizer), loaded on first use.

Loaded beside the engines rather than through them: every engine reads the same tokenizer files, and
this way no engine has to expose its internals. Loading runs off the event loop.
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Sequence
from typing import Any

from adapters.engines.base import ModelSpec
from domain.errors import ModelNotFound
from domain.models import Token


class HuggingFaceTokenizers:
    def __init__(self, specs: Sequence[ModelSpec]) -> None:
        self._paths = {spec.id: spec.path for spec in specs}
        self._loaded: dict[str, Any] = {}
        self._lock = threading.Lock()

    async def tokenize(self, model_id: str, text: str, *, special: bool) -> Sequence[Token]:
        tokenizer = await self._tokenizer(model_id)
        encoded = tokenizer(text, add_special_tokens=special, return_offsets_mapping=True)
        ids = list(encoded["input_ids"])
        specials = set(tokenizer.all_special_ids)
        pieces = tokenizer.convert_ids_to_tokens(ids)
        return [
            Token(id=i, text=piece, special=i in specials, start=start, stop=stop)
            for i, piece, (start, stop) in zip(ids, pieces, encoded["offset_mapping"], strict=True)
        ]

    async def decode(self, model_id: str, ids: Sequence[int], *, skip_special: bool) -> str:
        tokenizer = await self._tokenizer(model_id)
        return str(tokenizer.decode(list(ids), skip_special_tokens=skip_special))

    async def _tokenizer(self, model_id: str) -> Any:
        if model_id not in self._loaded:
            if model_id not in self._paths:
                raise ModelNotFound(f"model '{model_id}' is not served here", param="model")
            await asyncio.to_thread(self._load, model_id)
        return self._loaded[model_id]

    def _load(self, model_id: str) -> None:
        from transformers import AutoTokenizer

        with self._lock:
            if model_id not in self._loaded:
                self._loaded[model_id] = AutoTokenizer.from_pretrained(self._paths[model_id])
