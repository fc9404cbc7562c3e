"""What a sentence-transformers model can do (ModelInfo), read from the loaded objects.

Shared by the engines that load through sentence-transformers: ours and infinity's.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from adapters.engines.base import ModelSpec
from adapters.engines.checkpoint import read_json
from adapters.token_frame import token_frame
from domain.errors import InvalidInput
from domain.models import Capability, ModelInfo

# A sentence-transformers query prompt of this shape marks an instruction-aware (Qwen3-style) model.
INSTRUCT_PROMPT = re.compile(r"^Instruct: (?P<task>.*)\nQuery:$", re.DOTALL)
QWEN3_MIN_DIMENSIONS = 32
# Hugging Face's "no limit known" placeholder for model_max_length is ~1e30.
_NO_LIMIT = 1_000_000


def transformer_module(model: Any) -> Any:
    """The sentence-transformers Transformer module, also under infinity's CTranslate2 wrapper."""
    first = model._first_module()
    # infinity's CT2Transformer keeps the original module's bound `tokenize` and nothing else of it.
    return first._tokenize.__self__ if hasattr(first, "_tokenize") else first


def embedding_info(spec: ModelSpec, model: Any, directory: Path, owned_by: str) -> ModelInfo:
    module = transformer_module(model)
    prompts = {k: v for k, v in (getattr(model, "prompts", None) or {}).items() if isinstance(v, str)}
    match = INSTRUCT_PROMPT.match(prompts.get("query", ""))
    instruction_aware = bool(match) or read_json(directory / "config.json").get("model_type") == "qwen3"
    prefix, suffix = token_frame(module.tokenizer)
    return ModelInfo(
        id=spec.id,
        capabilities=frozenset({Capability.EMBED}),
        dimension=model.get_sentence_embedding_dimension(),
        min_dimensions=QWEN3_MIN_DIMENSIONS if instruction_aware else 1,
        max_tokens=int(module.max_seq_length or module.tokenizer.model_max_length),
        vocab_size=len(module.tokenizer),
        token_prefix=prefix,
        token_suffix=suffix,
        instruction_aware=instruction_aware,
        default_instruction=match.group("task") if match else None,
        prompts=prompts,
        owned_by=owned_by,
    )


def reranker_info(spec: ModelSpec, encoder: Any, owned_by: str) -> ModelInfo:
    return ModelInfo(
        id=spec.id,
        capabilities=frozenset({Capability.RERANK}),
        max_tokens=cross_encoder_limit(encoder),
        vocab_size=len(encoder.tokenizer),
        owned_by=owned_by,
    )


def cross_encoder_limit(encoder: Any) -> int:
    """Tokens a (query, document) pair may have: the configured max_length, else what the model reads."""
    if encoder.max_length:
        return int(encoder.max_length)
    positions = getattr(encoder.model.config, "max_position_embeddings", 512)
    declared = encoder.tokenizer.model_max_length
    # RoBERTa-style models declare 514 positions but read 512 tokens: trust a real tokenizer limit first.
    return int(min(declared, positions)) if declared < _NO_LIMIT else int(positions)


def too_long(param: str, count: int, limit: int) -> InvalidInput:
    """The refusal of an over-long item under truncate: false; one wording whatever the engine."""
    return InvalidInput(
        f"{param} has {count} tokens, over the model's limit of {limit}; shorten it or send truncate: true",
        param=param.split("[")[0],
    )
