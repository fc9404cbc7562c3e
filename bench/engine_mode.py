"""The baseline: sentence-transformers' own `encode` on the whole corpus, at each batch size asked.

`encode` sorts the whole corpus by length before batching, the best case for padding; we take its best
batch size as the number to beat. Run as a child process: `python -m bench.engine_mode JSON`.
"""

from __future__ import annotations

import sys
import time
from typing import Any

from bench.child_io import answer, arguments, texts_from
from bench.progress import say

TORCH_DTYPES = {"fp32": "float32", "bf16": "bfloat16"}


def measure(model_path: str, texts: list[str], batch_sizes: list[int], dtype: str, singles: int) -> dict[str, Any]:
    import torch
    from sentence_transformers import SentenceTransformer

    model = SentenceTransformer(
        model_path, device="cpu", model_kwargs={"dtype": getattr(torch, TORCH_DTYPES[dtype])}
    ).eval()
    limit = model.max_seq_length
    tokens = sum(len(ids) for ids in model.tokenizer(texts, truncation=True, max_length=limit)["input_ids"])
    model.encode(texts[:64], batch_size=32)  # warm-up: first calls allocate and pick kernels
    runs = []
    for batch_size in batch_sizes:
        started = time.perf_counter()
        model.encode(texts, batch_size=batch_size, show_progress_bar=sys.stderr.isatty())
        seconds = time.perf_counter() - started
        runs.append({"batch_size": batch_size, "seconds": seconds})
        say(f"  engine {dtype} batch {batch_size}: {len(texts) / seconds:.1f} texts/s")
    # One text at a time: what a lone request costs the engine itself (tokenise + forward + pool).
    single = []
    for text in texts[:singles]:
        started = time.perf_counter()
        model.encode([text], batch_size=1)
        single.append(time.perf_counter() - started)
    return {"texts": len(texts), "tokens": tokens, "runs": runs, "single_latencies": single}


if __name__ == "__main__":
    args = arguments()
    texts = texts_from(args["texts_path"])
    answer(measure(args["model"], texts, args["batch_sizes"], args["dtype"], args.get("singles", 0)))
