"""How a bench child process takes its arguments and hands back its result."""

from __future__ import annotations

import contextlib
import json
import sys
import tempfile
from collections.abc import Iterator
from typing import Any


def arguments() -> dict[str, Any]:
    return dict(json.loads(sys.argv[1]))


def answer(result: dict[str, Any]) -> None:
    print(json.dumps(result), flush=True)


def texts_from(path: str) -> list[str]:
    with open(path, encoding="utf-8") as handle:
        return list(json.load(handle))


@contextlib.contextmanager
def texts_file(texts: list[str]) -> Iterator[str]:
    """A temporary JSON file of `texts` for a child's `texts_from` (a corpus is too long for argv)."""
    with tempfile.TemporaryDirectory(prefix="embedrank-bench-") as scratch:
        path = f"{scratch}/texts.json"
        with open(path, "w", encoding="utf-8") as handle:
            json.dump(texts, handle)
        yield path
