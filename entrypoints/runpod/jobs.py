"""What a RunPod job asks for, decoded strictly into the request schemas the HTTP server uses.

Routing follows the seed worker: `openai_route` (with `openai_input`) first, then a standard rerank
job (it has `query`), then a standard embeddings job (it has `input`).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Literal

from domain.errors import InvalidInput
from entrypoints.schemas import EmbeddingsBody, RerankBody
from entrypoints.strict import decode_value as decode

Operation = Literal["models", "embeddings", "rerank"]

OPENAI_ROUTES: dict[str, Operation] = {
    "/v1/models": "models",
    "/v1/embeddings": "embeddings",
    "/v1/rerank": "rerank",
    "/v2/rerank": "rerank",
}


@dataclass(frozen=True, slots=True)
class ModelsJob:
    pass


@dataclass(frozen=True, slots=True)
class EmbeddingsJob:
    body: EmbeddingsBody


@dataclass(frozen=True, slots=True)
class RerankJob:
    body: RerankBody
    seed_shape: bool  # a standard job gets the seed's `scores` / `docs` beside the Cohere fields


Job = ModelsJob | EmbeddingsJob | RerankJob


def parse_job(job: Mapping[str, Any]) -> Job:
    """The job's `input` as one of our jobs; anything malformed raises InvalidInput."""
    payload = job.get("input")
    if not isinstance(payload, dict):
        raise InvalidInput('the job needs an \'input\' object, e.g. {"input": {"input": "Hello world"}}', param="input")
    if "openai_route" in payload:
        return _openai_job(payload)
    if "query" in payload:
        return RerankJob(decode(payload, RerankBody), seed_shape=True)
    if "input" in payload:
        return EmbeddingsJob(decode(payload, EmbeddingsBody))
    raise InvalidInput(
        "the job input asks for nothing: send 'input' (texts to embed), 'query' with 'docs' (to rerank), "
        "or 'openai_route'",
        param="input",
    )


def _openai_job(payload: Mapping[str, Any]) -> Job:
    operation = openai_operation(payload["openai_route"])
    if operation == "models":
        return ModelsJob()
    body = payload.get("openai_input")
    if not isinstance(body, dict):
        raise InvalidInput(
            f"'openai_input' must be the OpenAI request body (a JSON object) for openai_route "
            f"{payload['openai_route']!r}",
            param="openai_input",
        )
    if operation == "embeddings":
        return EmbeddingsJob(decode(body, EmbeddingsBody))
    return RerankJob(decode(body, RerankBody), seed_shape=False)


def openai_operation(route: object) -> Operation:
    """`/v1/embeddings`, `/openai/v1/embeddings` and `v1/embeddings/` name the same route."""
    path = ("/" + route.strip().strip("/")).removeprefix("/openai") if isinstance(route, str) else ""
    operation = OPENAI_ROUTES.get(path)
    if operation is None:
        raise InvalidInput(
            f"unknown openai_route {repr(route)[:80]}; this worker serves " + ", ".join(OPENAI_ROUTES),
            param="openai_route",
        )
    return operation
