"""Token-id inputs: whose vocabulary they are in, and what the model is given for them.

OpenAI clients (langchain-openai's defaults, tiktoken users) send ids of OpenAI's `cl100k_base`;
Hugging Face users send ids of the served model's own tokenizer. Ids of one read in the other give
a 200 with vectors of unrelated text, so the choice is a rule, never a guess per id:

- TOKEN_IDS=model: always the model's vocabulary (ids outside it → InvalidInput)
- TOKEN_IDS=cl100k: always cl100k_base, decoded to text and tokenised again by the model
- TOKEN_IDS=auto (default): the model's vocabulary when the array is framed the way the model's
  tokenizer frames a text (starts with its prefix ids and ends with its suffix ids: `[CLS] … [SEP]`
  for BERT, `… <|endoftext|>` for Qwen3), else cl100k_base. tiktoken never adds such frames.
- an array that is not valid for the vocabulary chosen → InvalidInput naming the item and the rule
- cl100k input becomes text: instructions and prompts then apply as to any text; an array in the
  model's own vocabulary cannot take them (no tokenizer here), so asking for one → InvalidInput
"""

from __future__ import annotations

from collections.abc import Sequence

from domain.errors import InvalidInput
from domain.models import ModelInfo, TokenIds
from domain.ports import OpenAITokens

CL100K = "cl100k_base"


def in_model_vocabulary(model: ModelInfo, ids: Sequence[int], mode: TokenIds) -> bool:
    if mode is not TokenIds.AUTO:
        return mode is TokenIds.MODEL
    prefix, suffix = model.token_prefix, model.token_suffix
    if not prefix and not suffix:
        return False
    framed_length = len(prefix) + len(suffix)
    return (
        len(ids) >= framed_length
        and tuple(ids[: len(prefix)]) == prefix
        and (not suffix or tuple(ids[-len(suffix) :]) == suffix)
    )


def check_model_ids(model: ModelInfo, ids: Sequence[int], param: str) -> tuple[int, ...]:
    vocab = model.vocab_size
    if vocab is not None:
        for token in ids:
            if not 0 <= token < vocab:
                raise InvalidInput(
                    f"{param} has token id {token}, outside the vocabulary of model '{model.id}' (0..{vocab - 1})",
                    param=param.split("[")[0],
                )
    return tuple(ids)


def decode_cl100k(model: ModelInfo, ids: Sequence[int], param: str, mode: TokenIds, tokens: OpenAITokens | None) -> str:
    text = tokens.decode(ids) if tokens is not None else None
    if text is None:
        raise InvalidInput(f"{param}: {_why_not_cl100k(model, mode, tokens)}", param=param.split("[")[0])
    return text


def _why_not_cl100k(model: ModelInfo, mode: TokenIds, tokens: OpenAITokens | None) -> str:
    if tokens is None:
        return f"token ids would be read as {CL100K} ids, which this server cannot decode; send text"
    reason = f"these token ids are not {CL100K} text (an id outside it, a special token, or broken UTF-8)"
    if mode is TokenIds.CL100K:
        return f"{reason}; the server reads token ids as {CL100K} (TOKEN_IDS=cl100k)"
    frame = " … ".join(str(list(part)) for part in (model.token_prefix, model.token_suffix) if part)
    hint = f"framed by {frame} as its tokenizer adds them" if frame else "(the server runs TOKEN_IDS=model for that)"
    return (
        f"{reason}; ids of model '{model.id}' are read as its own only when {hint}; "
        "send text, or frame the ids, or ask the operator for TOKEN_IDS=model"
    )
