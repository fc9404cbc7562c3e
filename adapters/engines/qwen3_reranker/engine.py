"""Our Qwen3-Reranker engine: the official recipe's scores, computed with less work.

See qwen3_reranker_prompt (the prompt and its tokenization) and qwen3_reranker_scoring (the forward
passes). All model work runs on one worker thread per model, off the event loop.
"""

from __future__ import annotations

import asyncio
import functools
import logging
import time
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any, TypeVar

from adapters.cpu.memory import bound_cpu_memory
from adapters.engines.base import ModelSpec, Tokens
from adapters.engines.qwen3_reranker.prompt import RerankPrompt
from adapters.engines.qwen3_reranker.scoring import YesNoScorer, plan_batches
from adapters.engines.torch_runtime import log_precision, resolve_device, resolve_dtype
from adapters.serving.metrics import record_batch
from domain.errors import Overloaded, Unavailable
from domain.models import Capability, ModelInfo

log = logging.getLogger(__name__)
_T = TypeVar("_T")

DEFAULT_MAX_LENGTH = 8192  # the official recipe's window; capped by the checkpoint's positions
DEFAULT_TOKEN_BUDGET = 16_384  # padded document tokens per forward pass


class Qwen3Reranker:
    """A loaded Qwen3-Reranker (a RerankEngine)."""

    def __init__(
        self,
        *,
        info: ModelInfo,
        prompt: RerankPrompt,
        scorer: YesNoScorer,
        batch_size: int = 32,
        token_budget: int = DEFAULT_TOKEN_BUDGET,
        on_close: Callable[[], None] | None = None,
    ) -> None:
        self.info = info
        self._prompt = prompt
        self._scorer: YesNoScorer | None = scorer
        self._max_rows = max(1, batch_size)
        self._token_budget = max(1, token_budget)
        self._on_close = on_close
        # One thread: torch already uses every core per forward; two would only contend.
        self._worker: ThreadPoolExecutor | None = ThreadPoolExecutor(
            max_workers=1, thread_name_prefix=f"rerank-{info.id}"
        )

    @property
    def shared_prefix(self) -> bool:
        """Whether documents run against a once-per-request KV cache of the shared prompt part."""
        return self._prompt.shared_prefix

    async def tokenize_pairs(
        self, query: str, documents: Sequence[str], *, instruction: str | None, truncate: bool
    ) -> Tokens:
        encode = functools.partial(self._prompt.encode, instruction=instruction, truncate=truncate)
        encoded = await self._run(encode, query, list(documents))
        return Tokens(lengths=[len(r) for r in encoded.rows], rows=encoded, total=encoded.token_count)

    async def score_pairs(self, tokens: Tokens) -> Sequence[float]:
        encoded = tokens.rows
        scorer = self._scorer
        if scorer is None:
            raise Unavailable(f"model '{self.info.id}' is shut down")
        queued = time.perf_counter()
        past = await self._run(scorer.prefix_cache, encoded.shared) if encoded.shared else None
        scores = [0.0] * len(encoded.rows)
        # One worker job per batch: a request with many documents takes turns with the requests that
        # arrive meanwhile instead of holding the worker until it is done.
        for batch in plan_batches(list(tokens.lengths), token_budget=self._token_budget, max_rows=self._max_rows):
            rows = [encoded.rows[i] for i in batch]
            values = await self._run(self._scored_batch, scorer, rows, past, len(encoded.shared), queued)
            for i, value in zip(batch, values, strict=True):
                scores[i] = value
        return scores

    def _scored_batch(self, scorer: YesNoScorer, rows: list[list[int]], past: Any, shared: int, queued: float) -> Any:
        started = time.perf_counter()
        values = scorer.score_rows(rows, past, shared)
        record_batch(
            self.info.id,
            seconds=time.perf_counter() - started,
            rows=len(rows),
            tokens=max(map(len, rows)) * len(rows),
            waits=[started - queued] * len(rows),
        )
        return values

    async def _run(self, work: Callable[..., _T], *args: Any) -> _T:
        worker = self._worker
        if worker is None:
            raise Unavailable(f"model '{self.info.id}' is shut down")
        try:
            return await asyncio.get_running_loop().run_in_executor(worker, work, *args)
        except Exception as exc:
            # torch.cuda.OutOfMemoryError, matched by name so this module never imports torch.
            if type(exc).__name__ == "OutOfMemoryError":
                raise Overloaded("the reranker ran out of GPU memory; retry with fewer documents") from exc
            raise

    async def close(self) -> None:
        worker, self._worker = self._worker, None
        if worker is not None:
            # Let queued requests finish; waiting must not block the event loop.
            await asyncio.to_thread(worker.shutdown, wait=True)
        self._scorer = None  # drop the model so its memory can go
        if self._on_close is not None:
            self._on_close()


