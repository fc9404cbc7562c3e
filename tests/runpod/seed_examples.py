"""Every request body of the seed README's "Usage" section (and its List Models row), as RunPod job inputs.

The OpenAI-compatible calls reach a worker through RunPod's `/openai/v1/...` proxy as
`openai_route` + `openai_input` jobs; the standard calls are the `input` objects verbatim.
"""

from __future__ import annotations

from typing import Any

SEED_EMBEDDER = "/models/Qwen3-Embedding-0.6B"
SEED_RERANKER = "/models/Qwen3-Reranker-0.6B"
SEARCH_TASK = "Given a web search query, retrieve relevant passages that answer the query"
WARRANTY_DOCS = [
    "Product A comes with a 2-year warranty",
    "Product B is available in red and blue colors",
    "All electronics include a standard 1-year warranty",
]

SEED_USAGE: dict[str, dict[str, Any]] = {
    "openai-list-models": {"openai_route": "/v1/models"},
    "openai-embeddings-basic": {
        "openai_route": "/v1/embeddings",
        "openai_input": {"model": SEED_EMBEDDER, "input": "Hello world"},
    },
    "openai-embeddings-extra-body": {
        "openai_route": "/v1/embeddings",
        "openai_input": {
            "model": SEED_EMBEDDER,
            "input": "What is machine learning?",
            "extra_body": {"prompt_type": "query"},
        },
    },
    "standard-embeddings-basic": {"model": SEED_EMBEDDER, "input": "Hello world"},
    "standard-embeddings-instruction": {
        "model": SEED_EMBEDDER,
        "input": "What is machine learning?",
        "instruction": SEARCH_TASK,
    },
    "standard-rerank": {
        "model": SEED_RERANKER,
        "query": "Which product has warranty coverage?",
        "docs": WARRANTY_DOCS,
        "return_docs": True,
    },
}


def with_models(job_input: dict[str, Any], embedder: str, reranker: str) -> dict[str, Any]:
    """The same job with only `model` changed to served ones."""
    swap = {SEED_EMBEDDER: embedder, SEED_RERANKER: reranker}
    adapted = dict(job_input)
    if "model" in adapted:
        adapted["model"] = swap[adapted["model"]]
    if "openai_input" in adapted:
        adapted["openai_input"] = with_models(adapted["openai_input"], embedder, reranker)
    return adapted
