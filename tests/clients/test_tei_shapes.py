"""TEI's routes and shapes over plain HTTP (as tei-client and litellm's `huggingface/` send them)."""

from __future__ import annotations

import httpx
import pytest

from tests.clients.openai_path import openai_vectors
from tests.reliability.servers import Served

TEXTS = ["Paris is the capital of France.", "Bananas are yellow."]


def post(served: Served, path: str, body: dict[str, object]) -> httpx.Response:
    return httpx.post(f"{served.base}{path}", json=body, timeout=30)


def test_embed_answers_a_bare_array(fake_server: Served) -> None:
    response = post(fake_server, "/embed", {"inputs": TEXTS, "model": "fake-embed", "truncate": True})
    assert response.status_code == 200
    assert response.json() == openai_vectors(fake_server.base, "fake-embed", TEXTS)
    one = post(fake_server, "/embed", {"inputs": TEXTS[0], "model": "fake-embed", "dimensions": 16}).json()
    assert one == openai_vectors(fake_server.base, "fake-embed", TEXTS[:1], dimensions=16)


def test_prompt_name_is_the_prompt_type(fake_server: Served) -> None:
    body = {"inputs": TEXTS, "model": "qwen3-embed-fake", "prompt_name": "query"}
    expected = openai_vectors(fake_server.base, "qwen3-embed-fake", TEXTS, prompt_type="query")
    assert post(fake_server, "/embed", body).json() == expected


@pytest.mark.parametrize(
    ("field", "value"),
    [("normalize", False), ("truncation_direction", "Left"), ("prompt_name", "poetry")],
)
def test_fields_that_cannot_be_honoured_are_refused_by_name(fake_server: Served, field: str, value: object) -> None:
    response = post(fake_server, "/embed", {"inputs": "x", "model": "fake-embed", field: value})
    assert response.status_code == 400 and response.json()["error"]["param"] == field


def test_rerank_with_texts_answers_tei_ranks(fake_server: Served) -> None:
    body = {"query": "capital of France", "texts": TEXTS, "model": "fake-rerank", "return_text": True}
    response = post(fake_server, "/rerank", body)
    assert response.status_code == 200
    ranks = response.json()
    assert [r["index"] for r in ranks] == [0, 1] and ranks[0]["text"] == TEXTS[0]
    assert set(ranks[0]) == {"index", "score", "text"} and ranks[0]["score"] > ranks[1]["score"]
    without_text = post(fake_server, "/rerank", {**body, "return_text": False}).json()
    assert set(without_text[0]) == {"index", "score"}


def test_rerank_raw_scores_is_refused(fake_server: Served) -> None:
    body = {"query": "q", "texts": TEXTS, "model": "fake-rerank", "raw_scores": True}
    assert post(fake_server, "/rerank", body).json()["error"]["param"] == "raw_scores"


def test_info(fake_server: Served) -> None:
    info = httpx.get(f"{fake_server.base}/info", timeout=10).json()
    assert info["model_id"] == "fake-embed" and info["model_type"] == {"embedding": {"pooling": "mean"}}
    assert info["max_input_length"] == 512 and info["max_client_batch_size"] == 2048


def test_tokenize_and_decode_with_the_models_own_tokenizer(minilm_server: str, reference_encoder) -> None:  # type: ignore[no-untyped-def]
    text = "Embeddings turn text into vectors."
    tokens = httpx.post(f"{minilm_server}/tokenize", json={"inputs": [text]}, timeout=30).json()
    reference = reference_encoder.tokenizer(text, return_offsets_mapping=True)
    assert [t["id"] for t in tokens[0]] == reference["input_ids"]
    assert [(t["start"], t["stop"]) for t in tokens[0]] == [tuple(span) for span in reference["offset_mapping"]]
    assert [t["special"] for t in tokens[0]][0] is True and tokens[0][1]["text"] == "em"
    ids = [t["id"] for t in tokens[0]]
    decoded = httpx.post(f"{minilm_server}/decode", json={"ids": ids}, timeout=30).json()
    assert decoded == [reference_encoder.tokenizer.decode(ids, skip_special_tokens=True)]
    raw = httpx.post(f"{minilm_server}/decode", json={"ids": [ids], "skip_special_tokens": False}, timeout=30).json()
    assert raw[0].startswith("[CLS]") and raw[0].endswith("[SEP]")


def test_tokenize_without_special_tokens_and_bad_ids(fake_server: Served) -> None:
    tokens = post(fake_server, "/tokenize", {"inputs": "hello world", "add_special_tokens": False}).json()
    assert [t["text"] for t in tokens[0]] == ["hello", "world"]
    assert [(t["start"], t["stop"]) for t in tokens[0]] == [(0, 5), (6, 11)]
    bad = post(fake_server, "/decode", {"ids": [1, 99_999]})
    assert bad.status_code == 400 and bad.json()["error"]["param"] == "ids"
