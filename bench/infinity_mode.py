"""Infinity's own engine (infinity_emb.AsyncEmbeddingEngine) under the same traffic as our server.

The clients call the engine in its own process (no HTTP in between), `concurrency` requests at a time,
each the same 1-8 texts our server gets. Run as a child process: `python -m bench.infinity_mode JSON`.
"""

from __future__ import annotations

import asyncio
import time
from typing import Any

from bench.child_io import answer, arguments, texts_from
from bench.progress import Progress
from bench.traffic import split_into_requests


async def measure(model_path: str, texts: list[str], concurrency: int, batch_size: int) -> dict[str, Any]:
    from infinity_emb import AsyncEmbeddingEngine, EngineArgs
    from infinity_emb.primitives import Device, Dtype, InferenceEngine

    engine_args = EngineArgs(
        model_name_or_path=model_path, engine=InferenceEngine.torch, device=Device.cpu, dtype=Dtype.float32,
        batch_size=batch_size,
        model_warmup=False, bettertransformer=False, compile=False, vector_disk_cache_path="",
    )  # fmt: skip
    engine = AsyncEmbeddingEngine.from_args(engine_args)
    requests = split_into_requests(texts)
    latencies: list[float] = []
    progress = Progress(f"infinity c={concurrency}", len(texts))
    async with engine:
        await engine.embed(sentences=texts[:64])  # warm-up
        pending = iter(requests)

        async def client() -> None:
            for request in pending:
                started = time.perf_counter()
                await engine.embed(sentences=request)
                latencies.append(time.perf_counter() - started)
                progress.advance(len(request))

        started = time.perf_counter()
        await asyncio.gather(*(client() for _ in range(concurrency)))
        seconds = time.perf_counter() - started
    progress.finish()
    # Infinity's usage counts characters, not tokens: count what the model saw with its own tokenizer.
    return {"texts": len(texts), "tokens": count_tokens(model_path, texts), "seconds": seconds, "latencies": latencies}


def count_tokens(model_path: str, texts: list[str]) -> int:
    from sentence_transformers import SentenceTransformer

    model = SentenceTransformer(model_path, device="cpu")
    encoded = model.tokenizer(texts, truncation=True, max_length=model.max_seq_length)["input_ids"]
    return sum(len(ids) for ids in encoded)


if __name__ == "__main__":
    args = arguments()
    texts = texts_from(args["texts_path"])
    answer(asyncio.run(measure(args["model"], texts, args["concurrency"], args["batch_size"])))
