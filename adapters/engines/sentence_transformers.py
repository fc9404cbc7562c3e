"""Embedding models through SentenceTransformer, rerankers through CrossEncoder.

We tokenize ourselves (one pass, with the model's own truncation) so usage counts real tokens and
token-id inputs work; then run the model's modules in length-sorted batches on one worker thread per
model, so the event loop never blocks and torch never fights itself for the cores.
"""

from __future__ import annotations

import asyncio
import re
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from adapters.engines.base import ModelSpec, ServedModel
from adapters.engines.checkpoint import CROSS_ENCODER, detect_kind, local_dir, read_json
from adapters.engines.torch_runtime import resolve_device, resolve_dtype
from domain.errors import CapabilityNotSupported, InvalidInput
from domain.models import Capability, EmbedInput, EncodedBatch, ModelInfo, ScoredBatch

# A sentence-transformers query prompt of this shape marks an instruction-aware (Qwen3-style) model.
_INSTRUCT_PROMPT = re.compile(r"^Instruct: (?P<task>.*)\nQuery:$", re.DOTALL)
QWEN3_MIN_DIMENSIONS = 32


def too_long(param: str, count: int, limit: int) -> InvalidInput:
    return InvalidInput(
        f"{param} has {count} tokens, over the model's limit of {limit}; shorten it or send truncate: true",
        param=param.split("[")[0],
    )


def length_sorted_chunks(lengths: Sequence[int], size: int) -> list[list[int]]:
    """Indices grouped into batches of similar length, so little compute goes to padding."""
    order = sorted(range(len(lengths)), key=lambda i: lengths[i], reverse=True)
    return [order[i : i + size] for i in range(0, len(order), size)]


class SentenceTransformerEmbedder:
    def __init__(self, spec: ModelSpec, model: Any, info: ModelInfo) -> None:
        self.info = info
        self._model = model
        self._tokenizer = model.tokenizer
        # We pad pre-tokenized ids on purpose (token-id inputs, one tokenisation pass): silence the hint.
        self._tokenizer.deprecation_warnings["Asking-to-pad-a-fast-tokenizer"] = True
        self._batch_size = spec.batch_size
        self._max_tokens = info.max_tokens
        self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix=f"st-{spec.id}")

    async def embed(self, inputs: Sequence[EmbedInput], *, truncate: bool) -> EncodedBatch:
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(self._executor, self.embed_sync, inputs, truncate)

    async def score(
        self, query: str, documents: Sequence[str], *, instruction: str | None, truncate: bool
    ) -> ScoredBatch:
        raise CapabilityNotSupported(f"model '{self.info.id}' is an embedding model", param="model")

    async def close(self) -> None:
        self._executor.shutdown(wait=True, cancel_futures=True)

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

    def embed_sync(self, inputs: Sequence[EmbedInput], truncate: bool) -> EncodedBatch:
        import torch

        ids = self.token_ids(inputs, truncate)
        vectors: list[list[float]] = [[] for _ in ids]
        with torch.inference_mode():
            for chunk in length_sorted_chunks([len(r) for r in ids], self._batch_size):
                for i, vector in zip(chunk, self.forward([ids[i] for i in chunk]), strict=True):
                    vectors[i] = vector
        return EncodedBatch(vectors=vectors, token_counts=[len(r) for r in ids])

    def forward(self, rows: list[list[int]]) -> list[list[float]]:
        import torch

        features = self._tokenizer.pad({"input_ids": rows}, padding=True, return_tensors="pt")
        device = self._model.device
        features = {k: v.to(device) for k, v in features.items()}
        out = self._model.forward(features)["sentence_embedding"].float()
        out = torch.nn.functional.normalize(out, p=2, dim=1)
        return out.cpu().tolist()


