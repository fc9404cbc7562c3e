"""The served models by id: implements the ModelCatalog, Embedder and Reranker ports."""

from __future__ import annotations

import enum
import functools
import logging
import math
import time
from collections.abc import Callable, Sequence

from adapters.engines.base import ModelSpec, ServedModel
from adapters.own_thread import run_in_own_thread
from adapters.serving.metrics import NON_FINITE
from domain.errors import EngineFailed, NonFiniteOutput, Unavailable
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
    readiness probes the truth. An engine that raises EngineFailed marks the registry FAILED. No NaN or
    infinity leaves here: such a result raises NonFiniteOutput and counts in NON_FINITE.
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
                    model = await run_in_own_thread(functools.partial(self._load, spec), name=f"load-{spec.id}")
                    # Engines with their own event-loop machinery (infinity) start on the serving loop.
                    start = getattr(model, "start", None)
                    if start is not None:
                        await start()
                    self._models[spec.id] = model
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
        model = self._served(model_id)
        try:
            batch = await model.embed(inputs, truncate=truncate)
        except EngineFailed as exc:
            self.mark_failed(f"model '{model_id}': {exc.message}")
            raise
        for i, vector in enumerate(batch.vectors):
            # One C-level sum per vector: NaN and infinity propagate; unit vectors cannot overflow.
            if not math.isfinite(sum(vector)):
                raise self._non_finite(model_id, f"input[{i}]")
        return batch

    # Reranker
    async def score(
        self, model_id: str, query: str, documents: Sequence[str], *, instruction: str | None, truncate: bool
    ) -> ScoredBatch:
        model = self._served(model_id)
        try:
            scored = await model.score(query, documents, instruction=instruction, truncate=truncate)
        except EngineFailed as exc:
            self.mark_failed(f"model '{model_id}': {exc.message}")
            raise
        for i, score in enumerate(scored.scores):
            if not math.isfinite(score):
                raise self._non_finite(model_id, f"documents[{i}]")
        return scored

    @staticmethod
    def _non_finite(model_id: str, item: str) -> NonFiniteOutput:
        NON_FINITE.labels(model=model_id).inc()
        log.error("model %s produced NaN or infinity for %s; the result was dropped", model_id, item)
        return NonFiniteOutput(
            f"model '{model_id}' produced a non-finite value (NaN or infinity) for {item}; "
            "the result was not sent. This is a server-side model fault, not a problem with the request"
        )

    def _served(self, model_id: str) -> ServedModel:
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
