"""A ModelSpec as infinity's EngineArgs, and the backends this installation can serve.

infinity_emb is imported inside the functions: importing it loads torch and sentence-transformers.
"""

from __future__ import annotations

import importlib.util
from pathlib import Path
from typing import Any

from adapters.engines.base import ModelSpec
from adapters.engines.checkpoint import read_json
from adapters.engines.infinity.quiet_import import import_infinity
from adapters.engines.torch_runtime import auto_dtype_name

SUPPORTED_BACKENDS = ("torch", "ctranslate2")

# Measured with infinity-emb 0.0.78, transformers 4.57.6, numpy 1.26 (see the README's BACKEND notes).
OPTIMUM_UNSUPPORTED = (
    "BACKEND=optimum is not supported by the infinity engine in this build: infinity-emb 0.0.78 cannot "
    "load local ONNX files with current optimum releases (see the README's BACKEND notes). Use "
    "BACKEND=torch, or BACKEND=ctranslate2 after `pip install 'embedrank[ctranslate2]'`."
)
CTRANSLATE2_MISSING = (
    "BACKEND=ctranslate2 needs the ctranslate2 package, which is not installed: "
    "`pip install 'embedrank[ctranslate2]'` (or `pip install 'ctranslate2>=4.5,<5'`), or use BACKEND=torch."
)


class BackendUnavailable(RuntimeError):
    """A BACKEND this installation cannot serve; the message says what to do instead."""


def check_backend(backend: str) -> None:
    """Refuse at startup, before any model loads, with a message that names the fix."""
    if backend == "optimum":
        raise BackendUnavailable(OPTIMUM_UNSUPPORTED)
    if backend not in SUPPORTED_BACKENDS:
        raise BackendUnavailable(f"unknown BACKEND {backend!r}; use one of {', '.join(SUPPORTED_BACKENDS)}")
    if backend == "ctranslate2" and importlib.util.find_spec("ctranslate2") is None:
        raise BackendUnavailable(CTRANSLATE2_MISSING)


def engine_args(spec: ModelSpec, directory: Path, device: str) -> Any:
    """infinity's EngineArgs for one model. `device` is already resolved (auto → cuda or cpu)."""
    EngineArgs = import_infinity().EngineArgs
    from infinity_emb.primitives import Device, Dtype, InferenceEngine

    dtype = spec.dtype
    if dtype == "auto" and device == "cuda":
        # infinity's own `auto` is fp16 on a GPU without bf16, which overflows Qwen3: ours decides there.
        dtype = auto_dtype_name(device, model_type=read_json(directory / "config.json").get("model_type"))
    if dtype not in Dtype.__members__:
        raise ValueError(f"dtype {dtype!r} is not one of {', '.join(Dtype.__members__)}")
    return EngineArgs(
        model_name_or_path=str(directory),
        served_model_name=spec.id,
        batch_size=spec.batch_size,
        engine=InferenceEngine[spec.backend],
        device=Device[device],
        dtype=Dtype[dtype],
        # Warm-up runs batch_size x 512 tokens three times: it pays on a GPU (kernels, allocator),
        # on a CPU it only delays startup by seconds.
        model_warmup=device != "cpu",
        # BetterTransformer lives in optimum 1.x only, which this build does not ship.
        bettertransformer=False,
        # Same stance as the sentence-transformers engine: no code from the checkpoint runs.
        trust_remote_code=False,
        compile=False,
        vector_disk_cache_path="",
        # We order infinity's queue by real token counts ourselves (see infinity_tokens.Tokenized).
        lengths_via_tokenize=False,
    )
