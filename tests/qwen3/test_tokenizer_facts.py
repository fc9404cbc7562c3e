"""The converted tokenizer behaves like the real Qwen3 one (facts from docs qwen3.md)."""

from __future__ import annotations

import random
import unicodedata
from pathlib import Path

import pytest
from transformers import AutoTokenizer

from bench.qwen3_tokenizer import ADDED_TOKENS, FIRST_ADDED_ID, QWEN2_SPLIT_REGEX, qwen_tokenizer

ENDOFTEXT_ID = 151643


@pytest.fixture(scope="module")
def embedder_tokenizer(qwen3_embedder_dir: Path):
    return AutoTokenizer.from_pretrained(qwen3_embedder_dir)


@pytest.fixture(scope="module")
def reranker_tokenizer(qwen3_reranker_dir: Path):
    return AutoTokenizer.from_pretrained(qwen3_reranker_dir)


def test_hello_world(embedder_tokenizer, reranker_tokenizer) -> None:
    assert reranker_tokenizer("Hello world")["input_ids"] == [9707, 1879]
    # The embedding copy appends <|endoftext|> itself.
    assert embedder_tokenizer("Hello world")["input_ids"] == [9707, 1879, ENDOFTEXT_ID]
    assert embedder_tokenizer("Hello world", add_special_tokens=False)["input_ids"] == [9707, 1879]


def test_left_padding_and_mask(embedder_tokenizer) -> None:
    batch = embedder_tokenizer(["test", "test again"], padding=True)
    assert batch["input_ids"] == [[ENDOFTEXT_ID, 1944, ENDOFTEXT_ID], [1944, 1549, ENDOFTEXT_ID]]
    # The pad id equals the appended EOS id: only the mask tells them apart.
    assert batch["attention_mask"] == [[0, 1, 1], [1, 1, 1]]


def test_truncation_keeps_endoftext_last(embedder_tokenizer) -> None:
    ids = embedder_tokenizer("word " * 100, truncation=True, max_length=16)["input_ids"]
    assert len(ids) == 16
    assert ids[-1] == ENDOFTEXT_ID


def test_special_token_roles(embedder_tokenizer, reranker_tokenizer) -> None:
    for tokenizer in (embedder_tokenizer, reranker_tokenizer):
        assert type(tokenizer).__name__ == "Qwen2TokenizerFast"
        assert tokenizer.padding_side == "left"
        assert tokenizer.eos_token_id == 151645  # <|im_end|>: never append it to embedding inputs
        assert tokenizer.pad_token_id == ENDOFTEXT_ID
        assert len(tokenizer) == 151669


def test_yes_no_ids(reranker_tokenizer) -> None:
    assert reranker_tokenizer.convert_tokens_to_ids("yes") == 9693
    assert reranker_tokenizer.convert_tokens_to_ids("no") == 2152


def test_added_tokens_are_single_ids(reranker_tokenizer) -> None:
    for offset, (content, _) in enumerate(ADDED_TOKENS):
        assert reranker_tokenizer(content)["input_ids"] == [FIRST_ADDED_ID + offset]
    assert reranker_tokenizer.convert_ids_to_tokens([151667, 151668]) == ["<think>", "</think>"]


def test_conversion_matches_tiktoken_on_random_text() -> None:
    # tiktoken on the original ranks is the ground truth for the BPE itself (it does no NFC, so
    # compare on NFC text).
    import tiktoken

    from bench.qwen3_tokenizer import _read_ranks, _tiktoken_file

    reference = tiktoken.Encoding(
        "qwen", pat_str=QWEN2_SPLIT_REGEX, mergeable_ranks=_read_ranks(_tiktoken_file()), special_tokens={}
    )
    ours = qwen_tokenizer(append_eos=False)
    pieces = [
        *"abcXYZ  \n\t019.,:;<>!?'\"-_()",
        "é",
        "ß",
        "中文",
        "😀",
        "\u0301",
        "ж",
        "\r\n",
        "'s",
        "'LL",
        " the",
        " tokenizer",
        "ing",
        "Hello",
        " world",
        "   ",
    ]
    rng = random.Random(7)
    for _ in range(2000):
        text = unicodedata.normalize("NFC", "".join(rng.choice(pieces) for _ in range(rng.randint(0, 40))))
        assert ours.encode(text).ids == reference.encode_ordinary(text), repr(text)
