"""The infinity engine on real checkpoints: parity with sentence-transformers, real usage, exact inputs."""

from __future__ import annotations

import asyncio
import math
from array import array
from collections.abc import Iterator
from pathlib import Path

import pytest

from adapters.engines.base import ModelSpec
from adapters.engines.model_info import transformer_module
from bench.qwen3_tiny import EMBEDDER_MAX_SEQ_LENGTH, QWEN3_QUERY_PROMPT
from domain.errors import InvalidInput
from tests.support.served import served

pytestmark = pytest.mark.slow

LONG = "retrieval " * 400  # far over MiniLM's 256 tokens
MIXED = ["short", "a somewhat longer sentence about retrieval and ranking", "x", LONG, "mid length text here"]
# Leading/trailing whitespace and newlines that strip() would lose, and the exact Qwen3 query template.
EXACT = ["Instruct: find it\nQuery:hello", "\n  hello world  \n", " lead", "trail\n\n"]


@pytest.fixture(scope="module")
def runner() -> Iterator[asyncio.Runner]:
    """One event loop for a module: infinity's batching threads live as long as the loop they started on."""
    with asyncio.Runner() as loop_runner:
        yield loop_runner


def load_started(runner: asyncio.Runner, spec: ModelSpec):  # type: ignore[no-untyped-def]
    from adapters.engines import infinity

    model = served(infinity.load(spec))
    runner.run(model.engine.start())
    return model


@pytest.fixture(scope="module")
def minilm(runner: asyncio.Runner, bundled_model_path: Path):  # type: ignore[no-untyped-def]
    model = load_started(runner, ModelSpec(id="minilm", path=str(bundled_model_path), batch_size=8, device="cpu"))
    yield model
    runner.run(model.close())


def cosine(a, b) -> float:  # type: ignore[no-untyped-def]
    dot = sum(x * y for x, y in zip(a, b, strict=True))
    return dot / math.sqrt(sum(x * x for x in a) * sum(y * y for y in b))


def test_vectors_equal_sentence_transformers(minilm, runner, reference_encoder) -> None:  # type: ignore[no-untyped-def]
    batch = runner.run(minilm.embed(MIXED, truncate=True))
    reference = reference_encoder.encode(MIXED, normalize_embeddings=True)
    assert len(batch.vectors) == len(MIXED)
    for got, want in zip(batch.vectors, reference, strict=True):
        # Plain float32 values (no numpy past the adapter), as every engine returns them.
        assert isinstance(got, array) and got.typecode == "f"
        assert math.isclose(math.sqrt(sum(x * x for x in got)), 1.0, rel_tol=1e-6)
        assert cosine(got, want.tolist()) >= 0.99999


def test_usage_counts_real_tokens_with_the_models_truncation(minilm, runner) -> None:  # type: ignore[no-untyped-def]
    tokenizer = transformer_module(minilm.engine._engine._model_replicas[0]).tokenizer
    want = [len(tokenizer(t, truncation=True, max_length=256)["input_ids"]) for t in MIXED]
    assert want[0] == 3 and want[3] == 256  # [CLS] short [SEP]; the long text cut to the limit
    assert runner.run(minilm.embed(MIXED, truncate=True)).token_counts == want


def test_order_kept_across_concurrent_mixed_length_requests(minilm, runner) -> None:  # type: ignore[no-untyped-def]
    texts = [f"{'word ' * (i * 7 % 23)}item {i}" for i in range(24)]
    alone = runner.run(minilm.embed(texts, truncate=True)).vectors

    async def many():  # type: ignore[no-untyped-def]
        return await asyncio.gather(*(minilm.embed(texts[i : i + 3], truncate=True) for i in range(0, 24, 3)))

    together = [v for batch in runner.run(many()) for v in batch.vectors]
    for a, b in zip(together, alone, strict=True):
        assert cosine(a, b) >= 0.99999


def test_truncate_false_refuses_the_item_by_name(minilm, runner) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(InvalidInput, match=r"^input\[3\] has \d+ tokens, over the model's limit of 256") as info:
        runner.run(minilm.embed(MIXED, truncate=False))
    assert info.value.param == "input"


def test_token_ids_go_in_as_they_are(minilm, runner) -> None:  # type: ignore[no-untyped-def]
    ids = (101, 7592, 2088, 102)  # [CLS] hello world [SEP]
    batch = runner.run(minilm.embed([ids, "hello world"], truncate=True))
    assert batch.token_counts == [4, 4]
    assert cosine(batch.vectors[0], batch.vectors[1]) >= 0.99999
    with pytest.raises(InvalidInput, match=r"input\[0\] has 300 tokens"):
        runner.run(minilm.embed([(100,) * 300], truncate=False))


