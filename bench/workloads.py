"""The device bench's traffic: texts of an exact token count for a Qwen3 embedder, and a mixed load.

Each text is words that are one token each (" river"), so `n - 1` words plus the `<|endoftext|>` the
embedder's tokenizer appends are exactly `n` tokens, checked with that tokenizer. A workload is a few
hundred distinct texts, cycled as long as a point runs (no engine here caches vectors).
"""

from __future__ import annotations

import random
from typing import Any

from bench.words import WORDS

MIXED = "mixed"


def one_token_words(tokenizer: Any) -> list[str]:
    """Words of the corpus list that `tokenizer` (a `tokenizers.Tokenizer`) encodes as one token."""
    words = [w for w in WORDS if len(tokenizer.encode(" " + w, add_special_tokens=False).ids) == 1]
    if len(words) < 50:
        raise RuntimeError(f"only {len(words)} one-token words for this tokenizer")
    return words


def texts_of(tokenizer: Any, lengths: list[int], *, seed: int) -> list[str]:
    """One text per length, each exactly that many tokens (the appended end-of-text included)."""
    words = one_token_words(tokenizer)
    rng = random.Random(seed)
    texts = ["".join(" " + w for w in rng.choices(words, k=n - 1)) for n in lengths]
    counted = [len(e.ids) for e in tokenizer.encode_batch(texts)]
    if counted != lengths:
        raise RuntimeError("the workload's texts do not have the token counts asked for")
    return texts


def workloads(
    tokenizer: Any, fixed: tuple[int, ...], mixed: tuple[int, int], count: int, *, seed: int
) -> dict[str, dict[str, Any]]:
    """name → {"texts", "lengths"}: one per fixed length, and `mixed` with lengths uniform in its range."""
    rng = random.Random(seed)
    plans = {str(n): [n] * count for n in fixed}
    plans[MIXED] = [rng.randint(*mixed) for _ in range(count)]
    return {
        name: {"texts": texts_of(tokenizer, lengths, seed=seed + i), "lengths": lengths}
        for i, (name, lengths) in enumerate(plans.items())
    }


def cycled(requests: list[list[str]], texts: int) -> list[list[str]]:
    """`requests` repeated until they hold at least `texts` texts (the same string objects: no copies)."""
    per_round = sum(len(r) for r in requests)
    return requests * max(1, -(-texts // per_round))


def token_weighted_length(lengths: list[int]) -> float:
    """The sequence length an average token sees: sum(L²) / sum(L) (what its attention FLOPs depend on)."""
    return sum(n * n for n in lengths) / sum(lengths)
