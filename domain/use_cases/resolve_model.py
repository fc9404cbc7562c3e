"""Model resolution, shared by every use case."""

from __future__ import annotations

from domain.errors import CapabilityNotSupported, InvalidInput, ModelNotFound
from domain.models import Capability, ModelInfo
from domain.ports import ModelCatalog


def resolve_model(catalog: ModelCatalog, model_id: str | None, capability: Capability) -> ModelInfo:
    """The model a request names, or the only one that can do `capability` when none is named.

    - unknown id → ModelNotFound
    - a model without the capability → CapabilityNotSupported
    - no id and zero or several candidates → InvalidInput asking for `model`
    """
    if model_id is None or model_id == "":
        candidates = [m for m in catalog.list_models() if m.can(capability)]
        if len(candidates) == 1:
            return candidates[0]
        served = ", ".join(m.id for m in candidates) or "none"
        raise InvalidInput(f"'model' is required: models that can {capability.value}: {served}", param="model")
    model = catalog.get_model(model_id)
    if not model.can(capability):
        raise CapabilityNotSupported(
            f"model '{model.id}' cannot {capability.value}; it can: "
            + ", ".join(sorted(c.value for c in model.capabilities)),
            param="model",
        )
    return model


def model_not_found(model_id: str, served: list[str]) -> ModelNotFound:
    return ModelNotFound(
        f"model '{model_id}' is not served here; served models: {', '.join(served) or 'none'}",
        param="model",
    )
