from __future__ import annotations

import dataclasses
from collections.abc import Sequence

from domain.models import Capability, ModelInfo
from domain.ports import ModelCatalog


class ListModels:
    """Every served model, in configuration order.

    - an embedding model also lists `rerank`: Rerank ranks with it by cosine
    """

    def __init__(self, catalog: ModelCatalog) -> None:
        self._catalog = catalog

    def __call__(self) -> Sequence[ModelInfo]:
        return [_as_listed(m) for m in self._catalog.list_models()]


def _as_listed(model: ModelInfo) -> ModelInfo:
    if model.can(Capability.EMBED):
        return dataclasses.replace(model, capabilities=model.capabilities | {Capability.RERANK})
    return model
