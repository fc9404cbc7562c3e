"""A deterministic mixed-length corpus: seeded, built from a fixed word list, no downloads.

Lengths follow a log-normal in words (many short queries, a tail of long passages), the shape real
embedding traffic has; the same seed always gives the same texts.
"""

from __future__ import annotations

import math
import random

from bench.words import WORDS

DEFAULT_SEED = 1234


def word_lengths(count: int, *, median_words: float, spread: float, low: int, high: int, seed: int) -> list[int]:
    rng = random.Random(seed)
    return [min(high, max(low, round(rng.lognormvariate(math.log(median_words), spread)))) for _ in range(count)]


def text_of(words: int, rng: random.Random) -> str:
    """Sentences of 6-18 words with capitals, commas and full stops, as real passages have."""
    parts: list[str] = []
    while words > 0:
        n = min(words, rng.randint(6, 18))
        sentence = [rng.choice(WORDS) for _ in range(n)]
        sentence[0] = sentence[0].capitalize()
        if n > 8:
            sentence[n // 2] += ","
        parts.append(" ".join(sentence) + ".")
        words -= n
    return " ".join(parts)


def mixed_corpus(
    count: int, *, seed: int = DEFAULT_SEED, median_words: float = 43, low: int = 2, high: int = 400
) -> list[str]:
    """`count` texts, mean ~70 BERT tokens with the defaults (median 43 words, long tail to 400)."""
    rng = random.Random(seed + 1)
    lengths = word_lengths(count, median_words=median_words, spread=0.8, low=low, high=high, seed=seed)
    return [text_of(n, rng) for n in lengths]


def corpus_in_token_range(count: int, low: int, high: int, *, seed: int = DEFAULT_SEED) -> list[str]:
    """Texts whose lengths spread uniformly over [low, high] words (the Qwen3 MFU traffic: 20-200 tokens)."""
    rng = random.Random(seed + 2)
    return [text_of(rng.randint(low, high), rng) for _ in range(count)]
