"""The composition root: the only module that knows which adapter serves which port."""

from __future__ import annotations

import functools

from dependency_injector import containers, providers

from adapters.engines import fake
from adapters.engines.base import Engine as LoadedEngine
from adapters.engines.base import Loader, ModelSpec
from adapters.fake_tokenizer import FakeTokenizer
from adapters.openai_tokens import Cl100kTokens
from adapters.registry import ModelRegistry
from adapters.tokenizers import HuggingFaceTokenizers
from application.engine_choice import choose_engine
from application.lifecycle import Lifecycle
from application.serving_policy import ServingPolicy
from application.settings import Engine, Settings
from domain.models import Limits
from domain.use_cases import CreateEmbeddings, Decode, ListModels, Rerank, Tokenize


def _loader(settings: Settings) -> Loader:
    # Engine modules are imported only when chosen: each pulls in torch or infinity_emb when it loads.
    if settings.engine is Engine.FAKE:
        return functools.partial(fake.load, dimension=settings.fake_dimension, delay_ms=settings.fake_delay_ms)
    from adapters.engines.routing import route_qwen3_rerankers
    from adapters.engines.torch_runtime import resolve_device

    if choose_engine(settings.engine, settings.device.value, resolve_device) is Engine.INFINITY:
        from adapters.engines import infinity

        return route_qwen3_rerankers(infinity.load, _load_qwen3_reranker)
    from adapters.batching import BatchingOptions
    from adapters.engines import sentence_transformers

    batching = BatchingOptions(token_budget=settings.batch_token_budget, model_threads=settings.model_threads)
    return route_qwen3_rerankers(functools.partial(sentence_transformers.load, batching=batching), _load_qwen3_reranker)


def _tokenizer(settings: Settings) -> FakeTokenizer | HuggingFaceTokenizers:
    if settings.engine is Engine.FAKE:
        return FakeTokenizer()
    return HuggingFaceTokenizers(settings.model_specs())


def _load_qwen3_reranker(spec: ModelSpec) -> LoadedEngine:
    from adapters.engines import qwen3_reranker

    return qwen3_reranker.load(spec)


class Container(containers.DeclarativeContainer):
    settings = providers.Dependency(instance_of=Settings)

    loader = providers.Callable(_loader, settings)
    registry = providers.Singleton(ModelRegistry, specs=settings.provided.model_specs.call(), load=loader)
    limits = providers.Singleton(
        Limits,
        max_items=settings.provided.max_items,
        max_chars_per_item=settings.provided.max_chars_per_item,
        max_tokens_per_request=settings.provided.max_tokens_per_request,
        truncate=settings.provided.truncate,
        token_ids=settings.provided.token_ids,
    )
    openai_tokens = providers.Singleton(Cl100kTokens)
    tokenizer = providers.Singleton(_tokenizer, settings)

    lifecycle = providers.Singleton(Lifecycle, registry=registry)
    policy = providers.Singleton(
        ServingPolicy,
        lifecycle=lifecycle,
        request_timeout=settings.provided.request_timeout,
        drain_timeout=settings.provided.drain_timeout,
    )

    list_models = providers.Factory(ListModels, catalog=registry)
    create_embeddings = providers.Factory(
        CreateEmbeddings,
        catalog=registry,
        embedder=registry,
        limits=limits,
        openai_tokens=openai_tokens,
        tokenizer=tokenizer,
    )
    rerank = providers.Factory(
        Rerank, catalog=registry, reranker=registry, embedder=registry, limits=limits, tokenizer=tokenizer
    )
    tokenize = providers.Factory(Tokenize, catalog=registry, tokenizer=tokenizer, limits=limits)
    decode = providers.Factory(Decode, catalog=registry, tokenizer=tokenizer, limits=limits)


def build_container(settings: Settings) -> Container:
    return Container(settings=settings)
