"""End to end through the runpod SDK's local API (`--rp_serve_api`) in its own process.

Every request body of the seed README's Usage section goes to `/runsync`, once on the fake engine and
once on the bundled all-MiniLM-L6-v2 with sentence-transformers (compared with its own `encode`).
"""

from __future__ import annotations

import json
import math
from collections.abc import Iterator, Sequence
from typing import Any

import pytest

from adapters.engines.fake import hash_vector, overlap
from application.settings import EMBEDDED_DEFAULT_ID
from tests.runpod.conftest import LocalApi, local_api
from tests.runpod.seed_examples import SEARCH_TASK, SEED_EMBEDDER, SEED_RERANKER, SEED_USAGE, with_models
from tests.support.servers import REPO

ENGINE_ENV = {
    # One embedding model, as on the real engine, so that test_input.json (which names none) resolves.
    "fake": {"ENGINE": "fake", "MODEL_NAMES": f"{SEED_EMBEDDER};{SEED_RERANKER}"},
    # The embedded default model, in fp32 (auto is bf16 on some CPUs) as the references are.
    "sentence-transformers": {"ENGINE": "sentence-transformers", "DEVICE": "cpu", "DTYPES": "fp32"},
    "infinity": {"ENGINE": "infinity", "DEVICE": "cpu", "DTYPES": "fp32"},
}
QWEN3_DEFAULT_TASK = SEARCH_TASK  # the fake Qwen3 uses the real one's default task


class Reference:
    """What each engine must answer, computed without the worker."""

    def __init__(self, engine: str, encoder: Any) -> None:
        self.engine = engine
        self._encoder = encoder
        fake = engine == "fake"
        self.embedder = SEED_EMBEDDER if fake else EMBEDDED_DEFAULT_ID
        self.reranker = SEED_RERANKER if fake else EMBEDDED_DEFAULT_ID  # MiniLM reranks by cosine

    def vector(self, text: str, instruction: str | None = None, query: bool = False) -> list[float]:
        if self.engine == "fake":
            task = instruction or (QWEN3_DEFAULT_TASK if query else None)  # the fake seed model is a "qwen3"
            return hash_vector(f"Instruct: {task}\nQuery:{text}" if task else text, 384)
        # MiniLM is not instruction-aware and has no prompts; an explicit instruction still applies, as
        # in the seed worker (same template for any model), a query type alone leaves the text as it is.
        seen = f"Instruct: {instruction}\nQuery:{text}" if instruction else text
        return [float(x) for x in self._encoder.encode(seen, normalize_embeddings=True)]

    def scores(self, query: str, documents: Sequence[str]) -> list[float]:
        if self.engine == "fake":
            words = set(query.lower().replace("?", "").split())
            return [overlap(words, set(d.lower().replace("-", " ").split())) for d in documents]
        return [sum(a * b for a, b in zip(self.vector(query), self.vector(d), strict=True)) for d in documents]


def cosine(a: Sequence[float], b: Sequence[float]) -> float:
    dot = math.fsum(x * y for x, y in zip(a, b, strict=True))
    return dot / math.sqrt(math.fsum(x * x for x in a) * math.fsum(y * y for y in b))


