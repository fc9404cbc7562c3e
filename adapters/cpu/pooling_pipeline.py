"""Which sentence-transformers pipelines our packed forwards stand in for."""

from __future__ import annotations

from typing import Any

TRANSFORMER, POOLING, NORMALIZE = "Transformer", "Pooling", "Normalize"
POOLING_MODES = {
    "pooling_mode_cls_token": "cls",
    "pooling_mode_mean_tokens": "mean",
    "pooling_mode_max_tokens": "max",
    "pooling_mode_mean_sqrt_len_tokens": "mean_sqrt_len",
    "pooling_mode_weightedmean_tokens": "weightedmean",
    "pooling_mode_lasttoken": "lasttoken",
}


def single_pooling(model: Any) -> tuple[Any, str] | None:
    """(the transformer, its one pooling mode) for Transformer → Pooling (→ Normalize), else None.

    A packed forward replaces exactly these modules; anything else in the pipeline (a Dense layer, a
    prompt left out of the pooling, several pooling modes concatenated) keeps sentence-transformers' own.
    """
    modules = list(model)
    names = [type(module).__name__ for module in modules]
    if names[:2] != [TRANSFORMER, POOLING] or any(name != NORMALIZE for name in names[2:]):
        return None
    pooling = modules[1]
    modes = [mode for attribute, mode in POOLING_MODES.items() if getattr(pooling, attribute, False)]
    if len(modes) != 1 or not getattr(pooling, "include_prompt", True):
        return None
    return modules[0].auto_model, modes[0]
