"""How a model's batches are formed; the queue bound and row cap come from its ModelSpec."""

from __future__ import annotations

from dataclasses import dataclass

from adapters.batching.plan import DEFAULT_MIN_EFFICIENCY

DEFAULT_TOKEN_BUDGET = 8192
DEFAULT_LOOKAHEAD = 256


@dataclass(frozen=True, slots=True, kw_only=True)
class BatchingOptions:
    # Padded tokens (longest row × rows) per forward pass.
    token_budget: int = DEFAULT_TOKEN_BUDGET
    # Waiting items, oldest first, among which a batch is chosen by length.
    lookahead: int = DEFAULT_LOOKAHEAD
    min_efficiency: float = DEFAULT_MIN_EFFICIENCY
    # Seconds a request may spend queued and running before DeadlineExceeded; None: no limit.
    deadline_s: float | None = None
    # Threads that run batches; 0 lets the engine choose (ours: 2 on a CPU, 1 on a GPU). Two batches at
    # once keep a CPU's cores busy while the other batch is in Python (see docs/benchmarks.md).
    model_threads: int = 0
    # After this long with nothing to run, the runner's `on_idle` (ours: return freed memory to the OS).
    idle_seconds: float = 0.5
