"""Log setup for every process we start: one JSON object per line, to stderr, with the request id.

Our lines, the access log and the engines' (libraries log through the root logger) share the format,
so a log pipeline parses one shape; a traceback stays inside its line's `exc` field.
"""

from __future__ import annotations

import json
import logging
import sys

from asgi_correlation_id import CorrelationIdFilter


class JsonLines(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        line = {
            "time": self.formatTime(record, "%Y-%m-%dT%H:%M:%S"),
            "level": record.levelname,
            "logger": record.name,
            "request_id": getattr(record, "correlation_id", None) or "-",
            "message": record.getMessage(),
        }
        if record.exc_info:
            line["exc"] = self.formatException(record.exc_info)
        return json.dumps(line, ensure_ascii=False)


def json_handler() -> logging.Handler:
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(JsonLines())
    handler.addFilter(CorrelationIdFilter(default_value="-"))
    return handler


def configure_logging(level: str) -> None:
    root = logging.getLogger()
    root.handlers[:] = [json_handler()]
    root.setLevel(level.upper())
    for noisy in ("httpx", "httpcore", "urllib3", "filelock", "sentence_transformers", "transformers"):
        logging.getLogger(noisy).setLevel(max(logging.WARNING, root.level))
