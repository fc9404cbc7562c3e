"""TEI's `/tokenize` and `/decode` with TEI's field names, onto the Tokenize and Decode use cases.

- tokenize: `inputs`, `add_special_tokens`, `prompt_name` → `[[{"id", "text", "special", "start", "stop"}]]`
- decode: `ids` (one list, or lists), `skip_special_tokens` → `["text", ...]`; mixed lists → 400
"""

from __future__ import annotations

from collections.abc import Sequence

import msgspec

from domain.errors import InvalidInput
from domain.models import PromptType, Token
from entrypoints.dialects.tei import prompt_type_named


class TeiTokenizeBody(msgspec.Struct, kw_only=True):
    inputs: str | list[str]
    model: str | None = None
    add_special_tokens: bool = True
    prompt_name: str | None = None


class TeiDecodeBody(msgspec.Struct, kw_only=True):
    ids: list[int | list[int]]
    model: str | None = None
    skip_special_tokens: bool = True


class TeiToken(msgspec.Struct):
    id: int
    text: str
    special: bool
    start: int | None
    stop: int | None


def tei_tokens(tokens: Sequence[Sequence[Token]]) -> list[list[TeiToken]]:
    return [[TeiToken(t.id, t.text, t.special, t.start, t.stop) for t in text] for text in tokens]


def tei_texts(body: TeiTokenizeBody) -> tuple[list[str], PromptType | None]:
    return ([body.inputs] if isinstance(body.inputs, str) else body.inputs), prompt_type_named(body.prompt_name)


def tei_ids(body: TeiDecodeBody) -> list[list[int]]:
    """A list of ids is one text; a list of lists is several; mixed → 400."""
    rows = [row for row in body.ids if isinstance(row, list)]
    if not rows:
        return [[i for i in body.ids if isinstance(i, int)]]
    if len(rows) != len(body.ids):
        raise InvalidInput("'ids' must be token ids or lists of token ids, not both", param="ids")
    return rows
