"""How a model's batches are formed; the row cap comes from its ModelSpec, the queue bound is the serving core's."""

from __future__ import annotations

from dataclasses import dataclass

from adapters.batching.plan import DEFAULT_MIN_EFFICIENCY

DEFAULT_TOKEN_BUDGET = 8192
# On a CPU a big model's 8192-token batch runs for tens of seconds: few batches, poorly balanced between
# model threads. Measured, Qwen3-0.6B shape, bf16, 2 cores, 96 texts of 20-200 tokens: useful MFU 73%
# with 8192, 75% with 2048; all-MiniLM-L6-v2 lost 2.5% bf16 texts/s with 2048, so small models keep 8192.
CPU_BIG_MODEL_TOKEN_BUDGET = 2048
CPU_BIG_MODEL_PARAMETERS = 100_000_000
# On a GPU the forward is fast and the host's work around each batch (tokenising, padding, copies,
# pooling, scheduling: milliseconds, serial with one model thread) is not: Qwen3-0.6B does ~0.9 GFLOP a
# token, so 8192 tokens are ~15 ms of an H100 at half its bf16 peak, and a few ms of host work per batch
# would idle it a fifth of the time; 32768 tokens (~60 ms) make that a few percent. Memory stays small
# beside the weights: Qwen3-0.6B's widest activations at 32768 tokens are 2 × 32768 × 3072 bf16 ≈ 400 MB
# (8B: ≈ 1.6 GB). Sized by this arithmetic; the bench's GPU run measures it (docs/benchmarks.md).
GPU_TOKEN_BUDGET = 32_768
DEFAULT_LOOKAHEAD = 256


@dataclass(frozen=True, slots=True, kw_only=True)
class BatchingOptions:
    # Padded tokens (longest row × rows) per forward pass; 0: the engine picks (see auto_token_budget).
    token_budget: int = DEFAULT_TOKEN_BUDGET
    # Waiting items, oldest first, among which a batch is chosen by length.
    lookahead: int = DEFAULT_LOOKAHEAD
    min_efficiency: float = DEFAULT_MIN_EFFICIENCY
    # The engine packs a batch's rows (no padding in its matmuls): batches fill the budget with real tokens
    # in arrival order instead of grouping alike lengths (plan_packed_batch).
    packed: bool = False
    # Threads that run batches; 0 lets the engine choose (ours: 2 on a CPU, 1 on a GPU). Two batches at
    # once keep a CPU's cores busy while the other batch is in Python (see docs/benchmarks.md).
    model_threads: int = 0
    # After this long with nothing to run, the runner's `on_idle` (ours: return freed memory to the OS).
    idle_seconds: float = 0.5


def auto_token_budget(requested: int, device: str, parameters: int) -> int:
    """`requested`, or when 0: 32768 on a GPU; on a CPU 8192, or 2048 for a model over 100M parameters."""
    if requested > 0:
        return requested
    if device.startswith("cuda"):
        return GPU_TOKEN_BUDGET
    big_on_cpu = device == "cpu" and parameters > CPU_BIG_MODEL_PARAMETERS
    return CPU_BIG_MODEL_TOKEN_BUDGET if big_on_cpu else DEFAULT_TOKEN_BUDGET
