"""Our Qwen3-Reranker engine against the official transformers recipe, on the tiny random checkpoint.

The reference below is the model card's recipe: the exact prompt, left padding, full logits, softmax
over [no, yes] at the last position. fp32 on CPU, so the two agree to float rounding.
"""

from __future__ import annotations

import asyncio
import random
from collections.abc import Iterator, Sequence
from pathlib import Path

import pytest
import torch
from transformers import AutoModelForCausalLM, AutoTokenizer

from adapters.engines.base import ModelSpec
from adapters.engines.qwen3_reranker import load
from adapters.engines.qwen3_reranker.prompt import DEFAULT_INSTRUCTION, body_text
from adapters.serving.core import RerankCore
from bench.qwen3_reranker_recipe import OfficialReranker
from domain.errors import InvalidInput
from tests.support.served import served_reranker

TOLERANCE = 1e-4
QUERY = "What is the capital of France?"
WORDS = ["the", "capital", "of", "France", "is", "Paris", "river", "42", ",", ".", ";", "(", "é", "中文"]


class Recipe(OfficialReranker):
    def __init__(self, directory: Path) -> None:
        super().__init__(
            AutoModelForCausalLM.from_pretrained(directory, dtype=torch.float32).eval(),
            AutoTokenizer.from_pretrained(directory, padding_side="left"),
        )

    def __call__(
        self, query: str, documents: Sequence[str], instruction: str | None = None, max_length: int = 512
    ) -> list[float]:
        return self.scores(query, documents, instruction, max_length)


@pytest.fixture(scope="module")
def recipe(qwen3_reranker_dir: Path) -> Recipe:
    return Recipe(qwen3_reranker_dir)


def _engine(directory: Path, **options: object) -> RerankCore:
    spec = ModelSpec(id="qwen3-reranker-tiny", path=str(directory), device="cpu", dtype="float32")
    engine = load(spec, **options)  # type: ignore[arg-type]
    if "shared_prefix" in options:
        assert engine.shared_prefix is options["shared_prefix"]
    return served_reranker(engine)


@pytest.fixture(scope="module", params=[True, False], ids=["shared-prefix", "full-prompts"])
def engine(request: pytest.FixtureRequest, qwen3_reranker_dir: Path) -> Iterator[RerankCore]:
    model = _engine(qwen3_reranker_dir, shared_prefix=request.param)
    yield model
    asyncio.run(model.close())


def score(engine: RerankCore, query: str, documents: Sequence[str], **kwargs: object) -> list[float]:
    options = {"instruction": None, "truncate": True, **kwargs}
    return list(asyncio.run(engine.score(query, documents, **options)).scores)  # type: ignore[arg-type]


def assert_close(ours: Sequence[float], reference: Sequence[float]) -> None:
    assert len(ours) == len(reference)
    worst = max(abs(a - b) for a, b in zip(ours, reference, strict=True))
    assert worst < TOLERANCE, (worst, ours, reference)


def mixed_documents(count: int, seed: int = 3) -> list[str]:
    rng = random.Random(seed)
    docs = [" ".join(rng.choice(WORDS) for _ in range(rng.randint(1, 60))) for _ in range(count)]
    # Awkward starts and ends at the cut after "<Document>:".
    return [*docs, "", " leading space", "\nnewline first", "5 apples", "<|im_end|> injected"]


def test_single_document(engine: RerankCore, recipe: Recipe) -> None:
    docs = ["Paris is the capital and largest city of France."]
    assert_close(score(engine, QUERY, docs), recipe(QUERY, docs))


def test_mixed_length_batch(engine: RerankCore, recipe: Recipe) -> None:
    docs = mixed_documents(8)
    ours, reference = score(engine, QUERY, docs), recipe(QUERY, docs)
    assert_close(ours, reference)
    # The fixture model spreads its scores: a wrong position or mask could not hide in the tolerance.
    assert max(reference) - min(reference) > 0.02


def test_custom_instruction(engine: RerankCore, recipe: Recipe) -> None:
    docs = mixed_documents(4, seed=5)
    instruction = "Given a question, find passages in French"
    ours = score(engine, QUERY, docs, instruction=instruction)
    assert_close(ours, recipe(QUERY, docs, instruction))
    assert max(abs(a - b) for a, b in zip(ours, recipe(QUERY, docs), strict=True)) > TOLERANCE


def test_truncation_of_a_long_document(engine: RerankCore, recipe: Recipe) -> None:
    docs = ["short one", "Paris " + "and the river bank " * 300, "another short one"]
    max_length = engine.info.max_tokens
    assert_close(score(engine, QUERY, docs), recipe(QUERY, docs, max_length=max_length))
    with pytest.raises(InvalidInput, match=r"documents\[1\]"):
        score(engine, QUERY, docs, truncate=False)


def test_a_query_that_fills_the_window(engine: RerankCore, recipe: Recipe) -> None:
    query = "where " * 600
    docs = ["one", "two"]
    assert_close(score(engine, query, docs), recipe(query, docs))
    with pytest.raises(InvalidInput, match="query"):
        score(engine, query, docs, truncate=False)


def test_alone_equals_in_batch(engine: RerankCore) -> None:
    docs = mixed_documents(9, seed=11)
    batch = score(engine, QUERY, docs)
    alone = [score(engine, QUERY, [d])[0] for d in docs]
    assert_close(batch, alone)


def test_token_budget_splits_work_without_changing_scores(qwen3_reranker_dir: Path, recipe: Recipe) -> None:
    docs = mixed_documents(10, seed=13)
    for shared in (True, False):
        tiny_budget = _engine(qwen3_reranker_dir, shared_prefix=shared, token_budget=1)
        try:
            assert_close(score(tiny_budget, QUERY, docs), recipe(QUERY, docs))
        finally:
            asyncio.run(tiny_budget.close())


def test_token_counts_are_the_tokens_the_model_sees(engine: RerankCore, recipe: Recipe) -> None:
    docs = mixed_documents(3, seed=17)
    pairs = [body_text(DEFAULT_INSTRUCTION, QUERY, d) for d in docs]
    bodies = recipe.tokenizer(pairs)["input_ids"]
    expected = sum(len(recipe.prefix) + len(ids) + len(recipe.suffix) for ids in bodies)
    result = asyncio.run(engine.score(QUERY, docs, instruction=None, truncate=True))
    assert result.token_count == expected


def test_untied_lm_head(tmp_path: Path) -> None:
    # Larger Qwen3 checkpoints keep a separate LM head: the score vector must come from it.
    from bench.qwen3_tiny import build_qwen3_reranker

    directory = build_qwen3_reranker(tmp_path, seed=1, tie_word_embeddings=False)
    docs = mixed_documents(3, seed=19)
    model = _engine(directory)
    try:
        assert_close(score(model, QUERY, docs), Recipe(directory)(QUERY, docs))
    finally:
        asyncio.run(model.close())
