"""Embedding models through SentenceTransformer, rerankers through CrossEncoder: our own engine.

We tokenize ourselves (one pass, with the model's own truncation) so usage counts real tokens and
token-id inputs work; tokenising runs on a thread of its own while the model runs batches on others.
Requests from every client share one batching scheduler per model (adapters/batching): batches by
token budget and similar length (any length where the model runs packed). On a CPU two model threads
share the cores (adapters/cpu/core_share.py); DTYPES=bf16 runs the whole model in bfloat16 and int8
quantizes its Linear layers (CPU only); vectors are always normalised in fp32.
"""

from __future__ import annotations

import asyncio
import warnings
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace
from typing import Any, TypeVar

from adapters.batching import BatchingOptions, BatchScheduler, Prepared
from adapters.batching.options import auto_token_budget
from adapters.cpu.core_share import CoreShare, auto_model_threads
from adapters.cpu.memory import bound_cpu_memory, release_free_memory
from adapters.cpu.packed_bert import packed_bert
from adapters.cpu.packed_qwen3 import packed_last_token
from adapters.engines.base import Engine, ModelSpec, Tokens
from adapters.engines.checkpoint import CROSS_ENCODER, detect_kind, local_dir, read_json
from adapters.engines.model_info import embedding_info, reranker_info, too_long
from adapters.engines.torch_runtime import log_precision, resolve_device, resolve_dtype
from adapters.engines.vectors import float32_rows
from domain.models import EmbedInput, ModelInfo

OWNED_BY = "sentence-transformers"
T = TypeVar("T")


class _Tokenizing:
    """A model's tokenizer on one thread of its own: off the event loop, overlapping the model's batches."""

    def __init__(self, name: str) -> None:
        self._thread = ThreadPoolExecutor(max_workers=1, thread_name_prefix=f"{name}-tokenize")

    async def _off_loop(self, work: Callable[..., T], *args: Any) -> T:
        return await asyncio.get_running_loop().run_in_executor(self._thread, work, *args)

    def _stop_tokenizing(self) -> None:
        self._thread.shutdown(wait=False)


class SentenceTransformerEmbedder(_Tokenizing):
    def __init__(
        self,
        spec: ModelSpec,
        model: Any,
        info: ModelInfo,
        batching: BatchingOptions,
        cores: CoreShare,
        *,
        pack: bool = True,
    ) -> None:
        super().__init__(spec.id)
        self.info = info
        self._model = model
        self._tokenizer = model.tokenizer
        self._max_tokens = info.max_tokens
        self._cores = cores
        # On a CPU Qwen3 and BERT embedders run without padding (adapters/cpu/packed_*.py).
        on_cpu = pack and model.device.type == "cpu"
        self._packed = (packed_last_token(model, batching.token_budget) or packed_bert(model)) if on_cpu else None
        batching = replace(batching, packed=self._packed is not None)
        self._scheduler: BatchScheduler[list[int], Any] = BatchScheduler(
            self, name=spec.id, max_rows=spec.batch_size, options=batching
        )

    async def tokenize(self, inputs: Sequence[EmbedInput], *, truncate: bool) -> Tokens:
        rows = await self._off_loop(self.token_ids, list(inputs), truncate)
        return Tokens(lengths=[len(row) for row in rows], rows=rows)

    async def forward(self, tokens: Tokens) -> Sequence[Sequence[float]]:
        return await self._scheduler.submit([Prepared(len(row), row) for row in tokens.rows])

    async def close(self) -> None:
        await self._scheduler.close()
        self._stop_tokenizing()

    def token_ids(self, inputs: Sequence[EmbedInput], truncate: bool) -> list[list[int]]:
        """What the model will see for each input, with its own truncation (EOS kept last)."""
        texts = [(i, item) for i, item in enumerate(inputs) if isinstance(item, str)]
        ids: list[list[int]] = [list(item) if not isinstance(item, str) else [] for item in inputs]
        if texts:
            encoded = self._tokenizer(
                [t for _, t in texts],
                truncation=truncate,
                max_length=self._max_tokens if truncate else None,
                add_special_tokens=True,
            )["input_ids"]
            for (i, _), row in zip(texts, encoded, strict=True):
                ids[i] = list(row)
        for i, row in enumerate(ids):
            if len(row) > self._max_tokens:
                if not truncate:
                    raise too_long(f"input[{i}]", len(row), self._max_tokens)
                ids[i] = row[: self._max_tokens]  # token ids are taken as they are, cut at the limit
        return ids

    # BatchRunner: `run` and `on_idle` on the scheduler's model threads.
    def on_idle(self) -> None:
        release_free_memory()

    def run(self, rows: Sequence[list[int]]) -> list[Any]:
        import torch

        with self._cores.share(), torch.inference_mode():
            return float32_rows(self.forward_rows(list(rows)).numpy())

    def forward_rows(self, rows: list[list[int]]) -> Any:
        """L2-normalised fp32 vectors of token-id rows, as one CPU tensor."""
        import torch

        # Normalise in fp32 whatever the model's dtype: bf16 norms are off by ~1e-3.
        out = self._pooled(rows).float()
        return torch.nn.functional.normalize(out, p=2, dim=1).cpu()

    def _pooled(self, rows: list[list[int]]) -> Any:
        if self._packed is not None:
            return self._packed(rows)
        ids, mask = pad_rows(rows, self._tokenizer.pad_token_id or 0, left=self._tokenizer.padding_side == "left")
        device = self._model.device
        features = {"input_ids": ids.to(device), "attention_mask": mask.to(device)}
        return self._model.forward(features)["sentence_embedding"]


