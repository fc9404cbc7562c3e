"""ENGINE=auto: which engine serves, decided once at startup from the device."""

from __future__ import annotations

import logging
from collections.abc import Callable

from application.settings import Engine

log = logging.getLogger(__name__)


def choose_engine(engine: Engine, device: str, resolve_device: Callable[[str], str]) -> Engine:
    """The engine that serves: `engine` unless it is auto.

    auto → on CUDA infinity (the primary GPU adapter until a GPU benchmark says otherwise); anywhere
    else our own engine (sentence-transformers behind our scheduler, packed forwards on a CPU), the
    fastest we measured on a CPU (docs/benchmarks.md). `resolve_device` turns DEVICE=auto into the device.
    """
    if engine is not Engine.AUTO:
        return engine
    resolved = resolve_device(device)
    chosen = Engine.INFINITY if resolved.startswith("cuda") else Engine.SENTENCE_TRANSFORMERS
    log.info("ENGINE=auto on %s: serving with the %s engine", resolved, chosen.value)
    return chosen
