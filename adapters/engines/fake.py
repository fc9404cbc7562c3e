"""A deterministic engine for CI without models: hash-based unit vectors, word-overlap scores.

It serves any model id: names containing "rerank" are rerankers, the rest embed; embedding models
whose name contains "qwen3" are instruction-aware, as the real Qwen3-Embedding is.

Like the batching scheduler it holds at most `spec.queue_size` items at once (more → Overloaded; a
request larger than the whole queue runs alone when the queue is empty, so it is never refused for
good) and can take `delay_ms` per call, so tests can exercise backpressure, deadlines and draining
without a model.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import math
import re
import struct
from collections.abc import AsyncIterator, Sequence

from adapters.engines.base import ModelSpec
from domain.errors import InvalidInput, Overloaded
from domain.models import Capability, EmbedInput, EncodedBatch, ModelInfo, ScoredBatch
from domain.use_cases.prompts import QWEN3_DEFAULT_TASK

FAKE_DIMENSION = 384
FAKE_MAX_TOKENS = 512
FAKE_VOCAB = 30_522
# BERT's [CLS] … [SEP], so token arrays in the fake model's own vocabulary look like real ones.
FAKE_PREFIX, FAKE_SUFFIX = (101,), (102,)
_WORD = re.compile(r"\w+")


class FakeModel:
    def __init__(self, spec: ModelSpec, dimension: int = FAKE_DIMENSION, delay_ms: int = 0) -> None:
        name = spec.id.lower()
        reranks = "rerank" in name
        instruction_aware = not reranks and "qwen3" in name
        self.info = ModelInfo(
            id=spec.id,
            capabilities=frozenset({Capability.RERANK if reranks else Capability.EMBED}),
            dimension=None if reranks else dimension,
            max_tokens=FAKE_MAX_TOKENS,
            vocab_size=FAKE_VOCAB,
            token_prefix=FAKE_PREFIX,
            token_suffix=FAKE_SUFFIX,
            instruction_aware=instruction_aware,
            default_instruction=QWEN3_DEFAULT_TASK if instruction_aware else None,
            min_dimensions=32 if instruction_aware else 1,
            owned_by="fake",
        )
        self._dimension = dimension
        self._delay = delay_ms / 1000
        self._capacity = spec.queue_size
        self._held = 0

    async def embed(self, inputs: Sequence[EmbedInput], *, truncate: bool) -> EncodedBatch:
        async with self._admitted(len(inputs)):
            seen = [self._what_the_model_sees(item, i, truncate) for i, item in enumerate(inputs)]
        return EncodedBatch(
            vectors=[hash_vector(text, self._dimension) for text, _ in seen],
            token_counts=[count for _, count in seen],
        )

    async def score(
        self, query: str, documents: Sequence[str], *, instruction: str | None, truncate: bool
    ) -> ScoredBatch:
        async with self._admitted(len(documents)):
            query_words = set(_WORD.findall(query.lower()))
            scores = [overlap(query_words, set(_WORD.findall(doc.lower()))) for doc in documents]
        used = len(query.split()) * len(documents) + sum(len(d.split()) for d in documents)
        return ScoredBatch(scores=scores, token_count=used)

    async def close(self) -> None:
        return None

    @contextlib.asynccontextmanager
    async def _admitted(self, items: int) -> AsyncIterator[None]:
        # Decided before any work, as the scheduler's queue does (adapters/batching/scheduler.py).
        if self._held + items > self._capacity and self._held > 0:
            raise Overloaded(f"model '{self.info.id}' has {self._held} items queued; retry shortly")
        self._held += items
        try:
            if self._delay:
                await asyncio.sleep(self._delay)
            yield
        finally:
            self._held -= items

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


def load(spec: ModelSpec, dimension: int = FAKE_DIMENSION, delay_ms: int = 0) -> FakeModel:
    return FakeModel(spec, dimension, delay_ms)
