"""ONNX Runtime in-process, as FastEmbed runs a model on a CPU: what CPU users pick instead of a server.

One InferenceSession on the CPU with as many intra-op threads as the process has cores, the model's own
fast tokenizer (the `tokenizers` library, as FastEmbed uses), the corpus tokenised once, sorted by
length and cut into batches padded to their longest row; best batch size of those asked. No torch is
imported here, so nothing else holds threads or memory in the measured process. The vectors of the
probe texts are compared with sentence-transformers' fp32 `encode` (written by bench.onnx_export).
Run as a child process: `python -m bench.onnx_mode JSON`.
"""

from __future__ import annotations

import os
import time
from pathlib import Path
from typing import Any

from bench.child_io import answer, arguments, texts_from
from bench.progress import say


class OnnxEmbedder:
    def __init__(self, onnx_path: str, model_path: str, max_length: int) -> None:
        import onnxruntime as ort
        from tokenizers import Tokenizer

        self.threads = len(os.sched_getaffinity(0))
        options = ort.SessionOptions()
        options.intra_op_num_threads = self.threads
        options.inter_op_num_threads = 1
        options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
        self.session = ort.InferenceSession(onnx_path, options, providers=["CPUExecutionProvider"])
        self.tokenizer = Tokenizer.from_file(str(Path(model_path) / "tokenizer.json"))
        self.tokenizer.no_padding()
        self.tokenizer.enable_truncation(max_length)
        self.inputs = {i.name for i in self.session.get_inputs()}

    def embed(self, texts: list[str], batch_size: int) -> tuple[Any, int]:
        """Normalised vectors in the order of `texts`, and the number of real tokens."""
        import numpy as np

        encoded = self.tokenizer.encode_batch(texts)
        lengths = [len(e.ids) for e in encoded]
        order = sorted(range(len(texts)), key=lengths.__getitem__)
        vectors: Any = None
        for start in range(0, len(order), batch_size):
            rows = order[start : start + batch_size]
            width = max(lengths[i] for i in rows)
            ids = np.zeros((len(rows), width), dtype=np.int64)
            mask = np.zeros_like(ids)
            types = np.zeros_like(ids)
            for row, i in enumerate(rows):
                n = lengths[i]
                ids[row, :n] = encoded[i].ids
                mask[row, :n] = 1
                types[row, :n] = encoded[i].type_ids
            feed = {"input_ids": ids, "attention_mask": mask, "token_type_ids": types}
            out = self.session.run(None, {k: v for k, v in feed.items() if k in self.inputs})[0]
            if vectors is None:
                vectors = np.empty((len(texts), out.shape[1]), dtype=np.float32)
            vectors[rows] = out
        return vectors, sum(lengths)


def cosines(reference: Any, vectors: Any) -> dict[str, float]:
    import numpy as np

    dots = (reference * vectors).sum(1) / (np.linalg.norm(reference, axis=1) * np.linalg.norm(vectors, axis=1))
    return {"min": round(float(dots.min()), 6), "mean": round(float(dots.mean()), 6), "count": len(dots)}


def measure(args: dict[str, Any], texts: list[str], probe: list[str]) -> dict[str, Any]:
    import numpy as np

    embedder = OnnxEmbedder(args["onnx_path"], args["model"], args["max_length"])
    embedder.embed(texts[:64], 32)  # warm-up: the first runs plan and allocate
    runs, tokens = [], 0
    for batch_size in args["batch_sizes"]:
        started = time.perf_counter()
        _, tokens = embedder.embed(texts, batch_size)
        seconds = time.perf_counter() - started
        runs.append({"batch_size": batch_size, "seconds": seconds})
        say(f"  onnx batch {batch_size}: {len(texts) / seconds:.1f} texts/s")
    single = []
    for text in texts[: args.get("singles", 0)]:
        started = time.perf_counter()
        embedder.embed([text], 1)
        single.append(time.perf_counter() - started)
    vectors, _ = embedder.embed(probe, 32)
    cosine = cosines(np.load(args["reference_path"]), vectors)
    return {
        "texts": len(texts), "tokens": tokens, "runs": runs, "single_latencies": single, "cosine": cosine,
        "threads": embedder.threads, "onnxruntime": _version(),
    }  # fmt: skip


def _version() -> str:
    import onnxruntime

    return str(onnxruntime.__version__)


if __name__ == "__main__":
    args = arguments()
    answer(measure(args, texts_from(args["texts_path"]), texts_from(args["probe_path"])))