@pytest.fixture(scope="module", params=sorted(ENGINE_ENV))
def engine(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture(scope="module")
def served(
    engine: str, request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[LocalApi, Reference]]:
    references: list[Reference] = []

    def load_reference() -> None:
        encoder = request.getfixturevalue("reference_encoder") if engine != "fake" else None
        references.append(Reference(engine, encoder))

    log = tmp_path_factory.mktemp("runpod") / f"{engine}.log"
    with local_api(ENGINE_ENV[engine], log, meanwhile=load_reference) as server:
        yield server, references[0]


@pytest.fixture(scope="module")
def api(served: tuple[LocalApi, Reference]) -> LocalApi:
    return served[0]


@pytest.fixture(scope="module")
def reference(served: tuple[LocalApi, Reference]) -> Reference:
    return served[1]


def completed(response: dict[str, Any]) -> dict[str, Any]:
    assert response["status"] == "COMPLETED", response
    output: dict[str, Any] = response["output"]
    return output


def assert_embedding(output: dict[str, Any], model: str, expected: Sequence[float]) -> None:
    assert output["object"] == "list" and output["model"] == model
    assert [d["index"] for d in output["data"]] == [0]
    assert cosine(output["data"][0]["embedding"], expected) >= 0.99999
    assert output["usage"]["total_tokens"] > 0


@pytest.mark.parametrize("name", list(SEED_USAGE))
def test_seed_usage_payload(api: LocalApi, reference: Reference, name: str) -> None:
    job_input = with_models(SEED_USAGE[name], reference.embedder, reference.reranker)
    out = completed(api.runsync(job_input))
    model = reference.embedder
    if name == "openai-list-models":
        assert reference.embedder in [m["id"] for m in out["data"]]
        assert all(m["stats"] == {} for m in out["data"])
    elif name in {"openai-embeddings-basic", "standard-embeddings-basic"}:
        assert_embedding(out, model, reference.vector("Hello world"))
    elif name == "openai-embeddings-extra-body":
        assert_embedding(out, model, reference.vector("What is machine learning?", query=True))
    elif name == "standard-embeddings-instruction":
        assert_embedding(out, model, reference.vector("What is machine learning?", instruction=SEARCH_TASK))
    else:
        assert name == "standard-rerank"
        docs = job_input["docs"]
        expected = reference.scores(job_input["query"], docs)
        assert out["scores"] == pytest.approx(expected, abs=1e-5)
        ranked = [r["index"] for r in out["results"]]
        assert [out["scores"][i] for i in ranked] == sorted(out["scores"], reverse=True)
        assert [d["text"] for d in out["docs"]] == [docs[i] for i in ranked]
        assert [d["index"] for d in out["docs"]] == ranked


def test_base64_through_openai_route(api: LocalApi, reference: Reference) -> None:
    body = {"model": reference.embedder, "input": ["Hello world"], "encoding_format": "base64"}
    out = completed(api.runsync({"openai_route": "/openai/v1/embeddings", "openai_input": body}))
    assert isinstance(out["data"][0]["embedding"], str)


def test_shipped_test_input_job(api: LocalApi, reference: Reference) -> None:
    job = json.loads((REPO / "test_input.json").read_text())
    out = completed(api.runsync(job["input"]))
    assert out["model"] == reference.embedder
    texts = job["input"]["input"]
    assert [d["index"] for d in out["data"]] == list(range(len(texts)))
    for item, text in zip(out["data"], texts, strict=True):
        assert cosine(item["embedding"], reference.vector(text)) >= 0.99999


def test_run_then_status_completes(api: LocalApi, reference: Reference) -> None:
    queued = api.post("/run", {"input": {"model": reference.embedder, "input": "Hello world"}})
    assert queued["status"] == "IN_PROGRESS"
    out = completed(api.post(f"/status/{queued['id']}"))
    assert_embedding(out, reference.embedder, reference.vector("Hello world"))


@pytest.mark.parametrize(
    ("job_input", "code"),
    [
        ({"openai_route": "/v1/chat/completions", "openai_input": {}}, "invalid_input"),
        ({"model": "not-served", "input": "x"}, "model_not_found"),
        ({"docs": ["a"]}, "invalid_input"),
    ],
)
def test_bad_job_fails_readably(api: LocalApi, job_input: dict[str, Any], code: str) -> None:
    for response in (api.runsync(job_input), api.post(f"/status/{api.post('/run', {'input': job_input})['id']}")):
        assert response["status"] == "FAILED", response
        assert response["error"].startswith(f"{code}: ")
        assert "Traceback" not in response["error"] and "\n" not in response["error"]
        assert "output" not in response
