"""What one `embedrank bench` run measures; `--quick` shrinks everything to seconds for CI."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from pathlib import Path

MODES = ("engine", "http", "infinity", "qwen3", "onnx")


@dataclass(frozen=True, slots=True, kw_only=True)
class BenchOptions:
    out: Path
    modes: tuple[str, ...] = ("engine", "http", "infinity")
    model: str | None = None  # default: the bundled all-MiniLM-L6-v2
    texts: int = 2000
    seed: int = 1234
    clients: int = 64  # the headline concurrency
    sweep: tuple[int, ...] = (1, 4, 16)  # further concurrencies for the plot, each bounded by point_seconds
    point_seconds: float = 20.0
    rounds: int = 3  # headline rounds over the whole corpus: memory must not grow across them
    round_pause: float = 2.0  # seconds of no traffic before each round
    # fp32, bf16, and auto: the server as `make serve` runs it, no ENGINE or DTYPES (raw encode then runs fp32).
    dtypes: tuple[str, ...] = ("fp32", "bf16")
    batch_sizes: tuple[int, ...] = (16, 32, 64, 128)  # the baseline's sweep; its best is the number to beat
    singles: int = 60  # lone 1-text requests for the latency comparison
    server_env: dict[str, str] = field(default_factory=dict)  # e.g. BATCH_SIZES, BATCH_TOKEN_BUDGET
    qwen3_texts: int = 96
    qwen3_tokens: tuple[int, int] = (20, 200)


def quick(options: BenchOptions) -> BenchOptions:
    """A few seconds of work per mode: small corpus, one round, one dtype (auto if asked, else fp32), no Qwen3."""
    dtype = "auto" if "auto" in options.dtypes else "fp32"
    return replace(
        options, modes=tuple(m for m in options.modes if m != "qwen3"), texts=min(options.texts, 48),
        clients=min(options.clients, 8), sweep=(1,), point_seconds=1.0, rounds=1, dtypes=(dtype,),
        batch_sizes=(32,), singles=4, qwen3_texts=8, round_pause=0.0,
    )  # fmt: skip
