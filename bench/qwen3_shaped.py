"""A Qwen3-Embedding-0.6B-shaped model with random weights, as a benchmark subject (child process).

Same layer shapes as the real model (hidden 1024, 28 layers, 16 query heads, 8 KV heads, head_dim 128,
MLP 3072), so it costs exactly what the real one costs; the vocabulary is the bundled MiniLM
tokenizer's (30,522 ids) to save memory. Last-token pooling and normalisation as the real model.
Random weights: for speed only, never for quality. `python -m bench.qwen3_shaped JSON` builds it.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

from bench.child_io import answer, arguments

SHAPE = {
    "hidden_size": 1024,
    "num_hidden_layers": 28,
    "num_attention_heads": 16,
    "num_key_value_heads": 8,
    "head_dim": 128,
    "intermediate_size": 3072,
}
TOKENIZER_FILES = ("tokenizer.json", "tokenizer_config.json", "vocab.txt", "special_tokens_map.json")
MAX_SEQ_LENGTH = 512


def flops_per_token(sequence_length: float, shape: dict[str, int] = SHAPE) -> float:
    """Useful forward FLOPs for one real token: every Linear (2 × weights) plus causal attention."""
    h, layers = shape["hidden_size"], shape["num_hidden_layers"]
    q = shape["num_attention_heads"] * shape["head_dim"]
    kv = shape["num_key_value_heads"] * shape["head_dim"]
    linear = h * q + 2 * h * kv + q * h + 3 * h * shape["intermediate_size"]
    # Scores and the weighted sum (2 matmuls × 2 FLOPs), each token seeing on average half the sequence.
    attention = 2 * 2 * q * sequence_length / 2
    return float(layers * (2 * linear + attention))


def build(directory: Path, tokenizer_source: Path, seed: int = 0) -> dict[str, Any]:
    import torch
    from transformers import Qwen3Config, Qwen3Model

    directory.mkdir(parents=True, exist_ok=True)
    torch.manual_seed(seed)
    config = Qwen3Config(
        **SHAPE, vocab_size=30_522, max_position_embeddings=32_768, rope_theta=1_000_000.0, rms_norm_eps=1e-6,
        tie_word_embeddings=True, architectures=["Qwen3Model"],
    )  # fmt: skip
    model = Qwen3Model(config).eval()  # transformers' own init: normal(0, 0.02), finite in bf16 too
    model.save_pretrained(directory)
    for name in TOKENIZER_FILES:
        if (tokenizer_source / name).exists():
            shutil.copy(tokenizer_source / name, directory / name)
    _write(directory / "modules.json", [
        {"idx": 0, "name": "0", "path": "", "type": "sentence_transformers.models.Transformer"},
        {"idx": 1, "name": "1", "path": "1_Pooling", "type": "sentence_transformers.models.Pooling"},
        {"idx": 2, "name": "2", "path": "2_Normalize", "type": "sentence_transformers.models.Normalize"},
    ])  # fmt: skip
    _write(directory / "sentence_bert_config.json", {"max_seq_length": MAX_SEQ_LENGTH, "do_lower_case": False})
    _write(directory / "1_Pooling" / "config.json", {
        "word_embedding_dimension": SHAPE["hidden_size"], "pooling_mode_cls_token": False,
        "pooling_mode_mean_tokens": False, "pooling_mode_max_tokens": False,
        "pooling_mode_mean_sqrt_len_tokens": False, "pooling_mode_weightedmean_tokens": False,
        "pooling_mode_lasttoken": True, "include_prompt": True,
    })  # fmt: skip
    (directory / "2_Normalize").mkdir(exist_ok=True)
    parameters = sum(p.numel() for p in model.parameters())
    return {"path": str(directory), "parameters": parameters}


def _write(path: Path, data: object) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(data, indent=2))


if __name__ == "__main__":
    args = arguments()
    answer(build(Path(args["directory"]), Path(args["tokenizer"])))
