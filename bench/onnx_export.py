"""The model as ONNX for the ONNX Runtime mode, plus the fp32 vectors its output is checked against.

The BertModel is exported with mean pooling and L2 normalisation inside the graph, so ONNX Runtime
returns what sentence-transformers returns. The TorchScript-based exporter is used: its BERT graph is
the one ONNX Runtime's transformer fusions (attention, LayerNorm, GELU) recognise, as in the ONNX
models FastEmbed ships; the graph the torch.export-based exporter writes runs slower there. The export
is cached in the given folder (under the bench's --out), never committed. Run as a child process:
`python -m bench.onnx_export JSON`.
"""

from __future__ import annotations

import time
import warnings
from pathlib import Path
from typing import Any

from bench.child_io import answer, arguments, texts_from

INPUTS = ("input_ids", "attention_mask", "token_type_ids")
OUTPUT = "sentence_embedding"


def export(model_path: str, cache_dir: str, probe_texts: list[str]) -> dict[str, Any]:
    import numpy as np
    import torch
    from sentence_transformers import SentenceTransformer

    model = SentenceTransformer(model_path, device="cpu", model_kwargs={"dtype": torch.float32}).eval()
    _check_mean_pooled(model)
    cache = Path(cache_dir)
    cache.mkdir(parents=True, exist_ok=True)
    onnx_path = cache / "model.onnx"
    started = time.perf_counter()
    cached = onnx_path.exists()
    if not cached:
        _export(model, onnx_path)
    seconds = time.perf_counter() - started
    reference = model.encode(probe_texts, batch_size=32, normalize_embeddings=True, convert_to_numpy=True)
    np.save(cache / "reference.npy", reference.astype(np.float32))
    return {
        "onnx_path": str(onnx_path), "reference_path": str(cache / "reference.npy"),
        "max_length": int(model.max_seq_length), "export_seconds": round(seconds, 2), "cached": cached,
        "torch": torch.__version__,
    }  # fmt: skip


def _check_mean_pooled(model: Any) -> None:
    pooling = model[1].get_config_dict() if len(model) > 1 else {}
    if not pooling.get("pooling_mode_mean_tokens"):
        raise SystemExit("the ONNX Runtime mode exports mean-pooled models only")


def _export(model: Any, onnx_path: Path) -> None:
    import torch

    class MeanPooled(torch.nn.Module):
        def __init__(self, encoder: torch.nn.Module) -> None:
            super().__init__()
            self.encoder = encoder

        def forward(self, input_ids: Any, attention_mask: Any, token_type_ids: Any) -> Any:
            hidden = self.encoder(
                input_ids=input_ids, attention_mask=attention_mask, token_type_ids=token_type_ids
            ).last_hidden_state
            mask = attention_mask.unsqueeze(-1).to(hidden.dtype)
            mean = (hidden * mask).sum(1) / mask.sum(1).clamp(min=1e-9)
            return torch.nn.functional.normalize(mean, p=2.0, dim=1)

    wrapped = MeanPooled(model[0].auto_model).eval()
    sample = model.tokenizer(["a first sample text", "and a second, longer sample text"], padding=True,
                             return_tensors="pt")  # fmt: skip
    dynamic = {name: {0: "batch", 1: "sequence"} for name in INPUTS}
    partial = onnx_path.with_suffix(".partial")
    # The exporter warns that it is the TorchScript one and that traced constants stay constant (1.0 in the mask).
    with torch.no_grad(), warnings.catch_warnings():
        warnings.simplefilter("ignore")
        torch.onnx.export(
            wrapped, tuple(sample[name] for name in INPUTS), str(partial), dynamo=False, input_names=list(INPUTS),
            output_names=[OUTPUT], dynamic_axes={**dynamic, OUTPUT: {0: "batch"}}, opset_version=17,
        )  # fmt: skip
    partial.rename(onnx_path)


if __name__ == "__main__":
    args = arguments()
    answer(export(args["model"], args["cache_dir"], texts_from(args["probe_path"])))
