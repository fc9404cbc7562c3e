"""The packed Qwen3 forward (no padding on a CPU) equals sentence-transformers' padded forward."""

from __future__ import annotations

import random
from pathlib import Path

import pytest

from adapters.cpu.packed_bert import packed_bert
from adapters.cpu.packed_qwen3 import packed_last_token
from tests.support.packed_forward import bf16_cosines, load, packed_vectors, padded_vectors
from tests.support.served import served_embedder

torch = pytest.importorskip("torch")
pytest.importorskip("sentence_transformers")


def mixed_rows(count: int, seed: int = 3) -> list[list[int]]:
    rng = random.Random(seed)
    lengths = [1, 2, 57] + [rng.randint(3, 60) for _ in range(count - 3)]
    return [[rng.randint(10, 20_000) for _ in range(n)] for n in lengths]


def test_packed_equals_padded_for_rows_of_every_length(qwen3_embedder_dir: Path) -> None:
    model = load(qwen3_embedder_dir)
    rows = mixed_rows(12)
    with torch.inference_mode():
        expected = padded_vectors(model, rows)  # before packing: the model's own weights and forward
        packed = packed_last_token(model)
        assert packed is not None, "a Qwen3 last-token embedder is packed"
        got = packed_vectors(packed, rows)
        alone = torch.cat([packed_vectors(packed, [row]) for row in rows])
        after = padded_vectors(model, rows)
    assert torch.allclose(got, expected, atol=1e-5), (got - expected).abs().max()
    assert torch.allclose(got, alone, atol=1e-5), "a row's vector does not depend on its batch"
    assert torch.allclose(after, expected, atol=1e-5), "the model's own forward still works on the packed weights"
    own = [name for name, _ in model.named_parameters() if name.endswith("proj.weight")]
    assert not own, f"the packed Linear layers keep one copy of their weights, not two: {own[:3]}"


def test_packed_bf16_stays_close_to_fp32(qwen3_embedder_dir: Path) -> None:
    assert bf16_cosines(qwen3_embedder_dir, packed_last_token, mixed_rows(8)).min() >= 0.999


def test_other_models_keep_their_own_forward(qwen3_embedder_dir: Path, bundled_model_path: Path) -> None:
    assert packed_last_token(load(bundled_model_path)) is None, "BERT with mean pooling"
    assert packed_bert(load(qwen3_embedder_dir)) is None, "a Qwen3 decoder is not packed as BERT"
    mean_pooled = load(qwen3_embedder_dir)
    mean_pooled[1].pooling_mode_lasttoken, mean_pooled[1].pooling_mode_mean_tokens = False, True
    assert packed_last_token(mean_pooled) is None, "a Qwen3 decoder pooled another way"
    windowed = load(qwen3_embedder_dir)
    windowed[0].auto_model.config.use_sliding_window = True
    assert packed_last_token(windowed) is None, "sliding-window attention is not what the packed forward computes"


def test_int8_keeps_its_quantized_layers_and_stays_close_to_fp32(qwen3_embedder_dir: Path) -> None:
    import asyncio

    from adapters.engines import sentence_transformers as st_engine
    from adapters.engines.base import ModelSpec

    rows = mixed_rows(6)
    with torch.inference_mode():
        reference = padded_vectors(load(qwen3_embedder_dir), rows)
    model = served_embedder(
        st_engine.load(ModelSpec(id="q8", path=str(qwen3_embedder_dir), device="cpu", dtype="int8"))
    )
    try:
        vectors = torch.tensor(asyncio.run(model.embed(rows, truncate=True)).vectors)
    finally:
        asyncio.run(model.close())
    assert (vectors * reference).sum(dim=1).min() > 0.9, "dynamic int8 Linear layers, packed rows"
