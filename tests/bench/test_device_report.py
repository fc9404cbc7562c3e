"""The device run's arithmetic: exact-length workloads, MFU per point, the targets and the engine choice."""

from __future__ import annotations

from pathlib import Path

import pytest

from bench.device_report import add_mfu, device_targets, favoured_engine, plot
from bench.qwen3_shaped import SHAPE, flops_per_token
from bench.workloads import cycled, token_weighted_length, workloads


def test_workloads_have_the_exact_token_counts_asked_for() -> None:
    from bench.qwen3_tokenizer import qwen_tokenizer

    tokenizer = qwen_tokenizer(append_eos=True)
    loads = workloads(tokenizer, (32, 1024), (20, 512), 12, seed=3)
    assert set(loads) == {"32", "1024", "mixed"}
    for load in loads.values():
        counted = [len(e.ids) for e in tokenizer.encode_batch(load["texts"])]
        assert counted == load["lengths"]
        assert all(e.ids[-1] == 151643 for e in tokenizer.encode_batch(load["texts"])), "<|endoftext|> last"
    assert min(loads["mixed"]["lengths"]) >= 20 and max(loads["mixed"]["lengths"]) <= 512
    assert len(set(loads["mixed"]["lengths"])) > 6


def test_requests_are_cycled_without_copies_and_lengths_weighted_by_tokens() -> None:
    requests = [["a", "b"], ["c"]]
    repeated = cycled(requests, 7)
    assert sum(len(r) for r in repeated) >= 7 and repeated[2] is requests[0]
    assert token_weighted_length([100, 100]) == 100
    assert token_weighted_length([10, 90]) == pytest.approx((100 + 8100) / 100)


def summary() -> dict:
    point = {"tokens_per_s": 400_000.0, "p50_ms": 30.0}
    return {
        "gemm_peak": {"matmul_peak": 6e14},
        "http": {
            "sentence-transformers": {"512": dict(point), "single": {"tokens_per_s": 1.0, "p50_ms": 4.0}},
            "infinity": {"512": {**point, "tokens_per_s": 250_000.0}},
        },
        "in_process": {"infinity": {"512": dict(point)}},
        "parity": [
            {"engine": "infinity", "model": "m", "dtype": "fp32", "measure": "min cosine", "value": 0.9, "met": False}
        ],
        "rerank": {
            "speedup": 2.4,
            "documents": 64,
            "ours": {"one_document_p50_ms": 12.0, "pairs_per_s": 9.0},
            "recipe": {"one_document_p50_ms": 20.0, "pairs_per_s": 3.75},
        },
    }


def test_mfu_targets_and_the_favoured_engine(tmp_path: Path) -> None:
    data = summary()
    add_mfu(data, SHAPE, {"512": [512] * 4})
    expected = 400_000 * flops_per_token(512) / 6e14
    assert data["http"]["sentence-transformers"]["512"]["useful_mfu"] == pytest.approx(expected, abs=1e-4)
    assert "useful_mfu" not in data["http"]["sentence-transformers"]["single"], "lone requests are latency only"
    met = {t["name"]: t["met"] for t in device_targets(data)}
    assert met == {
        "parity infinity m fp32 (min cosine)": False,
        "sentence-transformers over HTTP, tokens/s at 512 tokens": True,
        "infinity over HTTP, tokens/s at 512 tokens": False,
        "reranker pairs/s ÷ official recipe": True,
        "reranker 1-query p50 (ms)": False,
    }
    assert favoured_engine(data) == "sentence-transformers"
    assert favoured_engine({"http": {}}) is None
    plot(data, tmp_path / "device.png")
    assert (tmp_path / "device.png").read_bytes()[:4] == b"\x89PNG"
