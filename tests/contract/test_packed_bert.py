"""The packed BERT forward (no padding in the Linear layers, chunked attention) equals sentence-transformers'."""

from __future__ import annotations

import random
import warnings
from pathlib import Path

import pytest

from adapters.cpu.packed_bert import packed_bert
from tests.support.packed_forward import bf16_cosines, load, packed_vectors, padded_vectors

torch = pytest.importorskip("torch")
pytest.importorskip("sentence_transformers")


def mixed_rows(count: int, seed: int = 5, longest: int = 256) -> list[list[int]]:
    """Rows of every kind of length: one token, two, the model's limit, and a spread in between."""
    rng = random.Random(seed)
    lengths = [1, 2, longest] + [rng.randint(3, 90) for _ in range(count - 3)]
    return [[101] + [rng.randint(1000, 29_000) for _ in range(n - 1)] for n in lengths]


def tiny_embedder(directory: Path, tokenizer_path: Path, architecture: str, pooling_mode: str) -> Path:
    """A random 4-head encoder of `architecture` with the bundled tokenizer, behind pooling and Normalize."""
    import transformers
    from sentence_transformers import SentenceTransformer, models

    torch.manual_seed(0)
    tokenizer = transformers.AutoTokenizer.from_pretrained(str(tokenizer_path))
    config_class = getattr(transformers, architecture.replace("Model", "Config"))
    config = config_class(
        vocab_size=tokenizer.vocab_size, hidden_size=64, num_hidden_layers=2, num_attention_heads=4,
        intermediate_size=128, max_position_embeddings=300, pad_token_id=tokenizer.pad_token_id,
    )  # fmt: skip
    getattr(transformers, architecture)(config).save_pretrained(directory / "weights")
    tokenizer.save_pretrained(directory / "weights")
    transformer = models.Transformer(str(directory / "weights"), max_seq_length=256)
    pooling = models.Pooling(64, pooling_mode=pooling_mode)
    SentenceTransformer(modules=[transformer, pooling, models.Normalize()]).save(str(directory / "embedder"))
    return directory / "embedder"


@pytest.fixture(scope="module")
def embedders(tmp_path_factory: pytest.TempPathFactory, bundled_model_path: Path) -> dict[str, Path]:
    made = {
        name: tiny_embedder(tmp_path_factory.mktemp(name), bundled_model_path, architecture, pooling)
        for name, architecture, pooling in [
            ("bert-cls", "BertModel", "cls"),
            ("roberta-mean", "RobertaModel", "mean"),
            ("xlm-roberta-cls", "XLMRobertaModel", "cls"),
        ]
    }
    return {"minilm-mean": bundled_model_path, **made}


@pytest.mark.parametrize("name", ["minilm-mean", "bert-cls", "roberta-mean", "xlm-roberta-cls"])
def test_packed_equals_padded_for_rows_of_every_length(name: str, embedders: dict[str, Path]) -> None:
    model = load(embedders[name])
    rows = mixed_rows(24)
    with torch.inference_mode():
        expected = padded_vectors(model, rows)
        packed = packed_bert(model)
        assert packed is not None, f"{name} is packed"
        got = packed_vectors(packed, rows)
        alone = torch.cat([packed_vectors(packed, [row]) for row in rows])
        after = padded_vectors(model, rows)
    assert torch.allclose(got, expected, atol=1e-5), (got - expected).abs().max()
    assert torch.allclose(got, alone, atol=1e-5), "a row's vector does not depend on its batch"
    assert torch.allclose(after, expected, atol=1e-5), "the model's own forward still works on the packed weights"
    own = [name for name, _ in model.named_parameters() if name.endswith("dense.weight") and ".layer." in name]
    assert not own, f"the packed Linear layers keep one copy of their weights, not two: {own[:3]}"


@pytest.mark.parametrize(
    ("knob", "whole"),
    [("SCORE_CHUNK", 1 << 30), ("FP32_GROUP_TOKENS", 1 << 30), ("WIDTH_STEP", 96)],  # 96: padded past every row
)
def test_chunks_and_groups_agree_with_the_whole_batch(
    knob: str, whole: int, bundled_model_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from adapters.cpu import packed_bert as module

    packed = packed_bert(load(bundled_model_path))
    assert packed is not None
    rows = mixed_rows(20, seed=9, longest=80)
    with torch.inference_mode():
        monkeypatch.setattr(module, knob, 1)  # one row at a time (widths not rounded)
        row_by_row = packed_vectors(packed, rows)
        monkeypatch.setattr(module, knob, whole)  # the whole batch at once (every chunk padded wide)
        together = packed_vectors(packed, rows)
    assert torch.allclose(row_by_row, together, atol=1e-6)


def test_packed_bf16_stays_close_to_fp32(bundled_model_path: Path) -> None:
    assert bf16_cosines(bundled_model_path, packed_bert, mixed_rows(16)).min() >= 0.999


def test_other_models_keep_their_own_forward(bundled_model_path: Path) -> None:
    from sentence_transformers import models

    max_pooled = load(bundled_model_path)
    max_pooled[1].pooling_mode_mean_tokens, max_pooled[1].pooling_mode_max_tokens = False, True
    assert packed_bert(max_pooled) is None, "max pooling is not what the packed forward computes"
    relative = load(bundled_model_path)
    relative[0].auto_model.config.position_embedding_type = "relative_key"
    assert packed_bert(relative) is None, "relative positions are not what the packed forward computes"
    with_dense = load(bundled_model_path)
    with_dense.append(models.Dense(384, 128))
    assert packed_bert(with_dense) is None, "a Dense layer after pooling"
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # torch's quantized tensors are deprecated in favour of torchao
        quantized = torch.ao.quantization.quantize_dynamic(load(bundled_model_path), {torch.nn.Linear}, torch.qint8)
    assert packed_bert(quantized) is None, "int8 Linear layers keep their own forward"


def test_a_batch_of_empty_rows_gives_zero_vectors(bundled_model_path: Path) -> None:
    packed = packed_bert(load(bundled_model_path))
    assert packed is not None
    with torch.inference_mode():
        pooled = packed([[], []])
    assert pooled.shape == (2, 384) and not pooled.any(), "mean of no tokens, as sentence-transformers gives"
