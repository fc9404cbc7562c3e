"""Our Qwen3-Reranker engine against the official recipe on the device, on a 0.6B-shaped random model.

Pairs/s for 1 query × N documents of 50-300 tokens (one token a word) (the median of a few repeats, each a whole
request), and the p50 of lone 1-query, 1-document requests. Ours is composed by settings as the server
composes it; the recipe runs plain transformers (full prompt, full logits) in the same dtype, all the
documents in one batch as the model card does. Random weights: the scores mean nothing, their agreement does.
"""

from __future__ import annotations

import asyncio
import random
import statistics
import time
from collections.abc import Callable
from typing import Any

from bench.in_process import NO_BUDGET, release_device_memory, served
from bench.stats import percentile

QUERY = "how do rivers shape the landscape over long periods of time"
TORCH_DTYPES = {"fp32": "float32", "bf16": "bfloat16", "fp16": "float16"}


def documents(count: int, words: tuple[int, int], *, seed: int) -> list[str]:
    from bench.qwen3_tokenizer import qwen_tokenizer
    from bench.workloads import one_token_words

    vocabulary = one_token_words(qwen_tokenizer(append_eos=False))
    rng = random.Random(seed)
    return ["".join(" " + w for w in rng.choices(vocabulary, k=rng.randint(*words))).strip() for _ in range(count)]


def timed(call: Callable[[], Any], repeats: int, stop_at: float) -> tuple[list[float], Any]:
    """Seconds of each of up to `repeats` calls (after one warm-up call; at least one, none begun past
    `stop_at`, a wall-clock time), and the last call's result."""
    result = call()
    seconds: list[float] = []
    while len(seconds) < repeats and (not seconds or time.time() < stop_at):
        started = time.perf_counter()
        result = call()
        seconds.append(time.perf_counter() - started)
    return seconds, result


def rerank(
    path: str, device: str, dtype: str, *, count: int, words: tuple[int, int], repeats: int, singles: int, seed: int,
    stop_at: float,
) -> dict[str, Any]:  # fmt: skip
    """Ours then the recipe; each gets half the time until `stop_at` (wall clock) for its repeats."""
    docs = documents(count, words, seed=seed)
    halfway = (time.time() + stop_at) / 2
    env = {"ENGINE": "sentence-transformers", "MODEL_NAMES": path, "DEVICE": device, "DTYPES": dtype,
           "BATCH_SIZES": str(count)}  # fmt: skip
    ours = asyncio.run(_ours(env, path, docs, repeats, singles, halfway))
    release_device_memory()
    recipe = _recipe(path, device, dtype, docs, repeats, singles, stop_at)
    release_device_memory()
    difference = max(abs(a - b) for a, b in zip(ours.pop("scores"), recipe.pop("scores"), strict=True))
    return {
        "documents": count, "prompt_tokens": ours.pop("prompt_tokens"), "dtype": dtype, "ours": ours,
        "recipe": recipe, "speedup": round(ours["pairs_per_s"] / recipe["pairs_per_s"], 3),
        "max_score_difference": difference,
    }  # fmt: skip


async def _ours(
    env: dict[str, str], path: str, docs: list[str], repeats: int, singles: int, stop_at: float
) -> dict[str, Any]:
    async with served(env) as registry:

        async def score(batch: list[str]) -> Any:
            return await registry.score(path, QUERY, batch, instruction=None, truncate=True, max_tokens=NO_BUDGET)

        await score(docs)  # warm-up: allocator, kernels for these shapes
        seconds: list[float] = []
        last: Any = None
        while len(seconds) < repeats and (not seconds or time.time() < stop_at):
            started = time.perf_counter()
            last = await score(docs)
            seconds.append(time.perf_counter() - started)
        await score(docs[:1])
        lone = []
        for doc in _lone_documents(docs, singles):
            started = time.perf_counter()
            await score([doc])
            lone.append(time.perf_counter() - started)
            if time.time() > stop_at:
                break
    return {**_summary(len(docs), seconds, lone), "scores": last.scores, "prompt_tokens": last.token_count}


def _lone_documents(docs: list[str], count: int) -> list[str]:
    return (docs * (1 + count // max(1, len(docs))))[:count]


def _recipe(
    path: str, device: str, dtype: str, docs: list[str], repeats: int, singles: int, stop_at: float
) -> dict[str, Any]:
    import torch
    from transformers import AutoModelForCausalLM, AutoTokenizer

    from bench.qwen3_reranker_recipe import OfficialReranker

    model: Any = AutoModelForCausalLM.from_pretrained(path, dtype=getattr(torch, TORCH_DTYPES[dtype]))
    model = model.to(device).eval()
    official = OfficialReranker(model, AutoTokenizer.from_pretrained(path, fix_mistral_regex=False))
    seconds, scores = timed(lambda: official.scores(QUERY, docs), repeats, stop_at)
    official.scores(QUERY, docs[:1])
    lone = []
    for doc in _lone_documents(docs, singles):
        started = time.perf_counter()
        official.scores(QUERY, [doc])
        lone.append(time.perf_counter() - started)
        if time.time() > stop_at:
            break
    return {**_summary(len(docs), seconds, lone), "scores": scores}


def _summary(count: int, seconds: list[float], lone: list[float]) -> dict[str, Any]:
    median = statistics.median(seconds)
    return {
        "request_seconds": [round(s, 4) for s in seconds], "pairs_per_s": round(count / median, 1),
        "request_p50_ms": round(median * 1000, 2), "one_document_p50_ms": round(percentile(lone, 50) * 1000, 2),
        "one_document_requests": len(lone),
    }  # fmt: skip
