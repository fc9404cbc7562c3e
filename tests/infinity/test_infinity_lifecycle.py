"""The infinity engine's lifecycle, back-pressure and failure paths, on the tiny Qwen3 embedder."""

from __future__ import annotations

import asyncio
import subprocess
import sys
from pathlib import Path

import pytest

from adapters.engines.base import ModelSpec
from adapters.engines.infinity.args import BackendUnavailable, check_backend
from domain.errors import Overloaded, Unavailable
from tests.support.served import served

pytestmark = pytest.mark.slow


def load(path: Path, **spec: object):  # type: ignore[no-untyped-def]
    from adapters.engines import infinity

    model_spec = ModelSpec(id="tiny", path=str(path), device="cpu", **spec)  # type: ignore[arg-type]
    return served(infinity.load(model_spec), model_spec.queue_size)


@pytest.fixture(scope="module")
def small_queue(qwen3_embedder_dir: Path):  # type: ignore[no-untyped-def]
    """Each test runs it on its own loops and closes it; a queue of 4 items only matters to the burst."""
    return load(qwen3_embedder_dir, queue_size=4)


def test_start_and_stop_twice_in_one_process(small_queue) -> None:  # type: ignore[no-untyped-def]
    model = small_queue
    asyncio.run(model.close())  # closing a model that never started is fine

    async def serve_once() -> list[int]:
        await model.engine.start()
        await model.engine.start()  # idempotent
        batch = await model.embed(["hello", "world"], truncate=True)
        await model.close()
        return list(batch.token_counts)

    assert asyncio.run(serve_once()) == asyncio.run(serve_once()) == [2, 2]
    # Without start(): the first call starts the engine, on whatever loop the caller runs.
    for _ in range(2):
        assert asyncio.run(model.embed(["hello"], truncate=True)).token_counts == [2]
    asyncio.run(model.close())


def test_a_full_queue_refuses_at_once_and_the_rest_succeed(small_queue) -> None:  # type: ignore[no-untyped-def]
    model = small_queue

    async def burst() -> list[object]:
        await model.engine.start()
        tasks = [asyncio.ensure_future(model.embed([f"a{i}", f"b{i}"], truncate=True)) for i in range(10)]
        await asyncio.sleep(0)  # one loop turn: no model work can have finished yet
        refused_at_once = sum(t.done() and isinstance(t.exception(), Overloaded) for t in tasks)
        results = await asyncio.wait_for(asyncio.gather(*tasks, return_exceptions=True), timeout=30)
        after = await asyncio.wait_for(model.embed(["later"], truncate=True), timeout=30)
        await model.close()
        return [refused_at_once, results, after]

    refused_at_once, results, after = asyncio.run(burst())
    overloaded = [r for r in results if isinstance(r, Overloaded)]  # type: ignore[attr-defined]
    assert refused_at_once == len(overloaded) == 8  # 2 requests x 2 items fill a queue of 4
    assert all(r.retry_after > 0 and "(limit 4)" in r.message for r in overloaded)
    assert sum(not isinstance(r, BaseException) for r in results) == 2  # type: ignore[attr-defined]
    assert after.token_counts == [2]  # type: ignore[attr-defined]


def test_a_crashed_worker_gives_unavailable_not_a_hang(qwen3_embedder_dir: Path) -> None:
    model = load(qwen3_embedder_dir)

    def boom(features):  # type: ignore[no-untyped-def]
        raise RuntimeError("device lost")

    model.engine._engine._model_replicas[0].forward = boom  # infinity's encode_core calls it on its thread

    async def scenario() -> None:
        with pytest.raises(Unavailable, match="failed"):
            await asyncio.wait_for(model.embed(["x"], truncate=True), timeout=20)
        with pytest.raises(Unavailable):  # later calls are refused at once
            await asyncio.wait_for(model.embed(["y"], truncate=True), timeout=1)
        await asyncio.wait_for(model.close(), timeout=20)

    asyncio.run(scenario())
    assert model.engine.failure == "RuntimeError: device lost"


def test_optimum_backend_fails_at_startup_with_what_to_do(qwen3_embedder_dir: Path) -> None:
    with pytest.raises(BackendUnavailable, match=r"BACKEND=optimum is not supported.*Use BACKEND=torch"):
        load(qwen3_embedder_dir, backend="optimum")
    with pytest.raises(BackendUnavailable, match="unknown BACKEND 'onnx'"):
        check_backend("onnx")


def test_ctranslate2_backend_names_the_package_when_missing() -> None:
    import importlib.util

    if importlib.util.find_spec("ctranslate2") is not None:
        pytest.skip("ctranslate2 is installed")
    with pytest.raises(BackendUnavailable, match=r"pip install 'embedrank\[ctranslate2\]'"):
        check_backend("ctranslate2")


def test_qwen3_reranker_checkpoints_are_refused(qwen3_embedder_dir: Path) -> None:
    with pytest.raises(ValueError, match="cannot serve a Qwen3-Reranker"):
        load(qwen3_embedder_dir, qwen3_reranker=True)


@pytest.mark.skipif(
    __import__("importlib.util").util.find_spec("ctranslate2") is None, reason="ctranslate2 not installed"
)
def test_ctranslate2_backend_matches_sentence_transformers(bundled_model_path: Path, reference_encoder) -> None:  # type: ignore[no-untyped-def]
    import numpy as np

    texts = ["hello world", "  spaced  ", "retrieval " * 400]
    model = load(bundled_model_path, backend="ctranslate2")

    async def run() -> list[list[float]]:
        batch = await model.embed(texts, truncate=True)
        await model.close()
        return [list(v) for v in batch.vectors]

    got = np.array(asyncio.run(run()))
    want = reference_encoder.encode(texts, normalize_embeddings=True)
    assert np.min(np.sum(got * want, axis=1)) >= 0.99999


def test_importing_the_engine_does_not_import_infinity() -> None:
    code = "import sys, adapters.engines.infinity; sys.exit('infinity_emb' in sys.modules)"
    root = Path(__file__).resolve().parents[2]
    assert subprocess.run([sys.executable, "-c", code], cwd=root, timeout=60).returncode == 0