class CrossEncoderReranker(_Tokenizing):
    def __init__(
        self, spec: ModelSpec, model: Any, info: ModelInfo, batching: BatchingOptions, cores: CoreShare
    ) -> None:
        super().__init__(spec.id)
        self.info = info
        self._model = model
        self._tokenizer = model.tokenizer
        self._cores = cores
        self._scheduler: BatchScheduler[dict[str, list[int]], float] = BatchScheduler(
            self, name=spec.id, max_rows=spec.batch_size, options=batching
        )

    async def tokenize_pairs(
        self, query: str, documents: Sequence[str], *, instruction: str | None, truncate: bool
    ) -> Tokens:
        # A cross-encoder has no instruction slot: `instruction` is for Qwen3-Reranker models.
        rows = await self._off_loop(self.pair_rows, query, list(documents), truncate)
        return Tokens(lengths=[len(row["input_ids"]) for row in rows], rows=rows)

    async def score_pairs(self, tokens: Tokens) -> Sequence[float]:
        return await self._scheduler.submit([Prepared(len(row["input_ids"]), row) for row in tokens.rows])

    async def close(self) -> None:
        await self._scheduler.close()
        self._stop_tokenizing()

    def pair_rows(self, query: str, documents: list[str], truncate: bool) -> list[dict[str, list[int]]]:
        limit = self.info.max_tokens
        pairs = self._tokenizer(
            [query] * len(documents), documents, truncation="longest_first" if truncate else False,
            max_length=limit if truncate else None,
        )  # fmt: skip
        rows = [{key: pairs[key][i] for key in pairs} for i in range(len(documents))]
        for i, row in enumerate(rows):
            if len(row["input_ids"]) > limit:
                raise too_long(f"documents[{i}]", len(row["input_ids"]), limit)
        return rows

    def on_idle(self) -> None:
        release_free_memory()

    def run(self, rows: Sequence[dict[str, list[int]]]) -> list[float]:
        import torch

        left = self._tokenizer.padding_side == "left"
        ids, mask = pad_rows([r["input_ids"] for r in rows], self._tokenizer.pad_token_id or 0, left=left)
        features = {"input_ids": ids, "attention_mask": mask}
        if "token_type_ids" in rows[0]:
            pad_type = self._tokenizer.pad_token_type_id
            features["token_type_ids"] = pad_rows([r["token_type_ids"] for r in rows], pad_type, left=left)[0]
        device = self._model.model.device
        with self._cores.share(), torch.inference_mode():
            logits = self._model.model(**{k: v.to(device) for k, v in features.items()}).logits
            return _relevance(logits.float())


