"""What the packed-forward tests compare: sentence-transformers' padded forward and ours, normalised."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from adapters.engines.sentence_transformers import pad_rows


def load(directory: Path, dtype: str = "float32") -> Any:
    import torch
    from sentence_transformers import SentenceTransformer

    model = SentenceTransformer(str(directory), device="cpu", model_kwargs={"dtype": getattr(torch, dtype)})
    return model.eval()


def padded_vectors(model: Any, rows: list[list[int]]) -> Any:
    """sentence-transformers' own forward over the rows padded as its tokenizer pads them."""
    import torch

    tokenizer = model.tokenizer
    ids, mask = pad_rows(rows, tokenizer.pad_token_id or 0, left=tokenizer.padding_side == "left")
    out = model.forward({"input_ids": ids, "attention_mask": mask})["sentence_embedding"].float()
    return torch.nn.functional.normalize(out, dim=1)


def packed_vectors(packed: Any, rows: list[list[int]]) -> Any:
    import torch

    return torch.nn.functional.normalize(packed(rows).float(), dim=1)


def bf16_cosines(directory: Path, pack: Any, rows: list[list[int]]) -> Any:
    """Cosine of each row's packed bf16 vector to sentence-transformers' fp32 one."""
    import torch

    packed = pack(load(directory, "bfloat16"))
    assert packed is not None, "the model is one the packed forward stands in for"
    with torch.inference_mode():
        reference = padded_vectors(load(directory), rows)
        return (packed_vectors(packed, rows) * reference).sum(dim=1)
