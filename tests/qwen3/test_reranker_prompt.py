"""The shared-prefix cut keeps the recipe's tokens, and batches respect their budget."""

from __future__ import annotations

import random
from pathlib import Path

import pytest
from transformers import AutoTokenizer

from adapters.engines.qwen3_reranker.prompt import RerankPrompt, body_text, head_text
from adapters.engines.qwen3_reranker.scoring import plan_batches

# Characters chosen to stress the split regex, NFC and added tokens around the cut.
PIECES = [
    *"aZ 019.,:;<>!?'\"-_()\n\t\r",
    "  ",
    "\u0301",  # a combining accent: NFC composes it with what precedes
    "\u1100\u1161",  # Hangul jamo that NFC composes into one syllable
    "é",
    "中文",
    "😀",
    "'s",
    "'LL",
    " the",
    "<|im_end|>",
    "<|endoftext|>",
    "<think>",
    ">:",
    ": ",
    "<Document>:",
    "\u00a0",  # no-break space: \s but not a plain space
    "\u3000",
]


@pytest.fixture(scope="module")
def tokenizer(qwen3_reranker_dir: Path):
    return AutoTokenizer.from_pretrained(qwen3_reranker_dir)


def _random_text(rng: random.Random, most: int) -> str:
    return "".join(rng.choice(PIECES) for _ in range(rng.randint(0, most)))


def test_the_cut_never_changes_tokens(tokenizer) -> None:
    rng = random.Random(2024)
    for _ in range(3000):
        instruction, query, document = (_random_text(rng, n) for n in (6, 12, 12))
        whole = tokenizer(body_text(instruction, query, document), add_special_tokens=False)["input_ids"]
        head = tokenizer(head_text(instruction, query), add_special_tokens=False)["input_ids"]
        tail = tokenizer(f" {document}", add_special_tokens=False)["input_ids"]
        assert whole == head + tail, (instruction, query, document)


def test_shared_and_plain_encodings_see_the_same_tokens(tokenizer) -> None:
    shared = RerankPrompt(tokenizer, 512, shared_prefix=True)
    plain = RerankPrompt(tokenizer, 512, shared_prefix=False)
    assert shared.shared_prefix and not plain.shared_prefix
    documents = ["", " a", "\u0301x", "long " * 700, "<|im_end|>"]
    a = shared.encode("q?", documents, instruction=None, truncate=True)
    b = plain.encode("q?", documents, instruction=None, truncate=True)
    assert b.shared == []
    assert [a.shared + row for row in a.rows] == b.rows
    assert a.token_count == b.token_count == sum(len(r) for r in b.rows)
    assert max(len(r) for r in b.rows) == 512


@pytest.mark.parametrize("budget", [1, 50, 100, 1000])
def test_plan_batches_respects_the_budget(budget: int) -> None:
    rng = random.Random(budget)
    lengths = [rng.randint(1, 120) for _ in range(57)]
    batches = plan_batches(lengths, token_budget=budget, max_rows=8)
    assert sorted(i for batch in batches for i in batch) == list(range(len(lengths)))
    for batch in batches:
        padded = len(batch) * max(lengths[i] for i in batch)
        assert len(batch) <= 8
        assert padded <= budget or len(batch) == 1


def test_plan_batches_groups_similar_lengths() -> None:
    lengths = [5, 100, 6, 99, 7, 98]
    assert plan_batches(lengths, token_budget=300, max_rows=3) == [[1, 3, 5], [4, 2, 0]]
    assert plan_batches([], token_budget=10, max_rows=2) == []
