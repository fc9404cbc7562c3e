"""Checks shared by the use cases; each message names the offending item."""

from __future__ import annotations

from collections.abc import Sequence

from domain.errors import InvalidInput
from domain.models import EmbedInput, Limits


def check_items(items: Sequence[object], limits: Limits, param: str) -> None:
    """- empty list → InvalidInput
    - more than `limits.max_items` → InvalidInput
    """
    if len(items) == 0:
        raise InvalidInput(f"'{param}' must not be empty", param=param)
    if len(items) > limits.max_items:
        raise InvalidInput(
            f"'{param}' has {len(items)} items; at most {limits.max_items} are allowed per request",
            param=param,
        )


def check_text(text: str, param: str, limits: Limits, truncate: bool) -> str:
    """- empty or blank string → InvalidInput
    - over the character cap: cut when truncating (before tokenising), refused otherwise
    """
    if not text.strip():
        raise InvalidInput(f"{param} must not be empty", param=field_of(param))
    if len(text) > limits.max_chars_per_item:
        if not truncate:
            raise InvalidInput(
                f"{param} has {len(text)} characters, over the limit of {limits.max_chars_per_item}; "
                "shorten it or send truncate: true",
                param=field_of(param),
            )
        return text[: limits.max_chars_per_item]
    return text


def field_of(path: str) -> str:
    """The request field an item path names: `input[3]` → `input`."""
    return path.split("[", 1)[0].split(".", 1)[0]


def check_token_floor(items: Sequence[EmbedInput], limits: Limits, max_per_item: int, truncate: bool) -> None:
    """Before any model work: refuse when the request surely exceeds `limits.max_tokens_per_request`.

    - token-id items count exactly (cut to the model's length when truncating)
    - a text counts as one token here: its real count is known only after tokenising, where
      the serving core decides on the exact count
    """
    floor = 0
    for item in items:
        if isinstance(item, str):
            floor += 1
        else:
            floor += min(len(item), max_per_item) if truncate else len(item)
    if floor > limits.max_tokens_per_request:
        raise over_budget(f"at least {floor}", limits.max_tokens_per_request, "input")


def over_budget(tokens: str, limit: int, param: str) -> InvalidInput:
    """The refusal of a request over the per-request token budget (the serving core decides on the exact
    count, after tokenising and before any model work)."""
    return InvalidInput(
        f"the request has {tokens} tokens, over the limit of {limit} tokens per request; "
        "split it into smaller requests",
        param=param,
    )
