"""Servers for the reliability tests: the app under uvicorn in a thread, and `embedrank serve` processes.

The process's stderr goes to a file, never a pipe: one access-log line per request would fill a pipe
nobody reads and stall the server.
"""

from __future__ import annotations

import contextlib
import os
import subprocess
import sys
import threading
import time
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path

import httpx
import uvicorn
from litestar import Litestar

from tests.support.servers import REPO, free_port, stop, wait_until

FAKE_ENV = {"ENGINE": "fake", "MODEL_NAMES": "fake-embed;fake-rerank", "HF_HUB_OFFLINE": "1"}


@contextlib.contextmanager
def in_thread(app: Litestar, timeout: float = 20) -> Iterator[str]:
    """The app on a real socket (uvicorn in a background thread); yields the base URL once ready."""
    port = free_port()
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_config=None, access_log=False))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + timeout
        while True:
            with contextlib.suppress(httpx.HTTPError):
                if server.started and httpx.get(f"{base}/ready", timeout=2).status_code == 200:
                    break
            if time.monotonic() > deadline:
                raise TimeoutError("in-thread server not ready")
            time.sleep(0.05)
        yield base
    finally:
        server.should_exit = True
        thread.join(timeout)


@dataclass
class Served:
    base: str
    process: subprocess.Popen[bytes]
    log: Path

    def log_text(self) -> str:
        return self.log.read_text(errors="replace")


@contextlib.contextmanager
def embedrank_serve(env: Mapping[str, str], log: Path, timeout: float = 60) -> Iterator[Served]:
    """`embedrank serve` on a free loopback port with `env` over the fake-engine defaults."""
    port = free_port()
    full_env = {**os.environ, **FAKE_ENV, **env, "HOST": "127.0.0.1", "PORT": str(port)}
    with log.open("wb") as sink:
        process = subprocess.Popen(
            [sys.executable, "-m", "entrypoints.cli", "serve"], cwd=REPO, env=full_env,
            stdout=subprocess.DEVNULL, stderr=sink,
        )  # fmt: skip
        served = Served(f"http://127.0.0.1:{port}", process, log)
        try:
            wait_until(f"{served.base}/ready", timeout, process)
            yield served
        finally:
            stop(process)
