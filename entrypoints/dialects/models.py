"""Model listings other clients parse: one OpenAI model (`models.retrieve`), Infinity's list."""

from __future__ import annotations

from collections.abc import Sequence

from domain.errors import ModelNotFound
from domain.models import ModelInfo
from entrypoints.convert import models_response
from entrypoints.schemas import ModelOut, ModelsOut

# infinity-client parses `owned_by` into an enum whose only value is "infinity".
INFINITY_OWNER = "infinity"


def model_response(models: Sequence[ModelInfo], model_id: str) -> ModelOut:
    for listed in models_response(models).data:
        if listed.id == model_id:
            return listed
    served = ", ".join(m.id for m in models)
    raise ModelNotFound(f"model '{model_id}' is not served; served models: {served}", param="model")


def infinity_models_response(models: Sequence[ModelInfo]) -> ModelsOut:
    listed = models_response(models)
    for model in listed.data:
        model.owned_by = INFINITY_OWNER
    return listed
