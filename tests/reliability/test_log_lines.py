"""Every log line is one JSON object carrying its request's id, ours and the libraries' alike."""

from __future__ import annotations

import io
import json
import logging
import subprocess
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager

from litestar.testing import TestClient

from entrypoints.logs import configure_logging, json_handler
from tests.reliability.conftest import E
from tests.reliability.doubles import non_finite


@contextmanager
def root_lines() -> Iterator[io.StringIO]:
    root = logging.getLogger()
    saved, level = root.handlers[:], root.level
    configure_logging("INFO")
    stream = io.StringIO()
    handler = root.handlers[0]
    assert isinstance(handler, logging.StreamHandler)
    handler.setStream(stream)
    try:
        yield stream
    finally:
        root.handlers[:] = saved
        root.setLevel(level)


def test_an_engine_log_line_inside_a_request_carries_its_request_id(client_for: Callable[..., TestClient]) -> None:
    client = client_for(non_finite)
    with root_lines() as stream:
        response = client.post(E, json={"model": "fake-embed", "input": ["a", "b"]}, headers={"X-Request-Id": "req-7"})
    assert response.status_code == 500
    lines = [json.loads(line) for line in stream.getvalue().splitlines()]
    nan_lines = [line for line in lines if "NaN or infinity" in line["message"]]
    assert nan_lines and all(line["request_id"] == "req-7" for line in nan_lines), lines
    assert nan_lines[0]["level"] == "ERROR" and nan_lines[0]["logger"] == "adapters.serving.core"


def test_a_traceback_stays_inside_one_line() -> None:
    stream = io.StringIO()
    handler = json_handler()
    assert isinstance(handler, logging.StreamHandler)
    handler.setStream(stream)
    log = logging.getLogger("test.one_line")
    log.addHandler(handler)
    try:
        try:
            raise ValueError("boom\nsecond line")
        except ValueError:
            log.exception("failed")
    finally:
        log.removeHandler(handler)
    (line,) = stream.getvalue().splitlines()
    record = json.loads(line)
    assert record["message"] == "failed" and "ValueError: boom" in record["exc"] and record["request_id"] == "-"


def test_importing_infinity_keeps_the_servers_log_handlers() -> None:
    # A fresh process: infinity_emb reconfigures the root logger only on its first import.
    code = (
        "import logging; from entrypoints.logs import configure_logging, JsonLines; configure_logging('INFO'); "
        "from adapters.engines.infinity.quiet_import import import_infinity; import_infinity(); "
        "handlers = logging.getLogger().handlers; "
        "assert len(handlers) == 1 and isinstance(handlers[0].formatter, JsonLines), handlers"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr[-2000:]
