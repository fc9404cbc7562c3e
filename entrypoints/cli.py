"""`embedrank`: serve, models, embed, rerank, runpod, bench. Flags override the environment's settings."""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
from collections.abc import Sequence
from typing import Any

import msgspec

from application.settings import ConfigError, Settings, load_settings
from entrypoints.bench import add_bench_parser
from entrypoints.runpod.flags import add_runpod_flags, runpod_argv

SERVE_FLAGS = {"host": "host", "port": "port", "models": "model_names", "engine": "engine", "device": "device"}


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="embedrank", description="Embedding and reranking server.")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    serve = commands.add_parser("serve", help="start the OpenAI-compatible HTTP server")
    serve.add_argument("--host", help="bind address (HOST)")
    serve.add_argument("--port", type=int, help="port (PORT)")
    _model_flags(serve)

    models = commands.add_parser("models", help="list the models the settings serve")
    _model_flags(models)

    embed = commands.add_parser("embed", help="embed texts; prints the OpenAI-shaped JSON")
    embed.add_argument("texts", nargs="+", metavar="TEXT")
    embed.add_argument("--model", help="model id (default: the only embedding model)")
    embed.add_argument("--instruction", help="task instruction for instruction-aware models")
    embed.add_argument("--prompt-type", choices=["query", "document"])
    embed.add_argument("--dimensions", type=int)
    _model_flags(embed)

    rerank = commands.add_parser("rerank", help="rank documents against a query; prints JSON")
    rerank.add_argument("--query", required=True)
    rerank.add_argument("documents", nargs="+", metavar="DOC")
    rerank.add_argument("--model", help="model id (default: the only reranker, else the embedding model)")
    rerank.add_argument("--top-n", type=int)
    rerank.add_argument("--instruction")
    _model_flags(rerank)

    worker = commands.add_parser("runpod", help="start the RunPod serverless worker (or its local test API)")
    _model_flags(worker)
    add_runpod_flags(worker)

    add_bench_parser(commands)
    return parser


def _model_flags(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--models", help="`;`-separated model ids or paths (MODEL_NAMES)")
    parser.add_argument("--engine", choices=["infinity", "sentence-transformers", "fake"], help="ENGINE")
    parser.add_argument("--device", choices=["auto", "cpu", "cuda", "mps"], help="DEVICE")


def _settings(args: argparse.Namespace) -> Settings:
    overrides = {
        field: getattr(args, flag) for flag, field in SERVE_FLAGS.items() if getattr(args, flag, None) is not None
    }
    return load_settings(**overrides)


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    try:
        settings = _settings(args)
    except ConfigError as exc:
        print(f"embedrank: {exc}", file=sys.stderr)
        return 2
    from entrypoints.logs import configure_logging

    configure_logging(settings.log_level)
    if args.command == "serve":
        from entrypoints.http.serve import serve

        return serve(settings)
    if args.command == "runpod":
        from entrypoints.runpod.worker import start_worker

        return start_worker(settings, runpod_argv(args))
    if args.command == "bench":
        from entrypoints.bench import run_bench_command

        return run_bench_command(args)
    return asyncio.run(_one_shot(args, settings))


async def _one_shot(args: argparse.Namespace, settings: Settings) -> int:
    from application.container import build_container
    from domain.errors import EmbedRankError
    from domain.models import EmbeddingsRequest, PromptType, RerankRequest
    from entrypoints.convert import embeddings_response, models_response, rerank_response
    from entrypoints.errors import map_error

    container = build_container(settings)
    lifecycle = container.lifecycle()
    try:
        await lifecycle.start()
        output: Any
        if args.command == "models":
            output = models_response(container.list_models()())
        elif args.command == "embed":
            request = EmbeddingsRequest(
                model=args.model,
                inputs=args.texts,
                instruction=args.instruction,
                prompt_type=PromptType(args.prompt_type) if args.prompt_type else None,
                dimensions=args.dimensions,
            )
            output = embeddings_response(await container.create_embeddings()(request), "float")
        else:
            request_ = RerankRequest(
                model=args.model, query=args.query, documents=args.documents, top_n=args.top_n,
                return_documents=True, instruction=args.instruction,
            )  # fmt: skip
            output = rerank_response(await container.rerank()(request_))
    except EmbedRankError as exc:
        print(f"embedrank: {map_error(exc).message}", file=sys.stderr)
        return 1
    finally:
        await lifecycle.stop()
    print(json.dumps(msgspec.to_builtins(output), indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
