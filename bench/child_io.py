"""How a bench child process takes its arguments and hands back its result."""

from __future__ import annotations

import json
import sys
from typing import Any


def arguments() -> dict[str, Any]:
    return dict(json.loads(sys.argv[1]))


def answer(result: dict[str, Any]) -> None:
    print(json.dumps(result), flush=True)


def texts_from(path: str) -> list[str]:
    with open(path, encoding="utf-8") as handle:
        return list(json.load(handle))
