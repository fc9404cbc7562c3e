from __future__ import annotations

from collections.abc import Sequence

from domain.models import ModelInfo
from domain.ports import ModelCatalog


class ListModels:
    """Every served model, in configuration order."""

    def __init__(self, catalog: ModelCatalog) -> None:
        self._catalog = catalog

    def __call__(self) -> Sequence[ModelInfo]:
        return self._catalog.list_models()