def pad_rows(rows: Sequence[Sequence[int]], pad_id: int, *, left: bool) -> tuple[Any, Any]:
    """Token ids padded to the longest row, and their attention mask, as tensors.

    The tokenizer's own `pad` loops in Python over every row (~3 ms for 32 rows, on the model thread
    between forwards); one masked assignment does the same in ~0.1 ms.
    """
    import torch

    lengths = torch.tensor([len(row) for row in rows])
    longest = int(lengths.max()) if len(rows) else 0
    positions = torch.arange(longest).expand(len(rows), longest)
    mask = positions >= (longest - lengths)[:, None] if left else positions < lengths[:, None]
    ids = torch.full((len(rows), longest), pad_id, dtype=torch.long)
    # Row-major order: each row's real positions are contiguous and in order, left or right padded.
    ids[mask] = torch.tensor([token for row in rows for token in row], dtype=torch.long)
    return ids, mask.long()


def _relevance(logits: Any) -> list[float]:
    import torch

    # One logit: a relevance logit (sigmoid, as CrossEncoder does); two: P(relevant).
    if logits.shape[1] == 1:
        return torch.sigmoid(logits[:, 0]).tolist()
    return torch.softmax(logits, dim=1)[:, -1].tolist()


def _scheduling_for(device: str, batching: BatchingOptions | None, module: Any) -> tuple[BatchingOptions, CoreShare]:
    """The batching options with the engine's auto choices resolved for this model, and its core share."""
    options = batching or BatchingOptions()
    parameters = sum(p.numel() for p in module.parameters())
    options = replace(
        options,
        model_threads=auto_model_threads(options.model_threads, device),
        token_budget=auto_token_budget(options.token_budget, device, parameters),
    )
    return options, CoreShare.for_engine(device, options.model_threads)


def _load_dtype(spec: ModelSpec, device: str, model_type: str | None) -> Any:
    """The dtype to load weights in; int8 loads fp32 and is quantized after loading (CPU only)."""
    if spec.dtype == "int8":
        if device != "cpu":
            raise ValueError("DTYPES=int8 is supported on CPU only by this engine (dynamic int8 Linear layers)")
        return resolve_dtype("float32", device)
    return resolve_dtype(spec.dtype, device, model_type=model_type)


def _quantize_if_int8(spec: ModelSpec, module: Any) -> Any:
    """int8: Linear layers quantized (CPU only). (fp32/bf16 ones are prepacked by the packed forwards.)"""
    return _quantize(module) if spec.dtype == "int8" else module


def _quantize(module: Any) -> Any:
    import torch
    from torch.ao.quantization import per_channel_dynamic_qconfig, quantize_dynamic

    with warnings.catch_warnings():
        # torch marks its quantized tensors deprecated in favour of torchao, which we do not ship.
        warnings.simplefilter("ignore")
        # Per-channel weight scales: per-tensor ones cost all-MiniLM-L6-v2 ~0.09 of cosine, these ~0.03.
        return quantize_dynamic(module, {torch.nn.Linear: per_channel_dynamic_qconfig}, dtype=torch.qint8)


def load(spec: ModelSpec, *, batching: BatchingOptions | None = None, pack: bool = True) -> Engine:
    """Load the checkpoint as an embedding model or a cross-encoder, from its own files.

    `batching` shapes the batches its scheduler forms (row cap: spec.batch_size). `pack=False` runs the
    padded forward a GPU runs on a CPU too (tests check that it answers what the packed one does).
    """
    from sentence_transformers import CrossEncoder, SentenceTransformer

    directory = local_dir(spec.path)
    device = resolve_device(spec.device)
    dtype = _load_dtype(spec, device, read_json(directory / "config.json").get("model_type"))
    log_precision(spec.id, spec.dtype, "int8" if spec.dtype == "int8" else dtype, device)
    if device == "cpu":
        bound_cpu_memory()
    if detect_kind(directory) == CROSS_ENCODER:
        encoder = CrossEncoder(str(directory), device=device, automodel_args={"dtype": dtype})
        options, cores = _scheduling_for(device, batching, encoder.model)
        encoder.model = _quantize_if_int8(spec, encoder.model.eval())
        return CrossEncoderReranker(spec, encoder, reranker_info(spec, encoder, OWNED_BY), options, cores)
    model = SentenceTransformer(str(directory), device=device, model_kwargs={"dtype": dtype})
    options, cores = _scheduling_for(device, batching, model)
    model = _quantize_if_int8(spec, model.eval())
    info = embedding_info(spec, model, directory, OWNED_BY)
    return SentenceTransformerEmbedder(spec, model, info, options, cores, pack=pack)
