"""The fake engine's tokenizer: whitespace words, ids handed out in order of first sight, BERT's frame.

Deterministic within a process and invertible, so tokenize → decode round-trips in tests.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from adapters.engines.fake import FAKE_PREFIX, FAKE_SUFFIX
from domain.models import Token

_WORD = re.compile(r"\S+")
_SPECIAL = {FAKE_PREFIX[0]: "[CLS]", FAKE_SUFFIX[0]: "[SEP]"}
_FIRST_WORD_ID = 1000


class FakeTokenizer:
    def __init__(self) -> None:
        self._ids: dict[str, int] = {}
        self._words: dict[int, str] = {}

    async def tokenize(self, model_id: str, text: str, *, special: bool) -> Sequence[Token]:
        words = [Token(id=self._id(m.group()), text=m.group(), special=False, start=m.start(), stop=m.end())
                 for m in _WORD.finditer(text)]  # fmt: skip
        if not special:
            return words
        cls, sep = ((i, _SPECIAL[i]) for i in (FAKE_PREFIX[0], FAKE_SUFFIX[0]))
        return [
            Token(id=cls[0], text=cls[1], special=True, start=0, stop=0),
            *words,
            Token(id=sep[0], text=sep[1], special=True, start=len(text), stop=len(text)),
        ]

    async def decode(self, model_id: str, ids: Sequence[int], *, skip_special: bool) -> str:
        pieces = []
        for i in ids:
            if i in _SPECIAL:
                if not skip_special:
                    pieces.append(_SPECIAL[i])
            else:
                pieces.append(self._words.get(i, f"[{i}]"))
        return " ".join(pieces)

    def _id(self, word: str) -> int:
        if word not in self._ids:
            self._ids[word] = _FIRST_WORD_ID + len(self._ids)
            self._words[self._ids[word]] = word
        return self._ids[word]