class CrossEncoderReranker:
    def __init__(self, spec: ModelSpec, model: Any, info: ModelInfo) -> None:
        self.info = info
        self._model = model
        self._batch_size = spec.batch_size
        self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix=f"ce-{spec.id}")

    async def embed(self, inputs: Sequence[EmbedInput], *, truncate: bool) -> EncodedBatch:
        raise CapabilityNotSupported(f"model '{self.info.id}' is a reranker", param="model")

    async def score(
        self, query: str, documents: Sequence[str], *, instruction: str | None, truncate: bool
    ) -> ScoredBatch:
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(self._executor, self.score_sync, query, documents, truncate)

    async def close(self) -> None:
        self._executor.shutdown(wait=True, cancel_futures=True)

    def score_sync(self, query: str, documents: Sequence[str], truncate: bool) -> ScoredBatch:
        import torch

        tokenizer, limit = self._model.tokenizer, self.info.max_tokens
        pairs = tokenizer([query] * len(documents), list(documents), truncation=False)["input_ids"]
        lengths = [len(p) for p in pairs]
        if not truncate:
            for i, n in enumerate(lengths):
                if n > limit:
                    raise too_long(f"documents[{i}]", n, limit)
        scores = [0.0] * len(documents)
        with torch.inference_mode():
            for chunk in length_sorted_chunks(lengths, self._batch_size):
                features = tokenizer(
                    [query] * len(chunk),
                    [documents[i] for i in chunk],
                    padding=True,
                    truncation="longest_first",
                    max_length=limit,
                    return_tensors="pt",
                ).to(self._model.model.device)
                logits = self._model.model(**features).logits.float()
                for i, value in zip(chunk, _relevance(logits), strict=True):
                    scores[i] = value
        return ScoredBatch(scores=scores, token_count=sum(min(n, limit) for n in lengths))


def _relevance(logits: Any) -> list[float]:
    import torch

    # One logit: a relevance logit (sigmoid, as CrossEncoder does); two: P(relevant).
    if logits.shape[1] == 1:
        return torch.sigmoid(logits[:, 0]).tolist()
    return torch.softmax(logits, dim=1)[:, -1].tolist()


def _embedding_info(spec: ModelSpec, model: Any, directory: Any) -> ModelInfo:
    prompts = dict(getattr(model, "prompts", {}) or {})
    match = _INSTRUCT_PROMPT.match(prompts.get("query", ""))
    model_type = read_json(directory / "config.json").get("model_type", "")
    instruction_aware = bool(match) or model_type == "qwen3"
    return ModelInfo(
        id=spec.id,
        capabilities=frozenset({Capability.EMBED}),
        dimension=model.get_sentence_embedding_dimension(),
        min_dimensions=QWEN3_MIN_DIMENSIONS if instruction_aware else 1,
        max_tokens=int(model.max_seq_length or model.tokenizer.model_max_length),
        vocab_size=len(model.tokenizer),
        instruction_aware=instruction_aware,
        default_instruction=match.group("task") if match else None,
        prompts={k: v for k, v in prompts.items() if isinstance(v, str)},
        owned_by="sentence-transformers",
    )


def load(spec: ModelSpec) -> ServedModel:
    """Load the checkpoint as an embedding model or a cross-encoder, from its own files."""
    from sentence_transformers import CrossEncoder, SentenceTransformer

    directory = local_dir(spec.path)
    device = resolve_device(spec.device)
    dtype = resolve_dtype(spec.dtype, device)
    if detect_kind(directory) == CROSS_ENCODER:
        encoder = CrossEncoder(str(directory), device=device, automodel_args={"dtype": dtype})
        encoder.model.eval()
        config = encoder.model.config
        info = ModelInfo(
            id=spec.id,
            capabilities=frozenset({Capability.RERANK}),
            max_tokens=int(encoder.max_length or getattr(config, "max_position_embeddings", 512)),
            vocab_size=len(encoder.tokenizer),
            owned_by="sentence-transformers",
        )
        return CrossEncoderReranker(spec, encoder, info)
    model = SentenceTransformer(str(directory), device=device, model_kwargs={"dtype": dtype})
    model.eval()
    return SentenceTransformerEmbedder(spec, model, _embedding_info(spec, model, directory))
