"""The official Qwen3-Embedding recipe over plain transformers: the reference our engines must equal."""

from __future__ import annotations

from pathlib import Path


def last_token_pool(hidden, attention_mask):  # type: ignore[no-untyped-def]
    import torch

    if bool((attention_mask[:, -1] == 1).all()):  # left padding: the last position is every row's last token
        return hidden[:, -1]
    lengths = attention_mask.sum(dim=1) - 1
    return hidden[torch.arange(hidden.shape[0]), lengths]


def official_embeddings(directory: Path, texts: list[str], max_length: int) -> tuple[list[list[float]], list[int]]:
    """L2-normalised vectors and the token counts the model saw."""
    import torch
    from transformers import AutoModel, AutoTokenizer

    tokenizer = AutoTokenizer.from_pretrained(str(directory), padding_side="left")
    model = AutoModel.from_pretrained(str(directory)).eval()
    batch = tokenizer(texts, padding=True, truncation=True, max_length=max_length, return_tensors="pt")
    with torch.inference_mode():
        hidden = model(**batch).last_hidden_state
    vectors = torch.nn.functional.normalize(last_token_pool(hidden, batch["attention_mask"]), p=2, dim=1)
    return vectors.tolist(), batch["attention_mask"].sum(dim=1).tolist()


def instruct(task: str, query: str) -> str:
    return f"Instruct: {task}\nQuery:{query}"
