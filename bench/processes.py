"""Child processes the bench measures: our server, and the in-process baselines, each with its peak RSS.

Every engine runs in its own process so the load generator never shares torch threads, memory or an
import with what it measures.
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]


class RssSampler:
    """Peak resident memory of one process: the kernel's high-water mark where Linux keeps one, else sampled.

    Sampling every `interval` seconds misses a spike shorter than that (two model threads in long batches
    at once); Linux records the exact peak (VmHWM) and lets its owner reset it (clear_refs 5), so a round's
    peak is exact there. Each sample also keeps the kernel's mark, so the whole run's peak survives the
    process's exit (a child's is read after it ends); samples of RSS are the fallback elsewhere.
    """

    def __init__(self, pid: int, interval: float = 0.1) -> None:
        import psutil

        self._process = psutil.Process(pid)
        self._proc = Path(f"/proc/{pid}")
        self._interval = interval
        self._sampled_peak = 0
        self._sampled_window_peak = 0
        self._earlier_windows_peak = 0  # kernel peaks of windows already reset
        self._kernel_resets = self._reset_kernel_peak()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._sample, name="rss-sampler", daemon=True)
        self._thread.start()

    @property
    def peak(self) -> int:
        """The peak since the process started being watched."""
        return max(self._sampled_peak, self._earlier_windows_peak, self._kernel_peak())

    @property
    def window_peak(self) -> int:
        """The peak since the last `reset_window`."""
        kernel = self._kernel_peak() if self._kernel_resets else 0
        return max(self._sampled_window_peak, kernel)

    def reset_window(self) -> None:
        self._earlier_windows_peak = max(self._earlier_windows_peak, self._kernel_peak())
        self._kernel_resets = self._reset_kernel_peak()
        self._sampled_window_peak = self.current()

    def current(self) -> int:
        try:
            return int(self._process.memory_info().rss)
        except Exception:
            return 0

    def stop(self) -> None:
        self._stop.set()
        self._thread.join()

    def _kernel_peak(self) -> int:
        try:
            for line in (self._proc / "status").read_text().splitlines():
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) * 1024
        except (OSError, ValueError, IndexError):
            pass
        return 0

    def _reset_kernel_peak(self) -> bool:
        try:
            (self._proc / "clear_refs").write_text("5")
        except OSError:
            return False
        return True

    def _sample(self) -> None:
        while not self._stop.is_set():
            rss = self.current()
            self._sampled_peak = max(self._sampled_peak, rss, self._kernel_peak())
            self._sampled_window_peak = max(self._sampled_window_peak, rss)
            self._stop.wait(self._interval)


def mib(nbytes: int) -> float:
    return round(nbytes / 2**20, 1)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def run_child(module: str, arguments: Mapping[str, Any], timeout: float = 3600) -> dict[str, Any]:
    """`python -m module JSON`: the JSON object it prints last on stdout, plus its peak RSS (MiB)."""
    process = subprocess.Popen(
        [sys.executable, "-m", module, json.dumps(dict(arguments))],
        cwd=REPO,
        env={**os.environ, "HF_HUB_OFFLINE": "1", "TOKENIZERS_PARALLELISM": "false"},
        stdout=subprocess.PIPE,
    )
    sampler = RssSampler(process.pid)
    try:
        stdout, _ = process.communicate(timeout=timeout)
    finally:
        sampler.stop()
        if process.poll() is None:
            process.kill()
    if process.returncode != 0:
        raise RuntimeError(f"{module} exited with code {process.returncode}")
    result = json.loads(stdout.decode().strip().splitlines()[-1])
    result["peak_rss_mib"] = mib(sampler.peak)
    return result


@contextlib.contextmanager
def serve(env: Mapping[str, str], log_path: Path, timeout: float = 600) -> Iterator[tuple[str, int, RssSampler]]:
    """`embedrank serve` on a free loopback port, its output in `log_path`; yields (host, port, RSS sampler)."""
    port = free_port()
    full_env = {
        **os.environ, "HF_HUB_OFFLINE": "1", "LOG_LEVEL": "WARNING", **env, "HOST": "127.0.0.1", "PORT": str(port),
    }  # fmt: skip
    with log_path.open("wb") as log:
        process = subprocess.Popen(
            [sys.executable, "-m", "entrypoints.cli", "serve"], cwd=REPO, env=full_env, stdout=log, stderr=log
        )
        sampler = RssSampler(process.pid)
        try:
            _wait_ready(f"http://127.0.0.1:{port}/ready", process, timeout, log_path)
            yield "127.0.0.1", port, sampler
        finally:
            sampler.stop()
            _stop(process)


def _wait_ready(url: str, process: subprocess.Popen[bytes], timeout: float, log_path: Path) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            tail = log_path.read_text(errors="replace")[-2000:]
            raise RuntimeError(f"the server exited with code {process.returncode} before it was ready:\n{tail}")
        with contextlib.suppress(urllib.error.URLError, OSError), urllib.request.urlopen(url, timeout=2) as answer:
            if answer.status == 200:
                return
        time.sleep(0.2)
    raise TimeoutError(f"{url} was not ready within {timeout:.0f}s")


def _stop(process: subprocess.Popen[bytes]) -> None:
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
