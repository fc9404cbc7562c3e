"""How the corpus is cut into requests: 1-8 texts each by default, seeded, so every run sends the same."""

from __future__ import annotations

import random


def split_into_requests(texts: list[str], *, low: int = 1, high: int = 8, seed: int = 99) -> list[list[str]]:
    rng = random.Random(seed)
    requests, start = [], 0
    while start < len(texts):
        size = rng.randint(low, high)
        requests.append(texts[start : start + size])
        start += size
    return requests
