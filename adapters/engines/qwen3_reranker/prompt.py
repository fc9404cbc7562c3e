"""The Qwen3-Reranker prompt, tokenized the way the official recipe does it (docs: qwen3.md).

prompt = prefix + body + suffix, body = "<Instruct>: {instruction}\\n<Query>: {query}\\n<Document>: {doc}";
only the body is truncated, to max_length - len(prefix) - len(suffix) tokens.

The shared-prefix form cuts the body before the space after "<Document>:". The cut provably keeps the
recipe's tokens: the Qwen2 split regex always ends a piece at ":" when a space follows and has no
look-behind, NFC cannot compose across a space, and no added token contains ": ". A tokenizer that
breaks this (checked at load on awkward probes) gets the plain form.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from domain.errors import InvalidInput
from domain.use_cases.prompts import QWEN3_DEFAULT_TASK

PREFIX = (
    "<|im_start|>system\nJudge whether the Document meets the requirements based on the Query and the "
    'Instruct provided. Note that the answer can only be "yes" or "no".<|im_end|>\n<|im_start|>user\n'
)
SUFFIX = "<|im_end|>\n<|im_start|>assistant\n<think>\n\n</think>\n\n"
DEFAULT_INSTRUCTION = QWEN3_DEFAULT_TASK
# Documents whose first characters could merge with the text before the cut if any rule were broken.
_CUT_PROBES = ("", "x", " x", "  x", "5", ",", ".x", "\n", " \n", "\u0301e", "<|im_end|>", "'s", "中文", "😀")


def head_text(instruction: str, query: str) -> str:
    """The body up to the cut: identical for every document of a request."""
    return f"<Instruct>: {instruction}\n<Query>: {query}\n<Document>:"


def body_text(instruction: str, query: str, document: str) -> str:
    return f"{head_text(instruction, query)} {document}"


@dataclass(frozen=True, slots=True)
class EncodedRequest:
    """Token ids of one request: `shared` is run once, each row after it; rows are in document order."""

    shared: list[int]
    rows: list[list[int]]
    token_count: int  # prefix + body + suffix tokens of every document, as the model sees them


class RerankPrompt:
    """Turns (instruction, query, documents) into token ids; `tokenizer` is a transformers fast tokenizer."""

    def __init__(self, tokenizer: Any, max_length: int, *, shared_prefix: bool = True) -> None:
        self._tokenizer = tokenizer
        self.max_length = max_length
        self.prefix_ids = self._ids([PREFIX])[0]
        self.suffix_ids = self._ids([SUFFIX])[0]
        self.max_body = max_length - len(self.prefix_ids) - len(self.suffix_ids)
        if self.max_body < 8:
            raise ValueError(f"max_length {max_length} leaves no room for the reranker's prompt")
        self.shared_prefix = shared_prefix and self._cut_keeps_tokens()

    def encode(
        self, query: str, documents: Sequence[str], *, instruction: str | None, truncate: bool
    ) -> EncodedRequest:
        instruction = instruction or DEFAULT_INSTRUCTION
        head = self._ids([head_text(instruction, query)])[0]
        if len(head) >= self.max_body:
            if not truncate:
                raise InvalidInput(
                    f"the query and instruction take {len(head) + len(self.prefix_ids)} tokens, leaving no "
                    f"room for documents within the model's limit of {self.max_length}",
                    param="query",
                )
            # Nothing of any document fits: no shared part would leave the rows empty.
            return self._encode_plain(instruction, query, documents, truncate)
        if self.shared_prefix:
            return self._encode_shared(head, documents, truncate)
        return self._encode_plain(instruction, query, documents, truncate)

    def _encode_shared(self, head: list[int], documents: Sequence[str], truncate: bool) -> EncodedRequest:
        room = self.max_body - len(head)
        rows = []
        for i, ids in enumerate(self._ids([f" {d}" for d in documents])):
            rows.append(self._fit(ids, room, i, truncate, len(head)) + self.suffix_ids)
        shared = self.prefix_ids + head
        return EncodedRequest(shared=shared, rows=rows, token_count=len(shared) * len(rows) + _total(rows))

    def _encode_plain(self, instruction: str, query: str, documents: Sequence[str], truncate: bool) -> EncodedRequest:
        bodies = self._ids([body_text(instruction, query, d) for d in documents])
        rows = [
            self.prefix_ids + self._fit(ids, self.max_body, i, truncate, 0) + self.suffix_ids
            for i, ids in enumerate(bodies)
        ]
        return EncodedRequest(shared=[], rows=rows, token_count=_total(rows))

    def _fit(self, ids: list[int], room: int, index: int, truncate: bool, before: int) -> list[int]:
        if len(ids) <= room:
            return ids
        if not truncate:
            total = len(self.prefix_ids) + before + len(ids) + len(self.suffix_ids)
            raise InvalidInput(
                f"documents[{index}] makes a prompt of {total} tokens, over the model's limit of "
                f"{self.max_length}; shorten it or allow truncation",
                param="documents",
            )
        return ids[:room]

    def _ids(self, texts: list[str]) -> list[list[int]]:
        # The reranker's tokenizer adds no special tokens; say so anyway so a post-processor never slips in.
        return [list(ids) for ids in self._tokenizer(texts, add_special_tokens=False)["input_ids"]]

    def _cut_keeps_tokens(self) -> bool:
        head = self._ids([head_text("task: x", "q ?")])[0]
        for probe in _CUT_PROBES:
            whole = self._ids([body_text("task: x", "q ?", probe)])[0]
            if whole != head + self._ids([f" {probe}"])[0]:
                return False
        return True


def _total(rows: list[list[int]]) -> int:
    return sum(len(r) for r in rows)
