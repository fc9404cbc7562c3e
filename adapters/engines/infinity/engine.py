"""Embedding models and cross-encoders served through infinity_emb's dynamic batcher.

One AsyncEmbeddingEngine per model. `load` (blocking, in a worker thread) builds it; the engine's
batching threads need the serving event loop, so they start on `start()` or on first use, and stop on
`close()`. What infinity does not do, we do here:

- tokenize once with the model's own truncation, so usage counts real tokens, `truncate=False` can
  refuse by name, whitespace reaches the model as sent, and token-id inputs go in as they are
  (see tokens.py);
- record every batch infinity runs in the shared metrics (replica.py);
- turn a crash in infinity's worker threads, which would leave callers waiting forever, into EngineFailed.
The queue bound, the token budget and the finiteness check are the serving core's.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Awaitable, Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import Any, TypeVar

from adapters.engines.base import Engine, ModelSpec, Tokens
from adapters.engines.checkpoint import local_dir
from adapters.engines.infinity.args import check_backend, engine_args
from adapters.engines.infinity.quiet_import import import_infinity
from adapters.engines.infinity.replica import instrument
from adapters.engines.infinity.tokens import ModelTokenizer, Tokenized
from adapters.engines.model_info import embedding_info, reranker_info, transformer_module
from adapters.engines.torch_runtime import resolve_device
from adapters.engines.vectors import unit_rows
from domain.errors import EmbedRankError, EngineFailed, Unavailable
from domain.models import EmbedInput, ModelInfo

log = logging.getLogger(__name__)
T = TypeVar("T")


class InfinityModel:
    def __init__(self, engine: Any, info: ModelInfo, tokenizer: ModelTokenizer) -> None:
        self.info = info
        # Set when infinity's worker threads crash; readiness probes can report it.
        self.failure: str | None = None
        self._engine = engine
        self._tokenizer = tokenizer
        self._start_lock: asyncio.Lock | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._dead: asyncio.Future[None] | None = None
        # Tokenizing and list conversion stay off the event loop, one at a time (see ModelTokenizer).
        self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix=f"infinity-{info.id}")
        for replica in engine._model_replicas:
            instrument(replica, replica.tokenizer, info.id, self._engine_crashed)

    async def start(self) -> None:
        """Start infinity's batching threads on the running loop; idempotent.

        infinity binds its result futures to the loop it started on: the serving loop.
        """
        if self.failure is not None:
            raise EngineFailed(f"model '{self.info.id}' failed and cannot serve; restart the server")
        loop = asyncio.get_running_loop()
        if self._engine.is_running and self._loop is loop:
            return
        if self._start_lock is None or self._loop is not loop:
            self._start_lock = asyncio.Lock()  # a lock belongs to one loop
        async with self._start_lock:
            if self._engine.is_running and self._loop is not loop:
                await self._engine.astop()
            if not self._engine.is_running:
                self._loop, self._dead = loop, loop.create_future()
                await self._engine.astart()

    async def close(self) -> None:
        await self._engine.astop()
        if self._dead is not None and not self._dead.done():
            self._dead.cancel()

    async def _queued(self, items: list[Tokenized]) -> None:
        await self.start()
        now = time.perf_counter()
        for item in items:
            item.queued_at = now

    async def _off_loop(self, fn: Callable[..., T], *args: Any) -> T:
        return await asyncio.get_running_loop().run_in_executor(self._executor, fn, *args)

    async def _guarded(self, call: Awaitable[T]) -> T:
        """Await an engine call; EngineFailed if infinity's threads die meanwhile."""
        assert self._dead is not None, "start() creates it"
        task = asyncio.ensure_future(call)
        waiters: set[asyncio.Future[Any]] = {task, self._dead}
        try:
            await asyncio.wait(waiters, return_when=asyncio.FIRST_COMPLETED)
        except asyncio.CancelledError:
            task.cancel()  # our caller gave up: drop its items from infinity's queue
            raise
        if not task.done():
            task.cancel()
            raise EngineFailed(f"model '{self.info.id}' failed and cannot serve; restart the server")
        try:
            return task.result()
        except EmbedRankError:
            raise
        except Exception as exc:
            log.exception("infinity engine of model %s failed", self.info.id)
            raise Unavailable(f"model '{self.info.id}' failed to run the request; retry later") from exc

    def _engine_crashed(self, exc: BaseException) -> None:
        # Runs on infinity's worker thread: the batch in hand is lost and that thread is gone.
        self.failure = f"{type(exc).__name__}: {exc}"
        log.error("infinity worker of model %s crashed: %s", self.info.id, self.failure)
        dead = self._dead
        if dead is not None:
            with contextlib.suppress(RuntimeError):  # the loop may already be closed
                dead.get_loop().call_soon_threadsafe(_settle, dead)


class InfinityEmbedder(InfinityModel):
    async def tokenize(self, inputs: Sequence[EmbedInput], *, truncate: bool) -> Tokens:
        items = await self._off_loop(self._tokenizer.embed_inputs, inputs, truncate)
        return Tokens(lengths=[len(item) for item in items], rows=items)

    async def forward(self, tokens: Tokens) -> Sequence[Sequence[float]]:
        await self._queued(tokens.rows)
        arrays, _ = await self._guarded(self._engine.embed(sentences=tokens.rows))
        return await self._off_loop(unit_rows, arrays)


class InfinityReranker(InfinityModel):
    async def tokenize_pairs(
        self, query: str, documents: Sequence[str], *, instruction: str | None, truncate: bool
    ) -> Tokens:
        # A cross-encoder has no instruction slot: `instruction` is for Qwen3-Reranker models.
        pairs = await self._off_loop(self._tokenizer.rerank_pairs, query, documents, truncate)
        return Tokens(lengths=[len(pair) for pair in pairs], rows=(query, pairs))

    async def score_pairs(self, tokens: Tokens) -> Sequence[float]:
        query, pairs = tokens.rows
        await self._queued(pairs)
        ranked, _ = await self._guarded(self._engine.rerank(query=query, docs=pairs))
        # infinity sorts by score; the port promises document order. Its scores are sigmoid(logit).
        scores = [0.0] * len(pairs)
        for hit in ranked:
            scores[hit.index] = float(hit.relevance_score)
        return scores


def _settle(future: asyncio.Future[None]) -> None:
    if not future.done():
        future.set_result(None)


def load(spec: ModelSpec) -> Engine:
    """Load one model into an infinity engine (blocking; the engine starts later, on the serving loop)."""
    check_backend(spec.backend)
    if spec.qwen3_reranker:
        raise ValueError(f"model '{spec.id}': infinity cannot serve a Qwen3-Reranker (a causal LM)")
    AsyncEmbeddingEngine = import_infinity().AsyncEmbeddingEngine

    directory = local_dir(spec.path)
    engine = AsyncEmbeddingEngine.from_args(engine_args(spec, directory, resolve_device(spec.device)))
    replica: Any = engine._model_replicas[0]
    if engine.capabilities == {"embed"}:
        module = transformer_module(replica)
        info = embedding_info(spec, replica, directory, "infinity")
        lower_case = bool(module.do_lower_case)
        return InfinityEmbedder(engine, info, ModelTokenizer(module.tokenizer, info.max_tokens, lower_case=lower_case))
    if engine.capabilities == {"rerank"}:
        info = reranker_info(spec, replica, "infinity")
        return InfinityReranker(engine, info, ModelTokenizer(replica.tokenizer, info.max_tokens))
    raise ValueError(
        f"model '{spec.id}' loads in infinity as {sorted(engine.capabilities)}; "
        "the infinity engine serves embedding models and one-logit cross-encoders"
    )
