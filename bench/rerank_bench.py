"""Our Qwen3-Reranker engine against the official transformers recipe, on a 0.6B-shaped random model.

Random weights cost exactly what the real ones cost (see docs: qwen3.md), so the timings are real;
the scores are not meaningful, only their agreement is. Both paths share one model in memory.

    .venv/bin/python -m bench.rerank_bench            # 1 query x 64 documents of 50-300 tokens
    .venv/bin/python -m bench.rerank_bench --quick    # fewer layers and documents: a smoke run
"""

from __future__ import annotations

import argparse
import asyncio
import random
import re
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import torch
from transformers import AutoTokenizer, Qwen3Config, Qwen3ForCausalLM

from adapters.engines.base import ModelSpec
from adapters.engines.qwen3_reranker import assemble
from adapters.serving.core import RerankCore, serving
from bench.qwen3_reranker_recipe import OfficialReranker
from bench.qwen3_tokenizer import write_tokenizer
from domain.models import ScoredBatch

T = TypeVar("T")
QUERY = "how do rivers shape the landscape over long periods of time"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="4 layers, 16 documents")
    parser.add_argument("--documents", type=int, default=None)
    parser.add_argument("--layers", type=int, default=None)
    parser.add_argument("--batch-size", type=int, default=32, help="documents per forward, for both paths")
    parser.add_argument("--repeats", type=int, default=1)
    parser.add_argument("--full-prompts", action="store_true", help="also time ours without the shared prefix")
    args = parser.parse_args()
    documents = args.documents or (16 if args.quick else 64)
    layers = args.layers or (4 if args.quick else 28)

    with tempfile.TemporaryDirectory() as scratch:
        write_tokenizer(Path(scratch), append_eos=False, model_max_length=40_960)
        tokenizer = AutoTokenizer.from_pretrained(scratch, fix_mistral_regex=False)
    started = time.perf_counter()
    model = random_reranker(len(tokenizer), layers)
    built_s = time.perf_counter() - started
    print(f"built a random Qwen3-Reranker-0.6B-shaped model ({layers} layers) in {built_s:.0f}s")
    docs = random_documents(tokenizer, documents, seed=0)
    spec = ModelSpec(id="bench", path="random", device="cpu", batch_size=args.batch_size)
    engine = served_reranker(assemble(spec, model, tokenizer))
    recipe = Recipe(model, tokenizer, batch_size=args.batch_size)

    # Warm both paths up on one short document (allocator, thread pool, kernels).
    recipe(QUERY, docs[:1])
    asyncio.run(engine.score(QUERY, docs[:1], instruction=None, truncate=True))
    print(f"{documents} documents, {torch.get_num_threads()} torch threads", flush=True)
    # CPU seconds too: on a shared machine they are the steadier measure of work done.
    ours_t, ours = best_of(args.repeats, lambda: asyncio.run(score(engine, docs)))
    report("our engine", ours_t)
    if args.full_prompts:
        plain = served_reranker(assemble(spec, model, tokenizer, shared_prefix=False))
        report("ours, full prompts", best_of(args.repeats, lambda: asyncio.run(score(plain, docs)))[0])
        asyncio.run(plain.close())
    recipe_t, reference = best_of(args.repeats, lambda: recipe(QUERY, docs))
    report("official recipe", recipe_t)
    asyncio.run(engine.close())

    difference = max(abs(a - b) for a, b in zip(ours.scores, reference, strict=True))
    print(f"prompt tokens: {ours.token_count}")
    print(f"speed-up: {recipe_t[0] / ours_t[0]:.2f}x wall, {recipe_t[1] / ours_t[1]:.2f}x CPU")
    print(f"max |score difference|: {difference:.2e}")


async def score(engine: RerankCore, docs: list[str]) -> ScoredBatch:
    return await engine.score(QUERY, docs, instruction=None, truncate=True)


def served_reranker(engine: Any) -> RerankCore:
    core = serving(engine, queue_size=1_000_000)
    assert isinstance(core, RerankCore)
    return core


def report(name: str, seconds: tuple[float, float]) -> None:
    print(f"{name:>20}: {seconds[0]:8.2f}s wall {seconds[1]:8.2f}s CPU", flush=True)


def random_reranker(vocab_size: int, layers: int) -> Qwen3ForCausalLM:
    config = Qwen3Config(
        hidden_size=1024,
        intermediate_size=3072,
        num_hidden_layers=layers,
        num_attention_heads=16,
        num_key_value_heads=8,
        head_dim=128,
        vocab_size=vocab_size,
        max_position_embeddings=40_960,
        rope_theta=1_000_000.0,
        rms_norm_eps=1e-6,
        tie_word_embeddings=True,
    )
    torch.manual_seed(0)
    return Qwen3ForCausalLM(config).eval()


def random_documents(tokenizer, count: int, *, seed: int) -> list[str]:  # noqa: ANN001
    # Real vocabulary words (" river", " shape", ...) so every document tokenizes like prose.
    words = sorted(t[1:] for t in tokenizer.get_vocab() if re.fullmatch(r"Ġ[a-z]{3,9}", t))
    rng = random.Random(seed)
    documents = []
    for _ in range(count):
        target = rng.randint(50, 300)
        ids = tokenizer(" ".join(rng.choices(words, k=target)), add_special_tokens=False)["input_ids"]
        documents.append(tokenizer.decode(ids[:target]))
    return documents


class Recipe:
    """The model card's recipe: full prompt, left padding, full logits, softmax over [no, yes]."""

    def __init__(self, model: Qwen3ForCausalLM, tokenizer, *, batch_size: int) -> None:  # noqa: ANN001
        self.official = OfficialReranker(model, tokenizer)
        self.batch_size = batch_size

    def __call__(self, query: str, documents: list[str], max_length: int = 8192) -> list[float]:
        scores: list[float] = []
        for start in range(0, len(documents), self.batch_size):
            chunk = documents[start : start + self.batch_size]
            scores.extend(self.official.scores(query, chunk, max_length=max_length))
        return scores


def best_of(repeats: int, run: Callable[[], T]) -> tuple[tuple[float, float], T]:
    """The fastest of `repeats` runs as (wall seconds, CPU seconds), and the last result."""
    best = (float("inf"), float("inf"))
    for _ in range(max(1, repeats)):
        wall, cpu = time.perf_counter(), time.process_time()
        result = run()
        best = min(best, (time.perf_counter() - wall, time.process_time() - cpu))
    return best, result


if __name__ == "__main__":
    main()
