"""The sentence-transformers engine equals sentence-transformers' own encode / CrossEncoder.predict."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from adapters.engines import sentence_transformers as st_engine
from adapters.engines.base import ModelSpec
from domain.models import Capability
from tests.contract.test_embedder_contract import cosine
from tests.support.served import served

TEXTS = ["Hello world", "The quick brown fox jumps over the lazy dog " * 3, "x", "Ünïcödé text, with punctuation!"]


@pytest.fixture(scope="module")
def st_embedder(bundled_model_path: Path):  # type: ignore[no-untyped-def]
    model = served(
        st_engine.load(ModelSpec(id="m", path=str(bundled_model_path), batch_size=2, device="cpu", dtype="float32"))
    )
    yield model
    asyncio.run(model.close())


def test_vectors_equal_encode(st_embedder, reference_encoder) -> None:  # type: ignore[no-untyped-def]
    ours = asyncio.run(st_embedder.embed(TEXTS, truncate=True))
    reference = reference_encoder.encode(TEXTS, normalize_embeddings=True)
    for a, b in zip(ours.vectors, reference, strict=True):
        assert cosine(a, b.tolist()) >= 0.99999


def test_usage_counts_real_tokens(st_embedder, reference_encoder) -> None:  # type: ignore[no-untyped-def]
    ours = asyncio.run(st_embedder.embed(TEXTS, truncate=True))
    expected = [len(ids) for ids in reference_encoder.tokenizer(TEXTS)["input_ids"]]
    assert list(ours.token_counts) == expected


def test_model_info(st_embedder) -> None:  # type: ignore[no-untyped-def]
    info = st_embedder.info
    assert (info.dimension, info.max_tokens, info.vocab_size) == (384, 256, 30522)
    assert info.capabilities == frozenset({Capability.EMBED})
    assert not info.instruction_aware


@pytest.fixture(scope="module")
def tiny_cross_encoder(tmp_path_factory: pytest.TempPathFactory, bundled_model_path: Path) -> Path:
    """A random BERT cross-encoder with the bundled tokenizer: no cross-encoder ships on PyPI."""
    import torch
    from transformers import AutoTokenizer, BertConfig, BertForSequenceClassification

    torch.manual_seed(0)
    directory = tmp_path_factory.mktemp("cross-encoder")
    tokenizer = AutoTokenizer.from_pretrained(str(bundled_model_path))
    config = BertConfig(
        vocab_size=tokenizer.vocab_size, hidden_size=32, num_hidden_layers=2, num_attention_heads=2,
        intermediate_size=64, max_position_embeddings=128, num_labels=1,
    )  # fmt: skip
    BertForSequenceClassification(config).save_pretrained(directory)
    tokenizer.save_pretrained(directory)
    return directory


def test_cross_encoder_equals_predict(tiny_cross_encoder: Path) -> None:
    from sentence_transformers import CrossEncoder

    model = served(
        st_engine.load(ModelSpec(id="ce", path=str(tiny_cross_encoder), batch_size=2, device="cpu", dtype="float32"))
    )
    assert model.info.capabilities == frozenset({Capability.RERANK})
    query, docs = "which product has warranty", ["Product A has a warranty", "red and blue", "warranty " * 80]
    ours = asyncio.run(model.score(query, docs, instruction=None, truncate=True))
    reference = CrossEncoder(str(tiny_cross_encoder), device="cpu", max_length=128).predict([(query, d) for d in docs])
    assert list(ours.scores) == pytest.approx(reference.tolist(), abs=1e-5)
    assert ours.token_count == sum(min(128, n) for n in _pair_lengths(model, query, docs))
    asyncio.run(model.close())


def _pair_lengths(model, query, docs):  # type: ignore[no-untyped-def]
    return [len(ids) for ids in model.engine._model.tokenizer([query] * len(docs), docs)["input_ids"]]
