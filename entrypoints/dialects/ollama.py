"""Ollama's embedding API (`/api/embed`, `/api/embeddings`, `/api/tags`) as the ollama client speaks it.

- embed: `input` (text or texts), `truncate`, `dimensions`; `options` (Ollama's runtime knobs such as
  num_ctx) → 400 unless empty; `keep_alive` has no effect: models here stay loaded
- embeddings (legacy): `prompt` → one vector, `{"embedding": [...]}`
- tags: every served model, with the fields the client parses
"""

from __future__ import annotations

from typing import Any

import msgspec

from domain.errors import InvalidInput
from domain.models import EmbeddingsRequest, EmbeddingsResult, ModelInfo
from entrypoints.convert import float_json


class OllamaEmbedBody(msgspec.Struct, kw_only=True):
    model: str
    input: str | list[str]
    truncate: bool | None = None
    dimensions: int | None = None
    options: dict[str, Any] | None = None
    keep_alive: float | str | None = None


class OllamaEmbeddingsBody(msgspec.Struct, kw_only=True):
    model: str
    prompt: str
    options: dict[str, Any] | None = None
    keep_alive: float | str | None = None


class OllamaEmbedOut(msgspec.Struct):
    model: str
    embeddings: list[list[float]]
    total_duration: int
    load_duration: int
    prompt_eval_count: int


class OllamaEmbeddingOut(msgspec.Struct):
    embedding: list[float]


class OllamaDetails(msgspec.Struct):
    format: str
    family: str
    families: list[str]
    parameter_size: str
    quantization_level: str


class OllamaModel(msgspec.Struct):
    name: str
    model: str
    modified_at: str
    size: int
    digest: str
    details: OllamaDetails


class OllamaTags(msgspec.Struct):
    models: list[OllamaModel]


def ollama_embed_request(body: OllamaEmbedBody) -> EmbeddingsRequest:
    _no_options(body.options)
    inputs = [body.input] if isinstance(body.input, str) else body.input
    return EmbeddingsRequest(model=body.model, inputs=inputs, truncate=body.truncate, dimensions=body.dimensions)


def ollama_embeddings_request(body: OllamaEmbeddingsBody) -> EmbeddingsRequest:
    _no_options(body.options)
    return EmbeddingsRequest(model=body.model, inputs=[body.prompt])


def ollama_embed_response(result: EmbeddingsResult, nanoseconds: int) -> OllamaEmbedOut:
    return OllamaEmbedOut(
        result.model, [float_json(v) for v in result.vectors], nanoseconds, 0, result.usage.total_tokens
    )


def ollama_tags(models: list[ModelInfo]) -> OllamaTags:
    details = OllamaDetails(format="safetensors", family="", families=[], parameter_size="", quantization_level="")
    return OllamaTags(
        [OllamaModel(m.id, m.id, "1970-01-01T00:00:00Z", 0, "", details) for m in models],
    )


def _no_options(options: dict[str, Any] | None) -> None:
    if options:
        names = ", ".join(sorted(options))
        raise InvalidInput(f"'options' ({names}) are not supported: this server has no Ollama runtime", param="options")
