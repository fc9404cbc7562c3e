"""The serving guarantees, the same scenarios for every engine and both entrypoints (issue 17).

Engines: the fake embedder and reranker, sentence-transformers and infinity on the bundled
all-MiniLM-L6-v2 (fp32), and our Qwen3-Reranker engine on a tiny random checkpoint. Entrypoints: the HTTP
app in-process and the RunPod JobHandler. Each (engine, entrypoint) pair loads its models once (module
scope) and runs the scenarios in file order; the NaN scenario poisons the weights, so it runs last.

SIGTERM with work in flight needs real processes: tests/reliability/test_drain.py (HTTP) and
tests/e2e/test_runpod_drain.py (the RunPod local API).
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from dependency_injector import providers
from prometheus_client import REGISTRY

from application.container import Container, build_container
from application.settings import EMBEDDED_DEFAULT_ID, load_settings
from tests.contract.serving_surfaces import HttpSurface, RunPodSurface, Surface, Work, with_request_timeout
from tests.reliability.doubles import non_finite

pytestmark = [pytest.mark.slow, pytest.mark.timeout(180)]

# Small enough that three long items break it, large enough for two short documents behind the
# Qwen3-Reranker's prompt template (about 50 tokens per document).
MAX_TOKENS = 400
SUITE_ENV = {"INFINITY_QUEUE_SIZE": "2", "MAX_TOKENS_PER_REQUEST": str(MAX_TOKENS), "DRAIN_TIMEOUT": "30"}
# The fake engine computes nothing: its delay is what the queue and the deadline wait on.
FAKE_ENV = {"ENGINE": "fake", "FAKE_DELAY_MS": "200"}
REAL_ENV = {"DEVICE": "cpu", "DTYPES": "fp32"}

SHORT = "the quick brown fox jumps over the lazy dog " * 6  # ~55 tokens: two of them fit the budget
LONG = "lorem " * 200  # three of them do not, even truncated to MiniLM's 256


@dataclass(frozen=True)
class Case:
    name: str
    reranker: bool
    env: Callable[[pytest.FixtureRequest], dict[str, str]]
    model: Callable[[dict[str, str]], str]
    # The torch modules whose weights the NaN scenario poisons; None for the fake engine, whose NaN
    # comes from a container that loads the NaN doubles instead.
    weights: Callable[[Any], Any] | None


def _qwen3_reranker_env(request: pytest.FixtureRequest) -> dict[str, str]:
    from bench.qwen3_tiny import build_qwen3_reranker

    directory = build_qwen3_reranker(request.getfixturevalue("tmp_path_factory").mktemp("qwen3-reranker"))
    # Routed to our Qwen3-Reranker engine by its checkpoint, whatever ENGINE says.
    return {**REAL_ENV, "ENGINE": "sentence-transformers", "MODEL_NAMES": str(directory)}


CASES = {
    case.name: case
    for case in [
        Case("fake-embed", False, lambda r: {**FAKE_ENV, "MODEL_NAMES": "fake-embed"}, lambda e: "fake-embed", None),
        Case("fake-rerank", True, lambda r: {**FAKE_ENV, "MODEL_NAMES": "fake-rerank"}, lambda e: "fake-rerank", None),
        Case(
            "sentence-transformers",
            False,
            lambda r: {**REAL_ENV, "ENGINE": "sentence-transformers"},
            lambda e: EMBEDDED_DEFAULT_ID,
            lambda engine: engine._model,
        ),
        Case(
            "infinity",
            False,
            lambda r: {**REAL_ENV, "ENGINE": "infinity"},
            lambda e: EMBEDDED_DEFAULT_ID,
            lambda engine: engine._engine._model_replicas[0],
        ),
        Case(
            "qwen3-reranker",
            True,
            _qwen3_reranker_env,
            lambda e: e["MODEL_NAMES"],
            lambda engine: engine._scorer._decoder,
        ),
    ]
}
ENTRYPOINTS = ["http", "runpod"]


@pytest.fixture(scope="module")
def runner() -> Iterator[asyncio.Runner]:
    """One event loop for every RunPod handler of the module: infinity binds to the loop it starts on."""
    with asyncio.Runner() as loop:
        yield loop


def open_surface(entrypoint: str, container: Container, runner: asyncio.Runner) -> Surface:
    return HttpSurface(container) if entrypoint == "http" else RunPodSurface(container, runner)


@dataclass
class Served:
    case: Case
    env: dict[str, str]
    model: str
    surface: Surface

    def work(self, *texts: str) -> Work:
        return Work(self.model, self.case.reranker, list(texts))


@pytest.fixture(scope="module", params=[(c, e) for c in CASES for e in ENTRYPOINTS], ids=lambda p: f"{p[0]}-{p[1]}")
def served(request: pytest.FixtureRequest, runner: asyncio.Runner) -> Iterator[Served]:
    case_name, entrypoint = request.param
    case = CASES[case_name]
    env = {**SUITE_ENV, **case.env(request)}
    surface = open_surface(entrypoint, build_container(load_settings(env)), runner)
    yield Served(case, env, case.model(env), surface)
    surface.close()


def sample(name: str, model: str, **labels: str) -> float:
    return REGISTRY.get_sample_value(name, {"model": model, **labels}) or 0.0


def assert_error(served: Served, answer: Any, status: int, code: str) -> None:
    assert not answer.ok and answer.code == code, answer
    if served.surface.name == "http":
        assert answer.status == status, answer
    else:
        # A FAILED job's error line: "<code>: <message>".
        assert answer.error.startswith(f"{code}: "), answer


def test_a_burst_past_a_tiny_queue_gets_only_served_or_429_then_recovers(served: Served) -> None:
    work = served.work(SHORT, SHORT)  # two items: the queue (2) holds one such request at a time
    refused_before = sample("embedrank_rejected_total", served.model, reason="queue_full")
    answers: list[Any] = []
    for _ in range(3):  # threads may happen not to overlap on a fast engine; three bursts always do
        answers = served.surface.burst(work, 12)
        if any(not a.ok for a in answers):
            break
    refused = [a for a in answers if not a.ok]
    assert len(answers) == 12
    assert refused and len(refused) < len(answers), answers
    for answer in refused:
        assert_error(served, answer, 429, "overloaded")
        if served.surface.name == "http":
            assert answer.retry_after is not None and int(answer.retry_after) >= 1, answer
    assert sample("embedrank_rejected_total", served.model, reason="queue_full") - refused_before == len(refused)
    assert served.surface.send(work).ok  # recovery: the queue drained


def test_an_over_budget_request_is_refused_before_any_forward(served: Served) -> None:
    forwards = sample("embedrank_inference_seconds_count", served.model)
    budget_refusals = sample("embedrank_rejected_total", served.model, reason="token_budget")
    answer = served.surface.send(served.work(LONG, LONG, LONG))
    assert_error(served, answer, 400, "invalid_input")
    assert str(MAX_TOKENS) in (answer.error or "")
    assert sample("embedrank_inference_seconds_count", served.model) == forwards  # no model work at all
    assert sample("embedrank_rejected_total", served.model, reason="token_budget") == budget_refusals + 1
    assert served.surface.send(served.work(SHORT, SHORT)).ok  # the budget admits a normal request


def test_past_the_deadline_answers_deadline_exceeded_then_serves_again(served: Served) -> None:
    with with_request_timeout(served.surface.container, 1e-4):
        answer = served.surface.send(served.work(SHORT, SHORT))
    assert_error(served, answer, 504, "deadline_exceeded")
    assert served.surface.send(served.work(SHORT)).ok


METRICS = [
    "embedrank_queue_wait_seconds_count",
    "embedrank_tokenization_seconds_count",
    "embedrank_inference_seconds_count",
    "embedrank_batch_size_count",
    "embedrank_batch_tokens_count",
]


def test_one_good_request_moves_the_same_metrics_for_every_engine(served: Served) -> None:
    before = {name: sample(name, served.model) for name in METRICS}
    assert served.surface.send(served.work(SHORT, "a second, different text")).ok
    # An engine may record its batch just after it answers (on its own thread): allow it a moment.
    deadline = time.monotonic() + 2
    while True:
        moved = {name: sample(name, served.model) - before[name] for name in METRICS}
        if all(delta > 0 for delta in moved.values()) or time.monotonic() > deadline:
            break
        time.sleep(0.02)
    assert all(delta > 0 for delta in moved.values()), moved
    assert REGISTRY.get_sample_value("embedrank_queue_depth", {"model": served.model}) == 0


def poison(module: Any) -> None:
    import torch

    with torch.no_grad():
        for parameter in module.parameters():
            parameter.fill_(float("nan"))


def test_nan_is_a_500_never_a_200_and_counted(served: Served, runner: asyncio.Runner) -> None:
    # Last in the file: it ruins the model (real engines) for the rest of the module.
    surface = served.surface
    if served.case.weights is None:
        container = build_container(load_settings(served.env))
        container.loader.override(providers.Object(non_finite))
        surface = open_surface(served.surface.name, container, runner)
    else:
        core = served.surface.container.registry()._models[served.model]
        poison(served.case.weights(core.engine))
    try:
        counted = sample("embedrank_non_finite_outputs_total", served.model)
        answer = surface.send(served.work(SHORT, "a second, different text"))
        assert_error(served, answer, 500, "non_finite_output")
        assert sample("embedrank_non_finite_outputs_total", served.model) == counted + 1
    finally:
        if surface is not served.surface:
            surface.close()
