"""The packed Qwen3 forward (no padding on a CPU) equals sentence-transformers' padded forward."""

from __future__ import annotations

import random
from pathlib import Path

import pytest

from adapters.engines.packed_bert import packed_bert
from adapters.engines.packed_qwen3 import packed_last_token
from adapters.engines.sentence_transformers import pad_rows

torch = pytest.importorskip("torch")
sentence_transformers = pytest.importorskip("sentence_transformers")


def load(directory: Path, dtype: str = "float32"):  # type: ignore[no-untyped-def]
    model = sentence_transformers.SentenceTransformer(
        str(directory), device="cpu", model_kwargs={"dtype": getattr(torch, dtype)}
    )
    return model.eval()


def mixed_rows(count: int, seed: int = 3) -> list[list[int]]:
    rng = random.Random(seed)
    lengths = [1, 2, 57] + [rng.randint(3, 60) for _ in range(count - 3)]
    return [[rng.randint(10, 20_000) for _ in range(n)] for n in lengths]


def padded_vectors(model, rows: list[list[int]]):  # type: ignore[no-untyped-def]
    tokenizer = model.tokenizer
    ids, mask = pad_rows(rows, tokenizer.pad_token_id or 0, left=tokenizer.padding_side == "left")
    out = model.forward({"input_ids": ids, "attention_mask": mask})["sentence_embedding"].float()
    return torch.nn.functional.normalize(out, dim=1)


def packed_vectors(packed, rows: list[list[int]]):  # type: ignore[no-untyped-def]
    return torch.nn.functional.normalize(packed(rows).float(), dim=1)


def test_packed_equals_padded_for_rows_of_every_length(qwen3_embedder_dir: Path) -> None:
    model = load(qwen3_embedder_dir)
    packed = packed_last_token(model)
    assert packed is not None, "a Qwen3 last-token embedder is packed"
    rows = mixed_rows(12)
    with torch.inference_mode():
        expected, got = padded_vectors(model, rows), packed_vectors(packed, rows)
        alone = torch.cat([packed_vectors(packed, [row]) for row in rows])
    assert torch.allclose(got, expected, atol=1e-5), (got - expected).abs().max()
    assert torch.allclose(got, alone, atol=1e-5), "a row's vector does not depend on its batch"


def test_packed_bf16_stays_close_to_fp32(qwen3_embedder_dir: Path) -> None:
    rows = mixed_rows(8)
    packed = packed_last_token(load(qwen3_embedder_dir, "bfloat16"))
    assert packed is not None
    with torch.inference_mode():
        reference = padded_vectors(load(qwen3_embedder_dir), rows)
        cosine = (packed_vectors(packed, rows) * reference).sum(dim=1)
    assert cosine.min() >= 0.999


def test_other_models_keep_their_own_forward(qwen3_embedder_dir: Path, bundled_model_path: Path) -> None:
    assert packed_last_token(load(bundled_model_path)) is None, "BERT with mean pooling"
    assert packed_bert(load(qwen3_embedder_dir)) is None, "a Qwen3 decoder is not packed as BERT"
    mean_pooled = load(qwen3_embedder_dir)
    mean_pooled[1].pooling_mode_lasttoken, mean_pooled[1].pooling_mode_mean_tokens = False, True
    assert packed_last_token(mean_pooled) is None, "a Qwen3 decoder pooled another way"
    windowed = load(qwen3_embedder_dir)
    windowed[0].auto_model.config.use_sliding_window = True
    assert packed_last_token(windowed) is None, "sliding-window attention is not what the packed forward computes"
