"""A deterministic engine for CI without models: hash-based unit vectors, word-overlap scores.

It serves any model id: names containing "rerank" are rerankers, the rest embed.
"""

from __future__ import annotations

import hashlib
import math
import re
import struct
from collections.abc import Sequence

from adapters.engines.base import ModelSpec
from domain.errors import InvalidInput
from domain.models import Capability, EmbedInput, EncodedBatch, ModelInfo, ScoredBatch

FAKE_DIMENSION = 384
FAKE_MAX_TOKENS = 512
FAKE_VOCAB = 30_522
_WORD = re.compile(r"\w+")


class FakeModel:
    def __init__(self, spec: ModelSpec, dimension: int = FAKE_DIMENSION) -> None:
        reranks = "rerank" in spec.id.lower()
        self.info = ModelInfo(
            id=spec.id,
            capabilities=frozenset({Capability.RERANK if reranks else Capability.EMBED}),
            dimension=None if reranks else dimension,
            max_tokens=FAKE_MAX_TOKENS,
            vocab_size=FAKE_VOCAB,
            owned_by="fake",
        )
        self._dimension = dimension

    async def embed(self, inputs: Sequence[EmbedInput], *, truncate: bool) -> EncodedBatch:
        tokens = [self._tokens(item, i, truncate) for i, item in enumerate(inputs)]
        return EncodedBatch(
            vectors=[hash_vector(" ".join(t), self._dimension) for t in tokens],
            token_counts=[len(t) for t in tokens],
        )

    async def score(
        self, query: str, documents: Sequence[str], *, instruction: str | None, truncate: bool
    ) -> ScoredBatch:
        query_words = set(_WORD.findall(query.lower()))
        scores = [overlap(query_words, set(_WORD.findall(doc.lower()))) for doc in documents]
        used = len(query.split()) * len(documents) + sum(len(d.split()) for d in documents)
        return ScoredBatch(scores=scores, token_count=used)

    async def close(self) -> None:
        return None

    def _tokens(self, item: EmbedInput, index: int, truncate: bool) -> list[str]:
        tokens = item.split() if isinstance(item, str) else [str(t) for t in item]
        if len(tokens) > FAKE_MAX_TOKENS:
            if not truncate:
                raise InvalidInput(
                    f"input[{index}] has {len(tokens)} tokens, over the model's limit of {FAKE_MAX_TOKENS}",
                    param="input",
                )
            tokens = tokens[:FAKE_MAX_TOKENS]
        return tokens or [""]


def hash_vector(text: str, dimension: int) -> list[float]:
    """A unit vector that depends only on the text: SHA-256 in counter mode mapped to [-1, 1)."""
    values: list[float] = []
    counter = 0
    while len(values) < dimension:
        block = hashlib.sha256(f"{counter}:{text}".encode()).digest()
        values.extend((v / 2**31) - 1.0 for v in struct.unpack("<8I", block))
        counter += 1
    values = values[:dimension]
    norm = math.sqrt(math.fsum(v * v for v in values))
    return [v / norm for v in values]


def overlap(query: set[str], document: set[str]) -> float:
    """Share of the query's words the document contains, in [0, 1]."""
    if not query:
        return 0.0
    return len(query & document) / len(query)


def load(spec: ModelSpec, dimension: int = FAKE_DIMENSION) -> FakeModel:
    return FakeModel(spec, dimension)
