"""The served models by id: implements the ModelCatalog, Embedder and Reranker ports."""

from __future__ import annotations

import asyncio
import enum
import logging
import time
from collections.abc import Callable, Sequence

from adapters.engines.base import ModelSpec, ServedModel
from domain.errors import Unavailable
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

    Until loading finishes the catalogue lists nothing and calls raise Unavailable; `state` tells
    readiness probes the truth.
    """

    def __init__(self, specs: Sequence[ModelSpec], load: Callable[[ModelSpec], ServedModel]) -> None:
        self._specs = list(specs)
        self._load = load
        self._models: dict[str, ServedModel] = {}
        self.state = State.LOADING
        self.failure: str | None = None

    async def start(self) -> None:
        try:
            for n, spec in enumerate(self._specs, start=1):
                started = time.perf_counter()
                log.info("loading model %s (%d/%d) from %s", spec.id, n, len(self._specs), spec.path)
                try:
                    self._models[spec.id] = await asyncio.to_thread(self._load, spec)
                except Exception as exc:
                    raise Unavailable(f"model '{spec.id}' could not be loaded from {spec.path}: {exc}") from exc
                log.info("loaded model %s in %.1fs", spec.id, time.perf_counter() - started)
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

    @property
    def ready(self) -> bool:
        return self.state is State.READY

    # ModelCatalog
    def list_models(self) -> Sequence[ModelInfo]:
        return [m.info for m in self._models.values()]

    def get_model(self, model_id: str) -> ModelInfo:
        return self._served(model_id).info

    # Embedder
    async def embed(self, model_id: str, inputs: Sequence[EmbedInput], *, truncate: bool) -> EncodedBatch:
        return await self._served(model_id).embed(inputs, truncate=truncate)

    # Reranker
    async def score(
        self, model_id: str, query: str, documents: Sequence[str], *, instruction: str | None, truncate: bool
    ) -> ScoredBatch:
        return await self._served(model_id).score(query, documents, instruction=instruction, truncate=truncate)

    def _served(self, model_id: str) -> ServedModel:
        if self.state is not State.READY:
            raise Unavailable(f"the server is {self.state.value}; retry shortly")
        model = self._models.get(model_id)
        if model is None:
            raise model_not_found(model_id, list(self._models))
        return model


__all__ = ["ModelRegistry", "State"]
