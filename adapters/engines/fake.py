"""A deterministic engine for CI without models: hash-based unit vectors, word-overlap scores.

It serves any model id: names containing "rerank" are rerankers, the rest embed; embedding models
whose name contains "qwen3" are instruction-aware, as the real Qwen3-Embedding is. One token is one
whitespace-separated word. `delay_ms` per forward lets tests exercise backpressure, deadlines and
draining without a model; the serving core wraps it like any other engine.
"""

from __future__ import annotations

import asyncio
import hashlib
import math
import re
import struct
import time
from array import array
from collections.abc import Sequence

from adapters.engines.base import ModelSpec, Tokens
from adapters.serving.metrics import record_batch
from domain.errors import InvalidInput
from domain.models import Capability, EmbedInput, ModelInfo
from domain.use_cases.prompts import QWEN3_DEFAULT_TASK

FAKE_DIMENSION = 384
FAKE_MAX_TOKENS = 512
FAKE_VOCAB = 30_522
# BERT's [CLS] … [SEP], so token arrays in the fake model's own vocabulary look like real ones.
FAKE_PREFIX, FAKE_SUFFIX = (101,), (102,)
_WORD = re.compile(r"\w+")


class _Fake:
    def __init__(self, info: ModelInfo, delay_ms: int) -> None:
        self.info = info
        self._delay = delay_ms / 1000

    async def close(self) -> None:
        return None

    async def _run_batch(self, rows: int, tokens: int, since: float) -> None:
        started = time.perf_counter()
        if self._delay:
            await asyncio.sleep(self._delay)
        record_batch(
            self.info.id,
            seconds=time.perf_counter() - started,
            rows=rows,
            tokens=tokens,
            waits=[started - since] * rows,
        )


class FakeEmbedder(_Fake):
    def __init__(self, spec: ModelSpec, dimension: int = FAKE_DIMENSION, delay_ms: int = 0) -> None:
        instruction_aware = "qwen3" in spec.id.lower()
        info = ModelInfo(
            id=spec.id,
            capabilities=frozenset({Capability.EMBED}),
            dimension=dimension,
            max_tokens=FAKE_MAX_TOKENS,
            vocab_size=FAKE_VOCAB,
            token_prefix=FAKE_PREFIX,
            token_suffix=FAKE_SUFFIX,
            instruction_aware=instruction_aware,
            default_instruction=QWEN3_DEFAULT_TASK if instruction_aware else None,
            min_dimensions=32 if instruction_aware else 1,
            owned_by="fake",
        )
        super().__init__(info, delay_ms)
        self._dimension = dimension

    async def tokenize(self, inputs: Sequence[EmbedInput], *, truncate: bool) -> Tokens:
        seen = [self._what_the_model_sees(item, i, truncate) for i, item in enumerate(inputs)]
        return Tokens(lengths=[count for _, count in seen], rows=[text for text, _ in seen])

    async def forward(self, tokens: Tokens) -> Sequence[Sequence[float]]:
        await self._run_batch(len(tokens.lengths), tokens.count, time.perf_counter())
        return [hash_vector(text, self._dimension) for text in tokens.rows]

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


class FakeReranker(_Fake):
    def __init__(self, spec: ModelSpec, delay_ms: int = 0) -> None:
        info = ModelInfo(
            id=spec.id,
            capabilities=frozenset({Capability.RERANK}),
            max_tokens=FAKE_MAX_TOKENS,
            vocab_size=FAKE_VOCAB,
            owned_by="fake",
        )
        super().__init__(info, delay_ms)

    async def tokenize_pairs(
        self, query: str, documents: Sequence[str], *, instruction: str | None, truncate: bool
    ) -> Tokens:
        query_words = len(query.split())
        return Tokens(lengths=[query_words + len(d.split()) for d in documents], rows=(query, list(documents)))

    async def score_pairs(self, tokens: Tokens) -> Sequence[float]:
        await self._run_batch(len(tokens.lengths), tokens.count, time.perf_counter())
        query, documents = tokens.rows
        query_words = set(_WORD.findall(query.lower()))
        return [overlap(query_words, set(_WORD.findall(doc.lower()))) for doc in documents]


def hash_vector(text: str, dimension: int) -> array[float]:
    """A float32 unit vector that depends only on the text: SHA-256 in counter mode mapped to [-1, 1)."""
    values: list[float] = []
    counter = 0
    while len(values) < dimension:
        block = hashlib.sha256(f"{counter}:{text}".encode()).digest()
        values.extend((v / 2**31) - 1.0 for v in struct.unpack("<8I", block))
        counter += 1
    values = values[:dimension]
    norm = math.sqrt(math.fsum(v * v for v in values))
    return array("f", [v / norm for v in values])


def overlap(query: set[str], document: set[str]) -> float:
    """Share of the query's words the document contains, in [0, 1]."""
    if not query:
        return 0.0
    return len(query & document) / len(query)


def load(spec: ModelSpec, dimension: int = FAKE_DIMENSION, delay_ms: int = 0) -> FakeEmbedder | FakeReranker:
    if "rerank" in spec.id.lower():
        return FakeReranker(spec, delay_ms)
    return FakeEmbedder(spec, dimension, delay_ms)
