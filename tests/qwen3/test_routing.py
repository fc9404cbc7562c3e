"""Only checkpoints that really are Qwen3-Reranker reach the reranker engine; other causal LMs are refused."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from adapters.engines.base import Engine, ModelSpec
from adapters.engines.checkpoint import CROSS_ENCODER, EMBEDDING, QWEN3_RERANKER, NotServable, detect_kind
from adapters.engines.routing import route_qwen3_rerankers


def checkpoint(directory: Path, *, modules: bool = False, **config: object) -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    (directory / "config.json").write_text(json.dumps(config))
    if modules:
        (directory / "modules.json").write_text("[]")
    return directory


def test_kinds_from_the_checkpoints_own_files(tmp_path: Path) -> None:
    reranker = checkpoint(tmp_path / "r", model_type="qwen3", architectures=["Qwen3ForCausalLM"])
    embedder = checkpoint(tmp_path / "e", modules=True, model_type="qwen3", architectures=["Qwen3ForCausalLM"])
    cross = checkpoint(tmp_path / "c", model_type="bert", architectures=["BertForSequenceClassification"])
    bare = checkpoint(tmp_path / "b", model_type="bert", architectures=["BertModel"])
    assert detect_kind(reranker) == QWEN3_RERANKER
    assert detect_kind(embedder) == EMBEDDING, "Qwen3-Embedding names Qwen3ForCausalLM too, with modules.json"
    assert detect_kind(cross) == CROSS_ENCODER
    assert detect_kind(bare) == EMBEDDING


@pytest.mark.parametrize(
    "config",
    [
        {"model_type": "llama", "architectures": ["LlamaForCausalLM"]},
        {"model_type": "qwen2", "architectures": ["Qwen2ForCausalLM"]},
        {"model_type": "qwen3_moe", "architectures": ["Qwen3MoeForCausalLM"]},
        {"architectures": ["Qwen3ForCausalLM"]},  # no model_type: not what a Qwen3 checkpoint writes
    ],
)
def test_other_causal_lms_are_refused_by_name(config: dict[str, object], tmp_path: Path) -> None:
    directory = checkpoint(tmp_path / "some-llm", **config)
    with pytest.raises(NotServable, match=r"some-llm is a causal language model .* not a Qwen3-Reranker"):
        detect_kind(directory)


def test_routing_sends_each_kind_to_its_engine(tmp_path: Path) -> None:
    calls: list[str] = []

    def engine(name: str):  # type: ignore[no-untyped-def]
        def load(spec: ModelSpec) -> Engine:
            calls.append(f"{name}:{spec.id}")
            return None  # type: ignore[return-value]

        return load

    load = route_qwen3_rerankers(engine("default"), engine("qwen3-reranker"))
    reranker = checkpoint(tmp_path / "r", model_type="qwen3", architectures=["Qwen3ForCausalLM"])
    llama = checkpoint(tmp_path / "l", model_type="llama", architectures=["LlamaForCausalLM"])
    load(ModelSpec(id="r", path=str(reranker)))
    with pytest.raises(NotServable):
        load(ModelSpec(id="l", path=str(llama)))
    load(ModelSpec(id="forced", path=str(llama), qwen3_reranker=True))  # QWEN3_RERANKER_MODELS overrides
    assert calls == ["qwen3-reranker:r", "qwen3-reranker:forced"]
