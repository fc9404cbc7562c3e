"""Tiny random Qwen3 checkpoints with the real Qwen3 tokenizer, laid out exactly like the real ones.

They cost what their shapes cost (seconds, ~40-80 MB with the real vocabulary): the tests build them into a
temporary directory per session, the bench into its scratch directory; never commit them. Weights are
random: good for parity and invariant checks against plain transformers, never for quality.
"""

from __future__ import annotations

import json
from pathlib import Path

from bench.qwen3_tokenizer import ADDED_TOKENS, FIRST_ADDED_ID, write_tokenizer

EMBEDDER_NAME = "Qwen3-Embedding-tiny"
RERANKER_NAME = "Qwen3-Reranker-tiny"
VOCAB_SIZE = FIRST_ADDED_ID + len(ADDED_TOKENS)  # len(tokenizer): the BPE ranks plus 26 added tokens
TINY_MAX_POSITIONS = 512
EMBEDDER_MAX_SEQ_LENGTH = 128  # small, so truncation is cheap to test
QWEN3_QUERY_PROMPT = "Instruct: Given a web search query, retrieve relevant passages that answer the query\nQuery:"


TINY_SHAPE = {
    "hidden_size": 64,
    "intermediate_size": 128,
    "num_hidden_layers": 2,
    "num_attention_heads": 4,
    "num_key_value_heads": 2,
    "head_dim": 16,  # its default is 128, far too big for this width
}


def tiny_qwen3_config(**overrides: object):  # -> transformers.Qwen3Config
    from transformers import Qwen3Config

    shape: dict[str, object] = {
        **TINY_SHAPE,
        "vocab_size": VOCAB_SIZE,
        "max_position_embeddings": TINY_MAX_POSITIONS,
        "rope_theta": 1_000_000.0,
        "rms_norm_eps": 1e-6,
        "bos_token_id": FIRST_ADDED_ID,
        "eos_token_id": FIRST_ADDED_ID + 2,
        "tie_word_embeddings": True,
    }
    shape.update(overrides)
    return Qwen3Config(**shape)


def build_qwen3_embedder(
    parent: Path,
    *,
    seed: int = 0,
    name: str = EMBEDDER_NAME,
    shape: dict[str, object] | None = None,
    max_seq_length: int = EMBEDDER_MAX_SEQ_LENGTH,
    device: str = "cpu",
    dtype: str | None = None,
) -> Path:
    """A sentence-transformers Qwen3-Embedding directory: last-token pooling, normalised, EOS appended.

    `shape` overrides the tiny config (the bench builds a 0.6B-shaped one); `device` is where the random
    weights are drawn (fast on a GPU), `dtype` what they are saved in.
    """
    import torch
    from transformers import Qwen3Model

    directory = Path(parent) / name
    directory.mkdir(parents=True, exist_ok=True)
    torch.manual_seed(seed)
    config = tiny_qwen3_config(architectures=["Qwen3Model"], **(shape or {}))
    with torch.device(device):
        model = Qwen3Model(config).eval()
    if dtype is not None:
        model.to(getattr(torch, dtype))
    model.save_pretrained(directory)
    write_tokenizer(directory, append_eos=True, model_max_length=config.max_position_embeddings)
    hidden = model.config.hidden_size
    _write_json(
        directory / "modules.json",
        [
            {"idx": 0, "name": "0", "path": "", "type": "sentence_transformers.models.Transformer"},
            {"idx": 1, "name": "1", "path": "1_Pooling", "type": "sentence_transformers.models.Pooling"},
            {"idx": 2, "name": "2", "path": "2_Normalize", "type": "sentence_transformers.models.Normalize"},
        ],
    )
    _write_json(
        directory / "sentence_bert_config.json",
        {"max_seq_length": max_seq_length, "do_lower_case": False},
    )
    # Without this file sentence-transformers falls back to mean pooling: Qwen3 pools the last token.
    _write_json(
        directory / "1_Pooling" / "config.json",
        {
            "word_embedding_dimension": hidden,
            "pooling_mode_cls_token": False,
            "pooling_mode_mean_tokens": False,
            "pooling_mode_max_tokens": False,
            "pooling_mode_mean_sqrt_len_tokens": False,
            "pooling_mode_weightedmean_tokens": False,
            "pooling_mode_lasttoken": True,
            "include_prompt": True,
        },
    )
    (directory / "2_Normalize").mkdir(exist_ok=True)
    _write_json(
        directory / "config_sentence_transformers.json",
        {
            "prompts": {"query": QWEN3_QUERY_PROMPT, "document": ""},
            "default_prompt_name": None,
            "similarity_fn_name": "cosine",
        },
    )
    return directory


def build_qwen3_reranker(
    parent: Path,
    *,
    seed: int = 0,
    tie_word_embeddings: bool = True,
    name: str | None = None,
    shape: dict[str, object] | None = None,
    device: str = "cpu",
    dtype: str | None = None,
) -> Path:
    """A Qwen3-Reranker-shaped causal LM directory (its tokenizer appends no EOS); options as the embedder's."""
    import torch
    from transformers import Qwen3ForCausalLM

    name = name or (RERANKER_NAME if tie_word_embeddings else f"{RERANKER_NAME}-untied")
    directory = Path(parent) / name
    directory.mkdir(parents=True, exist_ok=True)
    torch.manual_seed(seed)
    config = tiny_qwen3_config(
        architectures=["Qwen3ForCausalLM"], tie_word_embeddings=tie_word_embeddings, **(shape or {})
    )
    with torch.device(device):
        model = Qwen3ForCausalLM(config).eval()
    _spread_yes_no(model)
    if dtype is not None:
        model.to(getattr(torch, dtype))
    model.save_pretrained(directory)
    write_tokenizer(directory, append_eos=False, model_max_length=config.max_position_embeddings)
    return directory


def _spread_yes_no(model) -> None:  # noqa: ANN001 - a transformers model
    # With the default 0.02 init every score sits near 0.5 and a wrong position or mask would hide
    # inside the tolerance; larger "yes"/"no" rows spread the scores over (0, 1).
    import torch

    from bench.qwen3_tokenizer import qwen_tokenizer

    tokenizer = qwen_tokenizer(append_eos=False)
    weight = model.get_output_embeddings().weight
    with torch.no_grad():
        for word in ("yes", "no"):
            weight[tokenizer.token_to_id(word)] *= 25.0


def _write_json(path: Path, value: object) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(value, indent=2))