def load(
    spec: ModelSpec,
    *,
    shared_prefix: bool = True,
    token_budget: int = DEFAULT_TOKEN_BUDGET,
    max_length: int | None = None,
) -> Qwen3Reranker:
    """Load a Qwen3-Reranker checkpoint (hub id or local directory) with plain transformers.

    `shared_prefix=False` runs every document's whole prompt (the reference path for tests).
    """
    from transformers import AutoModelForCausalLM, AutoTokenizer

    device = resolve_device(spec.device)
    dtype = resolve_dtype(spec.dtype, device, model_type="qwen3")
    log_precision(spec.id, spec.dtype, dtype, device)
    if device == "cpu":
        bound_cpu_memory()
    # transformers 4.57.3+ warns about a Mistral regex for every local large-vocabulary tokenizer
    # (transformers#42591); saying False is accurate for Qwen and changes nothing.
    tokenizer = AutoTokenizer.from_pretrained(spec.path, fix_mistral_regex=False)
    model: Any = AutoModelForCausalLM.from_pretrained(spec.path, dtype=dtype)
    model = model.to(device).eval()
    return assemble(
        spec, model, tokenizer, shared_prefix=shared_prefix, token_budget=token_budget, max_length=max_length
    )


def assemble(
    spec: ModelSpec,
    model: Any,
    tokenizer: Any,
    *,
    shared_prefix: bool = True,
    token_budget: int = DEFAULT_TOKEN_BUDGET,
    max_length: int | None = None,
) -> Qwen3Reranker:
    """Serve an already loaded causal LM and its tokenizer (a benchmark shares one with its reference)."""
    config = model.config
    limit = min(max_length or DEFAULT_MAX_LENGTH, config.max_position_embeddings)
    yes_id, no_id = (_token_id(tokenizer, word) for word in ("yes", "no"))
    # A sliding-window layer would drop part of a cached prefix: only full attention is shared safely.
    sliding = bool(getattr(config, "use_sliding_window", False))
    prompt = RerankPrompt(tokenizer, limit, shared_prefix=shared_prefix and not sliding)
    if shared_prefix and not prompt.shared_prefix:
        log.warning("model %s: the shared-prefix path does not apply; scoring full prompts", spec.id)
    pad_id = tokenizer.pad_token_id if tokenizer.pad_token_id is not None else 0
    info = ModelInfo(
        id=spec.id,
        capabilities=frozenset({Capability.RERANK}),
        max_tokens=limit,
        vocab_size=len(tokenizer),
        owned_by=_owner(spec.path),
    )
    device = str(model.device)
    log.info(
        "qwen3 reranker %s on %s (%s), max %d tokens, shared prefix %s",
        spec.id,
        device,
        model.dtype,
        limit,
        prompt.shared_prefix,
    )
    return Qwen3Reranker(
        info=info,
        prompt=prompt,
        scorer=YesNoScorer(model, yes_id=yes_id, no_id=no_id, pad_id=pad_id),
        batch_size=spec.batch_size,
        token_budget=token_budget,
        on_close=_release if device.startswith("cuda") else None,
    )


def _token_id(tokenizer: Any, token: str) -> int:
    token_id = tokenizer.convert_tokens_to_ids(token)
    if not isinstance(token_id, int) or token_id == tokenizer.unk_token_id:
        raise ValueError(f"the tokenizer has no {token!r} token: not a Qwen3-Reranker checkpoint")
    return token_id


def _owner(path: str) -> str:
    # A hub id names its organisation ("Qwen/Qwen3-Reranker-0.6B"); a local directory does not.
    if "/" in path and not Path(path).exists():
        return path.split("/", 1)[0]
    return "embedrank"


def _release() -> None:
    import gc

    import torch

    gc.collect()  # modules hold reference cycles: collect them before handing cached blocks back
    torch.cuda.empty_cache()
