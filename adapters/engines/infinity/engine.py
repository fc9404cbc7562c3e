"""Embedding models and cross-encoders served through infinity_emb's dynamic batcher.

One AsyncEmbeddingEngine per model. `load` (blocking, in a worker thread) builds it; the engine's
batching threads need the serving event loop, so they start on `start()` or on first use, and stop on
`close()` (a later call starts them again). What infinity does not do, we do here:

- tokenize once with the model's own truncation, so usage counts real tokens, `truncate=False` can
  refuse by name, whitespace reaches the model as sent, and token-id inputs go in as they are
  (see infinity_tokens);
- refuse with Overloaded when more than `queue_size` items are in flight (infinity queues without limit);
- turn a crash in infinity's worker threads, which would leave callers waiting forever, into Unavailable.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import math
from collections.abc import Awaitable, Callable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import Any, TypeVar

from adapters.engines.base import ModelSpec, ServedModel
from adapters.engines.checkpoint import QWEN3_RERANKER, local_dir
from adapters.engines.infinity.args import check_backend, engine_args
from adapters.engines.infinity.replica import instrument
from adapters.engines.infinity.tokens import ModelTokenizer
from adapters.engines.model_info import embedding_info, reranker_info, transformer_module
from adapters.engines.torch_runtime import resolve_device
from domain.errors import CapabilityNotSupported, EmbedRankError, EngineFailed, NonFiniteOutput, Overloaded, Unavailable
from domain.models import EmbedInput, EncodedBatch, ModelInfo, ScoredBatch

log = logging.getLogger(__name__)
T = TypeVar("T")


class InfinityModel:
    def __init__(self, spec: ModelSpec, engine: Any, info: ModelInfo, tokenizer: ModelTokenizer) -> None:
        self.info = info
        # Set when infinity's worker threads crash; readiness probes can report it.
        self.failure: str | None = None
        self._engine = engine
        self._tokenizer = tokenizer
        self._queue_size = spec.queue_size
        self._in_flight = 0
        self._start_lock: asyncio.Lock | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._dead: asyncio.Future[None] | None = None
        # Tokenizing and list conversion stay off the event loop, one at a time (see ModelTokenizer).
        self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix=f"infinity-{spec.id}")
        for replica in engine._model_replicas:
            instrument(replica, replica.tokenizer, self._engine_crashed)

    async def start(self) -> None:
        """Start infinity's batching threads on the running loop; idempotent.

        infinity binds its result futures to the loop it started on. Callers that run each call in a
        fresh loop (asyncio.run per call, as some tests do) get the engine restarted on theirs.
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

    async def embed(self, inputs: Sequence[EmbedInput], *, truncate: bool) -> EncodedBatch:
        if not self._engine.capabilities & {"embed"}:
            raise CapabilityNotSupported(f"model '{self.info.id}' is a reranker", param="model")
        if not inputs:
            return EncodedBatch(vectors=[], token_counts=[])
        with self._admitted(len(inputs)):
            await self.start()
            items = await self._off_loop(self._tokenizer.embed_inputs, inputs, truncate)
            arrays, _ = await self._guarded(self._engine.embed(sentences=items))
            vectors = await self._off_loop(unit_lists, arrays)
        return EncodedBatch(vectors=vectors, token_counts=[len(item) for item in items])

    async def score(
        self, query: str, documents: Sequence[str], *, instruction: str | None, truncate: bool
    ) -> ScoredBatch:
        # A cross-encoder has no instruction slot: `instruction` is for Qwen3-Reranker models.
        if not self._engine.capabilities & {"rerank"}:
            raise CapabilityNotSupported(f"model '{self.info.id}' is an embedding model", param="model")
        if not documents:
            return ScoredBatch(scores=[], token_count=0)
        with self._admitted(len(documents)):
            await self.start()
            pairs = await self._off_loop(self._tokenizer.rerank_pairs, query, documents, truncate)
            ranked, _ = await self._guarded(self._engine.rerank(query=query, docs=pairs))
        # infinity sorts by score; the port promises document order. Its scores are sigmoid(logit).
        scores = [0.0] * len(documents)
        for hit in ranked:
            scores[hit.index] = float(hit.relevance_score)
        if not all(math.isfinite(s) for s in scores):
            raise NonFiniteOutput(f"model '{self.info.id}' produced a non-finite score")
        return ScoredBatch(scores=scores, token_count=sum(len(p) for p in pairs))

    @contextlib.contextmanager
    def _admitted(self, items: int) -> Iterator[None]:
        # Refuse at once rather than queue without bound. An idle model takes any one request, so a
        # request larger than the queue is slow, not impossible.
        if self._in_flight and self._in_flight + items > self._queue_size:
            raise Overloaded(
                f"model '{self.info.id}' has {self._in_flight} items in flight (queue size "
                f"{self._queue_size}); retry shortly"
            )
        self._in_flight += items
        try:
            yield
        finally:
            self._in_flight -= items

    async def _guarded(self, call: Awaitable[T]) -> T:
        """Await an engine call; Unavailable if the engine fails or its threads die meanwhile."""
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

    async def _off_loop(self, fn: Callable[..., T], *args: Any) -> T:
        return await asyncio.get_running_loop().run_in_executor(self._executor, fn, *args)


def _settle(future: asyncio.Future[None]) -> None:
    if not future.done():
        future.set_result(None)


def unit_lists(arrays: Sequence[Any]) -> list[list[float]]:
    """Plain lists of floats, L2-normalised (again: a model without a Normalize module returns raw)."""
    import numpy as np

    out = []
    for i, array in enumerate(arrays):
        vector = np.asarray(array, dtype=np.float64)
        if not np.all(np.isfinite(vector)):
            raise NonFiniteOutput(f"the model produced a non-finite vector for input[{i}]")
        norm = float(np.linalg.norm(vector))
        out.append((vector / norm if norm > 0 else vector).tolist())
    return out


def load(spec: ModelSpec) -> ServedModel:
    """Load one model into an infinity engine (blocking; the engine starts later, on the serving loop)."""
    check_backend(spec.backend)
    if spec.kind == QWEN3_RERANKER:
        raise ValueError(f"model '{spec.id}': infinity cannot serve a Qwen3-Reranker (a causal LM)")
    from infinity_emb import AsyncEmbeddingEngine

    directory = local_dir(spec.path)
    engine = AsyncEmbeddingEngine.from_args(engine_args(spec, directory, resolve_device(spec.device)))
    replica: Any = engine._model_replicas[0]
    if engine.capabilities == {"embed"} and spec.kind in ("auto", "embedding"):
        module = transformer_module(replica)
        info = embedding_info(spec, replica, directory, "infinity")
        tokenizer = ModelTokenizer(module.tokenizer, info.max_tokens, lower_case=bool(module.do_lower_case))
    elif engine.capabilities == {"rerank"} and spec.kind in ("auto", "cross-encoder"):
        info = reranker_info(spec, replica, "infinity")
        tokenizer = ModelTokenizer(replica.tokenizer, info.max_tokens)
    else:
        raise ValueError(
            f"model '{spec.id}' (kind {spec.kind}) loads in infinity as {sorted(engine.capabilities)}; "
            "the infinity engine serves embedding models and one-logit cross-encoders"
        )
    return InfinityModel(spec, engine, info, tokenizer)
