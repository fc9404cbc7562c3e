"""What `embedrank bench --device DEVICE` measures, and its `--quick` form (tiny models, seconds)."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from bench.qwen3_shaped import SHAPE
from bench.qwen3_tiny import TINY_SHAPE

QWEN3_POSITIONS = 40_960  # the real 0.6B checkpoints' max_position_embeddings


@dataclass(frozen=True, slots=True, kw_only=True)
class DeviceSuite:
    out: Path
    device: str  # cuda, cuda:N or cpu
    quick: bool = False
    budget_s: float = 450.0  # the whole command, model building and server starts included
    dtype: str = "bf16"  # the throughput and reranker runs
    parity_dtypes: tuple[str, ...] = ("fp32", "bf16")
    shape: dict[str, int] = field(default_factory=lambda: dict(SHAPE))  # of the measured models
    lengths: tuple[int, ...] = (32, 128, 512, 1024)
    mixed: tuple[int, int] = (20, 512)
    texts_per_workload: int = 256
    clients: int = 64
    point_seconds: float = 8.0
    # BATCH_SIZES for both engines: rows per forward. Ours also stops at its token budget; infinity
    # batches by rows only, and 32 short rows are too small a batch for a GPU.
    rows: int = 128
    documents: int = 64  # reranker: 1 query × this many documents
    document_words: tuple[int, int] = (50, 300)  # each document's length, in one-token words
    rerank_repeats: int = 5
    singles: int = 30  # lone requests for the p50 latencies
    seed: int = 1234
    server_env: dict[str, str] = field(default_factory=dict)
    http_engines: tuple[str, ...] | None = None  # None: every engine installed

    def to_json(self) -> dict[str, Any]:
        return {k: (str(v) if isinstance(v, Path) else v) for k, v in asdict(self).items()}


def device_suite(out: Path, device: str, *, quick: bool, budget_minutes: float, clients: int,
                 server_env: dict[str, str]) -> DeviceSuite:  # fmt: skip
    if not quick:
        return DeviceSuite(
            out=out, device=device, budget_s=budget_minutes * 60, clients=clients, server_env=server_env,
            dtype="bf16" if device != "cpu" else "fp32",
        )  # fmt: skip
    # Every step once, on tiny models: the CI run on a CPU (about a minute on 2 cores), or a smoke run
    # on a GPU before the full one. Over HTTP only our engine: each server start costs ~15 s of imports
    # on 2 cores, and the bench drives every engine's server with the same code.
    return DeviceSuite(
        out=out, device=device, quick=True, budget_s=budget_minutes * 60, dtype="bf16" if device != "cpu" else "fp32",
        parity_dtypes=("fp32",), shape=dict(TINY_SHAPE), lengths=(32, 128), mixed=(20, 64), texts_per_workload=16,
        clients=4, point_seconds=0.5, rows=32, documents=4, document_words=(10, 30), rerank_repeats=2, singles=4,
        server_env=server_env, http_engines=("sentence-transformers",),
    )  # fmt: skip
