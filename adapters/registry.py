"""The served models by id: implements the ModelCatalog, Embedder and Reranker ports."""

from __future__ import annotations

import enum
import functools
import logging
import time
from collections.abc import Callable, Sequence

from adapters.engines.base import Engine, ModelSpec
from adapters.own_thread import run_in_own_thread
from adapters.serving.core import EmbeddingCore, RerankCore, serving
from domain.errors import CapabilityNotSupported, Unavailable
from domain.models import EmbedInput, EncodedBatch, ModelInfo, ScoredBatch
from domain.use_cases.resolve_model import model_not_found

log = logging.getLogger(__name__)


class State(enum.StrEnum):
    LOADING = "loading"
    READY = "ready"
    FAILED = "failed"
    STOPPED = "stopped"


class ModelRegistry:
    """Loads every configured model at startup (off the event loop) and routes calls by model id.

    Each engine is served through the serving core (adapters/serving). Until loading finishes the
    catalogue lists nothing and calls raise Unavailable; `state` tells readiness probes the truth. An
    engine that raises EngineFailed marks the registry FAILED.
    """

    def __init__(self, specs: Sequence[ModelSpec], load: Callable[[ModelSpec], Engine]) -> None:
        self._specs = list(specs)
        self._load = load
        self._models: dict[str, EmbeddingCore | RerankCore] = {}
        self.state = State.LOADING
        self.failure: str | None = None

    async def start(self) -> None:
        try:
            for n, spec in enumerate(self._specs, start=1):
                started = time.perf_counter()
                log.info("loading model %s (%d/%d) from %s", spec.id, n, len(self._specs), spec.path)
                try:
                    engine = await run_in_own_thread(functools.partial(self._load, spec), name=f"load-{spec.id}")
                    # Engines with their own event-loop machinery (infinity) start on the serving loop.
                    start = getattr(engine, "start", None)
                    if start is not None:
                        await start()
                    self._models[spec.id] = serving(engine, spec.queue_size, self.mark_failed)
                except Exception as exc:
                    raise Unavailable(f"model '{spec.id}' could not be loaded from {spec.path}: {exc}") from exc
                info = self._models[spec.id].info
                log.info(
                    "loaded model %s in %.1fs, served by %s", spec.id, time.perf_counter() - started, info.owned_by
                )
        except Exception as exc:
            self.state = State.FAILED
            self.failure = f"{type(exc).__name__}: {exc}"
            raise
        self.state = State.READY

    async def stop(self) -> None:
        self.state = State.STOPPED
        models, self._models = list(self._models.values()), {}
        for model in models:
            await model.close()

    def mark_failed(self, reason: str) -> None:
        """An engine died: readiness must say so."""
        self.state = State.FAILED
        self.failure = reason

    # ModelCatalog
    def list_models(self) -> Sequence[ModelInfo]:
        return [m.info for m in self._models.values()]

    def get_model(self, model_id: str) -> ModelInfo:
        return self._served(model_id).info

    # Embedder
    async def embed(
        self, model_id: str, inputs: Sequence[EmbedInput], *, truncate: bool, max_tokens: int
    ) -> EncodedBatch:
        model = self._served(model_id)
        if not isinstance(model, EmbeddingCore):
            raise CapabilityNotSupported(f"model '{model_id}' is a reranker and cannot embed", param="model")
        return await model.embed(inputs, truncate=truncate, max_tokens=max_tokens)

    # Reranker
    async def score(
        self,
        model_id: str,
        query: str,
        documents: Sequence[str],
        *,
        instruction: str | None,
        truncate: bool,
        max_tokens: int,
    ) -> ScoredBatch:
        model = self._served(model_id)
        if not isinstance(model, RerankCore):
            raise CapabilityNotSupported(f"model '{model_id}' is an embedding model", param="model")
        return await model.score(query, documents, instruction=instruction, truncate=truncate, max_tokens=max_tokens)

    def _served(self, model_id: str) -> EmbeddingCore | RerankCore:
        if self.state is State.FAILED:
            # The failure itself may name paths: /ready shows it to operators, clients get no details.
            raise Unavailable("the server's engine failed and this instance cannot serve; see /ready")
        if self.state is not State.READY:
            raise Unavailable(f"the server is {self.state.value}; retry shortly")
        model = self._models.get(model_id)
        if model is None:
            raise model_not_found(model_id, list(self._models))
        return model


__all__ = ["ModelRegistry", "State"]
