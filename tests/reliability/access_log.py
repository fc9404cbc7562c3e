"""Capture the JSON access-log lines without pytest's logging plugin (the suites run with it off)."""

from __future__ import annotations

import contextlib
import json
import logging
from collections.abc import Iterator
from typing import Any

from entrypoints.http.observe import ACCESS_LOGGER


class _Lines(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.lines: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.lines.append(record.getMessage())


@contextlib.contextmanager
def captured_logs(logger: str = "") -> Iterator[list[str]]:
    """Every formatted message logged under `logger` ("" = all) while the block runs."""
    handler = _Lines()
    target = logging.getLogger(logger)
    loggers = [target] if logger else [target, logging.getLogger(ACCESS_LOGGER)]
    saved = [(lg, lg.level) for lg in loggers]
    for lg in loggers:
        lg.addHandler(handler)
        lg.setLevel(logging.DEBUG)
    try:
        yield handler.lines
    finally:
        for lg, level in saved:
            lg.removeHandler(handler)
            lg.setLevel(level)


def access_lines(lines: list[str]) -> list[dict[str, Any]]:
    return [json.loads(line) for line in lines if line.startswith('{"event": "http_request"')]
