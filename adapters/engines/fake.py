"""A deterministic engine for CI without models: hash-based unit vectors, word-overlap scores.

It serves any model id: names containing "rerank" are rerankers, the rest embed; embedding models
whose name contains "qwen3" are instruction-aware, as the real Qwen3-Embedding is.
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
from domain.use_cases.prompts import QWEN3_DEFAULT_TASK

FAKE_DIMENSION = 384
FAKE_MAX_TOKENS = 512
FAKE_VOCAB = 30_522
_WORD = re.compile(r"\w+")


class FakeModel:
    def __init__(self, spec: ModelSpec, dimension: int = FAKE_DIMENSION) -> None:
        name = spec.id.lower()
        reranks = "rerank" in name
        instruction_aware = not reranks and "qwen3" in name
        self.info = ModelInfo(
            id=spec.id,
            capabilities=frozenset({Capability.RERANK if reranks else Capability.EMBED}),
            dimension=None if reranks else dimension,
            max_tokens=FAKE_MAX_TOKENS,
            vocab_size=FAKE_VOCAB,
            instruction_aware=instruction_aware,
            default_instruction=QWEN3_DEFAULT_TASK if instruction_aware else None,
            min_dimensions=32 if instruction_aware else 1,
            owned_by="fake",
        )
        self._dimension = dimension

    async def embed(self, inputs: Sequence[EmbedInput], *, truncate: bool) -> EncodedBatch:
        seen = [self._what_the_model_sees(item, i, truncate) for i, item in enumerate(inputs)]
        return EncodedBatch(
            vectors=[hash_vector(text, self._dimension) for text, _ in seen],
            token_counts=[count for _, count in seen],
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

    def _what_the_model_sees(self, item: EmbedInput, index: int, truncate: bool) -> tuple[str, int]:
        """The exact text hashed (whitespace kept, so templates matter) and its whitespace-token count."""
        text = item if isinstance(item, str) else " ".join(str(t) for t in item)
        tokens = text.split()
        if len(tokens) <= FAKE_MAX_TOKENS:
            return text, len(tokens)
        if not truncate:
            raise InvalidInput(
                f"input[{index}] has {len(tokens)} tokens, over the model's limit of {FAKE_MAX_TOKENS}",
                param="input",
            )
        return " ".join(tokens[:FAKE_MAX_TOKENS]), FAKE_MAX_TOKENS


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
