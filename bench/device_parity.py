"""Parity on the device: every engine that runs there against CPU fp32 references, on three small models.

The references are sentence-transformers' own `encode` (all-MiniLM-L6-v2, the tiny Qwen3 embedder)
and the official Qwen3-Reranker recipe (the tiny reranker), all in fp32 on the CPU. Each engine is
composed by settings as the server composes it, so the device's own choices (padded forward, dtype,
batching) are the ones checked.
"""

from __future__ import annotations

import asyncio
import math
from collections.abc import Sequence
from typing import Any

from bench.in_process import NO_BUDGET, served

# No leading or trailing whitespace: sentence-transformers' `encode` strips it, our engines keep it.
TEXTS = [
    "a",
    "What is the capital of France?",
    ("Rivers carve valleys over millions of years, and the sediment they carry builds deltas. " * 3).strip(),
    "short one",
    "Instruct: Given a web search query, retrieve relevant passages that answer the query\nQuery:rivers",
    ("an input past the model's limit is cut, the end-of-text token kept last " * 40).strip(),
    "résumé naïve café — 東京 🚀",
]
QUERY = "how do rivers shape the landscape?"
DOCUMENTS = [
    "Rivers erode their beds and banks and carry sediment downstream.",
    "The stock market closed higher on Tuesday.",
    ("Over long periods, flowing water carves canyons and valleys. " * 4).strip(),
    "x",
]
# fp32 on a GPU (no TF32 in matmuls by default) rounds like the CPU; bf16 keeps 8 bits of mantissa.
TOLERANCES = {"fp32": {"cosine": 0.99999, "score": 1e-4}, "bf16": {"cosine": 0.999, "score": 0.02}}


def references(embedders: dict[str, str], reranker: str) -> dict[str, Any]:
    """CPU fp32: vectors per embedder name, and the recipe's scores."""
    import torch
    from sentence_transformers import SentenceTransformer
    from transformers import AutoModelForCausalLM, AutoTokenizer

    from bench.qwen3_reranker_recipe import OfficialReranker

    found: dict[str, Any] = {}
    for name, path in embedders.items():
        model = SentenceTransformer(path, device="cpu", model_kwargs={"dtype": torch.float32})
        found[name] = model.encode(TEXTS, normalize_embeddings=True, convert_to_numpy=True).tolist()
    model = AutoModelForCausalLM.from_pretrained(reranker, dtype=torch.float32).eval()
    tokenizer = AutoTokenizer.from_pretrained(reranker, fix_mistral_regex=False)
    found["reranker"] = OfficialReranker(model, tokenizer).scores(QUERY, DOCUMENTS)
    return found


def parity(
    engines: Sequence[str], embedders: dict[str, str], reranker: str, device: str, dtypes: Sequence[str]
) -> list[dict[str, Any]]:
    """One row per (engine, model, dtype): its worst agreement with the reference, and whether that is close enough."""
    expected = references(embedders, reranker)
    rows: list[dict[str, Any]] = []
    for dtype in dtypes:
        for engine in engines:
            # The reranker goes to our Qwen3-Reranker engine whatever ENGINE says: checked once.
            models = [*embedders.values(), *([reranker] if engine == "sentence-transformers" else [])]
            env = {"ENGINE": engine, "MODEL_NAMES": ";".join(models), "DEVICE": device, "DTYPES": dtype}
            outputs = asyncio.run(_outputs(env, embedders, reranker if reranker in models else None))
            tf32 = _tf32()
            for name, vectors in outputs.items():
                if name == "reranker":
                    worst = max(abs(a - b) for a, b in zip(vectors, expected["reranker"], strict=True))
                    rows.append(_row("qwen3-reranker", name, dtype, "max |score difference|", worst,
                                     worst <= TOLERANCES[dtype]["score"], tf32))  # fmt: skip
                else:
                    low = min(_cosine(a, b) for a, b in zip(vectors, expected[name], strict=True))
                    met = low >= TOLERANCES[dtype]["cosine"]
                    rows.append(_row(engine, name, dtype, "min cosine", low, met, tf32))
    return rows


def _tf32() -> bool:
    """Whether fp32 matmuls on a GPU ran as TF32 (10-bit mantissa): importing infinity_emb turns it on for
    the whole process, so its fp32 rows (and anything after them) may fall short of fp32's tolerance."""
    import torch

    return bool(torch.cuda.is_available() and torch.backends.cuda.matmul.allow_tf32)


async def _outputs(env: dict[str, str], embedders: dict[str, str], reranker: str | None) -> dict[str, Any]:
    found: dict[str, Any] = {}
    async with served(env) as registry:
        for name, path in embedders.items():
            found[name] = (await registry.embed(path, TEXTS, truncate=True, max_tokens=NO_BUDGET)).vectors
        if reranker is not None:
            scored = await registry.score(
                reranker, QUERY, DOCUMENTS, instruction=None, truncate=True, max_tokens=NO_BUDGET
            )
            found["reranker"] = scored.scores
    return found


def _row(engine: str, model: str, dtype: str, measure: str, value: float, met: bool, tf32: bool) -> dict[str, Any]:
    return {"engine": engine, "model": model, "dtype": dtype, "measure": measure, "value": value, "met": met,
            "tf32": tf32}  # fmt: skip


def _cosine(a: Sequence[float], b: Sequence[float]) -> float:
    dot = math.fsum(x * y for x, y in zip(a, b, strict=True))
    return dot / math.sqrt(math.fsum(x * x for x in a) * math.fsum(y * y for y in b))
