"""Start our own processes on free loopback ports for end-to-end tests, and always stop them."""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import IO

import httpx

REPO = Path(__file__).resolve().parents[2]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def wait_until(
    url: str, timeout: float, process: subprocess.Popen[bytes], log: IO[bytes] | None = None, want: int = 200
) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            tail = ""
            if log is not None:
                log.seek(0)
                tail = log.read().decode(errors="replace")[-3000:]
            raise RuntimeError(f"server exited early with code {process.returncode}: {tail}")
        with contextlib.suppress(httpx.HTTPError):
            if httpx.get(url, timeout=2).status_code == want:
                return
        time.sleep(0.2)
    raise TimeoutError(f"{url} not {want} within {timeout}s")


@contextlib.contextmanager
def http_server(env: Mapping[str, str], timeout: float = 120) -> Iterator[str]:
    """`embedrank serve` on a free port; yields its base URL once /ready says 200."""
    port = free_port()
    full_env = {**os.environ, **env, "HOST": "127.0.0.1", "PORT": str(port), "HF_HUB_OFFLINE": "1"}
    # stderr goes to a file: a pipe nobody reads would stall a chatty server once its buffer fills.
    with tempfile.TemporaryFile() as log:
        process = subprocess.Popen(
            [sys.executable, "-m", "entrypoints.cli", "serve"],
            cwd=REPO,
            env=full_env,
            stdout=subprocess.DEVNULL,
            stderr=log,
        )
        base = f"http://127.0.0.1:{port}"
        try:
            wait_until(f"{base}/ready", timeout, process, log)
            yield base
        finally:
            stop(process)


def stop(process: subprocess.Popen[bytes], timeout: float = 20) -> int:
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
    return process.returncode