def test_minilm_model_info(minilm) -> None:  # type: ignore[no-untyped-def]
    info = minilm.info
    assert (info.id, info.dimension, info.max_tokens, info.vocab_size) == ("minilm", 384, 256, 30522)
    assert not info.instruction_aware and info.owned_by == "infinity"


@pytest.fixture(scope="module")
def qwen3(runner, qwen3_embedder_dir: Path):  # type: ignore[no-untyped-def]
    model = load_started(runner, ModelSpec(id="qwen3-tiny", path=str(qwen3_embedder_dir), device="cpu"))
    yield model
    runner.run(model.close())


def test_whitespace_and_newlines_reach_the_model_exactly(qwen3, runner) -> None:  # type: ignore[no-untyped-def]
    module = transformer_module(qwen3.engine._engine._model_replicas[0])
    tokenizer = module.tokenizer
    expected = [tokenizer(t)["input_ids"] for t in EXACT]
    # Byte-level BPE: the test only proves something if stripping would change the ids.
    for ids, text in zip(expected[1:], EXACT[1:], strict=True):
        assert ids != tokenizer(text.strip())["input_ids"]
    seen: list[list[int]] = []

    def spy(_module, _args, kwargs):  # type: ignore[no-untyped-def]
        for ids, mask in zip(kwargs["input_ids"].tolist(), kwargs["attention_mask"].tolist(), strict=True):
            seen.append([i for i, m in zip(ids, mask, strict=True) if m])

    hook = module.auto_model.register_forward_pre_hook(spy, with_kwargs=True)
    try:
        batch = runner.run(qwen3.embed(EXACT, truncate=True))
    finally:
        hook.remove()
    assert sorted(seen) == sorted(expected)
    assert batch.token_counts == [len(ids) for ids in expected]
    assert all(ids[-1] == 151643 for ids in expected)  # <|endoftext|> last, as Qwen3 pools it


def test_qwen3_last_token_pooling_matches_sentence_transformers(qwen3, runner, qwen3_embedder_dir) -> None:  # type: ignore[no-untyped-def]
    from sentence_transformers import SentenceTransformer

    texts = [EXACT[0], "a document " * 100, "two words"]  # the middle one is cut at 128 tokens
    reference = SentenceTransformer(str(qwen3_embedder_dir), device="cpu").encode(texts, normalize_embeddings=True)
    batch = runner.run(qwen3.embed(texts, truncate=True))
    assert batch.token_counts[1] == EMBEDDER_MAX_SEQ_LENGTH
    for got, want in zip(batch.vectors, reference, strict=True):
        assert cosine(got, want.tolist()) >= 0.99999


def test_qwen3_is_instruction_aware(qwen3) -> None:  # type: ignore[no-untyped-def]
    info = qwen3.info
    assert info.instruction_aware and info.min_dimensions == 32
    assert f"Instruct: {info.default_instruction}\nQuery:" == QWEN3_QUERY_PROMPT
    assert info.prompts["query"] == QWEN3_QUERY_PROMPT and info.max_tokens == EMBEDDER_MAX_SEQ_LENGTH


@pytest.fixture(scope="module")
def reranker(runner, cross_encoder_dir: Path):  # type: ignore[no-untyped-def]
    model = load_started(runner, ModelSpec(id="ce", path=str(cross_encoder_dir), batch_size=4, device="cpu"))
    yield model
    runner.run(model.close())


def test_rerank_scores_in_document_order_equal_cross_encoder(reranker, runner, cross_encoder_dir) -> None:  # type: ignore[no-untyped-def]
    from sentence_transformers import CrossEncoder

    query = "what is retrieval?"
    docs = ["retrieval finds passages", "bananas are yellow", "ranking " * 300, "a search engine retrieves"]
    reference = CrossEncoder(str(cross_encoder_dir), device="cpu").predict([(query, d) for d in docs])
    result = runner.run(reranker.score(query, docs, instruction=None, truncate=True))
    assert result.scores == pytest.approx([float(s) for s in reference], abs=1e-5)
    assert len(set(round(s, 3) for s in result.scores)) == len(docs)  # distinct: order is really tested
    tokenizer = reranker.engine._engine._model_replicas[0].tokenizer
    want = sum(len(tokenizer(query, d, truncation=True, max_length=512)["input_ids"]) for d in docs)
    assert result.token_count == want
    assert reranker.info.max_tokens == 512


def test_rerank_truncate_false_names_the_document(reranker, runner) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(InvalidInput, match=r"^documents\[1\] has \d+ tokens, over the model's limit of 512"):
        runner.run(reranker.score("q", ["fine", "ranking " * 600], instruction=None, truncate=False))
