"""Values the use cases and ports exchange. Pure Python: vectors are plain lists of floats."""

from __future__ import annotations

import enum
from collections.abc import Sequence
from dataclasses import dataclass, field

# An item to embed: text, or token ids in the served model's own vocabulary.
EmbedInput = str | tuple[int, ...]


class Capability(enum.StrEnum):
    EMBED = "embed"
    RERANK = "rerank"


class PromptType(enum.StrEnum):
    QUERY = "query"
    DOCUMENT = "document"
    # Cohere's other input types: the model's own prompt of that name when it has one, else none.
    CLASSIFICATION = "classification"
    CLUSTERING = "clustering"


class TokenIds(enum.StrEnum):
    """Whose vocabulary a token-id input is in (see domain/use_cases/token_inputs.py for `auto`)."""

    AUTO = "auto"
    CL100K = "cl100k"
    MODEL = "model"


@dataclass(frozen=True, slots=True, kw_only=True)
class ModelInfo:
    """What a served model can do, as the catalogue reports it."""

    id: str
    capabilities: frozenset[Capability]
    dimension: int | None = None
    # Smallest `dimensions` a request may ask for (Qwen3's MRL range starts at 32).
    min_dimensions: int = 1
    max_tokens: int = 512
    vocab_size: int | None = None
    # The ids the model's tokenizer puts before and after a text ([CLS] … [SEP]; … <|endoftext|>): token
    # arrays framed by them are read in the model's own vocabulary (domain/use_cases/token_inputs.py).
    token_prefix: tuple[int, ...] = ()
    token_suffix: tuple[int, ...] = ()
    # Instruction-aware models (Qwen3-Embedding) take `Instruct: {task}\nQuery:{text}` for queries.
    instruction_aware: bool = False
    default_instruction: str | None = None
    # The model's own configured prompts (e5's "query: ", ...), used when it is not instruction-aware.
    prompts: dict[str, str] = field(default_factory=dict)
    owned_by: str = "embedrank"
    created: int = 0

    def can(self, capability: Capability) -> bool:
        return capability in self.capabilities


@dataclass(frozen=True, slots=True, kw_only=True)
class Usage:
    """Real tokens the model saw (instruction and special tokens included)."""

    prompt_tokens: int
    total_tokens: int

    @classmethod
    def of(cls, tokens: int) -> Usage:
        return cls(prompt_tokens=tokens, total_tokens=tokens)


@dataclass(frozen=True, slots=True, kw_only=True)
class Token:
    """One token of a text: its id, its piece, whether it is special, its character span in the text."""

    id: int
    text: str
    special: bool
    start: int
    stop: int


@dataclass(frozen=True, slots=True, kw_only=True)
class EncodedBatch:
    """An embedder's answer: one L2-normalised vector and one token count per input, in input order."""

    vectors: Sequence[Sequence[float]]
    token_counts: Sequence[int]


@dataclass(frozen=True, slots=True, kw_only=True)
class ScoredBatch:
    """A reranker's answer: one relevance score per document, in document order."""

    scores: Sequence[float]
    token_count: int


@dataclass(frozen=True, slots=True, kw_only=True)
class EmbeddingsRequest:
    model: str | None
    inputs: Sequence[EmbedInput]
    instruction: str | None = None
    prompt_type: PromptType | None = None
    dimensions: int | None = None
    truncate: bool | None = None
    # A client's own per-item token cap (Cohere's max_tokens, TEI/Ollama truncation lengths).
    max_tokens: int | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class EmbeddingsResult:
    model: str
    # Each vector as the engine made it (float32 values in a plain sequence), or re-normalised after
    # `dimensions` sliced it: the wire converts once.
    vectors: list[Sequence[float]]
    usage: Usage


@dataclass(frozen=True, slots=True, kw_only=True)
class RerankRequest:
    model: str | None
    query: str
    documents: Sequence[str]
    top_n: int | None = None
    return_documents: bool = False
    instruction: str | None = None
    truncate: bool | None = None
    # Cohere's max_tokens_per_doc.
    max_tokens_per_doc: int | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class RerankHit:
    index: int
    score: float
    document: str | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class RerankResult:
    model: str
    hits: list[RerankHit]
    usage: Usage


@dataclass(frozen=True, slots=True, kw_only=True)
class Limits:
    """Policy limits the use cases enforce before any model work."""

    max_items: int = 2048
    max_chars_per_item: int = 200_000
    max_tokens_per_request: int = 300_000
    truncate: bool = True
    token_ids: TokenIds = TokenIds.AUTO
