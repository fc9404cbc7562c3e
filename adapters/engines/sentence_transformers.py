"""Embedding models through SentenceTransformer, rerankers through CrossEncoder.

We tokenize ourselves (one pass, with the model's own truncation) so usage counts real tokens and
token-id inputs work. Requests from every client share one batching scheduler per model
(adapters/batching): batches by token budget and similar length (any length where the model runs packed),
tokenised on one thread while the model runs on others, so the event loop never blocks. On a CPU two model
threads share the cores (adapters/engines/torch_threads.py); DTYPES=bf16 runs the whole model in bfloat16
and int8 quantizes its Linear layers (CPU only); vectors are always normalised in fp32.
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from dataclasses import replace
from typing import Any

from adapters.batching import BatchingOptions, BatchScheduler, Prepared
from adapters.batching.options import auto_token_budget
from adapters.engines.base import ModelSpec, ServedModel
from adapters.engines.checkpoint import CROSS_ENCODER, detect_kind, local_dir, read_json
from adapters.engines.heap import bound_cpu_memory, release_free_memory
from adapters.engines.packed_bert import packed_bert
from adapters.engines.packed_qwen3 import packed_last_token
from adapters.engines.st_model_info import embedding_info, reranker_info, too_long
from adapters.engines.torch_runtime import log_precision, resolve_device, resolve_dtype
from adapters.engines.torch_threads import CoreShare, auto_model_threads
from domain.errors import CapabilityNotSupported
from domain.models import EmbedInput, EncodedBatch, ModelInfo, ScoredBatch

OWNED_BY = "sentence-transformers"
EmbedRequest = tuple[Sequence[EmbedInput], bool]  # inputs, truncate
PairRequest = tuple[str, Sequence[str], bool]  # query, documents, truncate


class SentenceTransformerEmbedder:
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
        self.info = info
        self._model = model
        self._tokenizer = model.tokenizer
        self._max_tokens = info.max_tokens
        self._cores = cores
        # On a CPU Qwen3 and BERT embedders run without padding (adapters/engines/packed_*.py).
        on_cpu = pack and model.device.type == "cpu"
        self._packed = (packed_last_token(model) or packed_bert(model)) if on_cpu else None
        batching = replace(batching, packed=self._packed is not None)
        self._scheduler: BatchScheduler[EmbedRequest, list[int], list[float]] = BatchScheduler(
            self, name=spec.id, max_rows=spec.batch_size, queue_size=spec.queue_size, options=batching
        )

    async def embed(self, inputs: Sequence[EmbedInput], *, truncate: bool) -> EncodedBatch:
        outcome = await self._scheduler.submit((list(inputs), truncate), size=len(inputs))
        return EncodedBatch(vectors=outcome.results, token_counts=outcome.lengths)

    async def score(
        self, query: str, documents: Sequence[str], *, instruction: str | None, truncate: bool
    ) -> ScoredBatch:
        raise CapabilityNotSupported(f"model '{self.info.id}' is an embedding model", param="model")

    async def close(self) -> None:
        await self._scheduler.close()

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

    # BatchRunner: `prepare` on the scheduler's tokenizer thread, `run` on its model thread.
    def prepare(self, request: EmbedRequest) -> list[Prepared[list[int]]]:
        inputs, truncate = request
        return [Prepared(len(row), row) for row in self.token_ids(inputs, truncate)]

    def on_idle(self) -> None:
        release_free_memory()

    def run(self, rows: Sequence[list[int]]) -> list[list[float]]:
        import torch

        with self._cores.share(), torch.inference_mode():
            return self.forward(list(rows))

    def forward(self, rows: list[list[int]]) -> list[list[float]]:
        import torch

        # Normalise in fp32 whatever the model's dtype: bf16 norms are off by ~1e-3.
        out = self._pooled(rows).float()
        return torch.nn.functional.normalize(out, p=2, dim=1).cpu().tolist()

    def _pooled(self, rows: list[list[int]]) -> Any:
        if self._packed is not None:
            return self._packed(rows)
        ids, mask = pad_rows(rows, self._tokenizer.pad_token_id or 0, left=self._tokenizer.padding_side == "left")
        device = self._model.device
        features = {"input_ids": ids.to(device), "attention_mask": mask.to(device)}
        return self._model.forward(features)["sentence_embedding"]


class CrossEncoderReranker:
    def __init__(
        self, spec: ModelSpec, model: Any, info: ModelInfo, batching: BatchingOptions, cores: CoreShare
    ) -> None:
        self.info = info
        self._model = model
        self._tokenizer = model.tokenizer
        self._cores = cores
        self._scheduler: BatchScheduler[PairRequest, dict[str, list[int]], float] = BatchScheduler(
            self, name=spec.id, max_rows=spec.batch_size, queue_size=spec.queue_size, options=batching
        )

    async def embed(self, inputs: Sequence[EmbedInput], *, truncate: bool) -> EncodedBatch:
        raise CapabilityNotSupported(f"model '{self.info.id}' is a reranker", param="model")

    async def score(
        self, query: str, documents: Sequence[str], *, instruction: str | None, truncate: bool
    ) -> ScoredBatch:
        outcome = await self._scheduler.submit((query, list(documents), truncate), size=len(documents))
        return ScoredBatch(scores=outcome.results, token_count=sum(outcome.lengths))

    async def close(self) -> None:
        await self._scheduler.close()

    def prepare(self, request: PairRequest) -> list[Prepared[dict[str, list[int]]]]:
        query, documents, truncate = request
        if not documents:
            return []
        limit = self.info.max_tokens
        pairs = self._tokenizer(
            [query] * len(documents), list(documents), truncation="longest_first" if truncate else False,
            max_length=limit if truncate else None,
        )  # fmt: skip
        rows = [{key: pairs[key][i] for key in pairs} for i in range(len(documents))]
        for i, row in enumerate(rows):
            if len(row["input_ids"]) > limit:
                raise too_long(f"documents[{i}]", len(row["input_ids"]), limit)
        return [Prepared(len(row["input_ids"]), row) for row in rows]

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


def load(spec: ModelSpec, *, batching: BatchingOptions | None = None, pack: bool = True) -> ServedModel:
    """Load the checkpoint as an embedding model or a cross-encoder, from its own files.

    `batching` shapes the batches its scheduler forms (row cap: spec.batch_size, queue bound:
    spec.queue_size items). `pack=False` runs the padded forward a GPU runs on a CPU too (tests check
    that it answers what the packed one does).
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
