"""A deterministic BatchRunner for scheduler tests: one word is one token; a row's result depends on it only."""

from __future__ import annotations

import threading
import time
from collections.abc import Sequence

from adapters.batching import Prepared
from adapters.engines.fake import hash_vector
from domain.errors import InvalidInput


class RecordingRunner:
    """Records what was tokenised and every batch the model ran; `gate` can hold the model thread."""

    def __init__(self, *, run_seconds: float = 0.0) -> None:
        self.prepared: list[list[str]] = []
        self.batches: list[list[str]] = []
        self.batch_threads: list[str] = []  # the model thread that ran each batch, in `batches` order
        self.gate = threading.Event()
        self.gate.set()
        self.running = threading.Event()  # set once the model thread is inside `run`
        self._run_seconds = run_seconds
        self.idle_calls = 0

    def prepare(self, request: list[str]) -> list[Prepared[str]]:
        self.prepared.append(request)
        if any(text == "refuse me" for text in request):
            raise InvalidInput("refused in prepare", param="input")
        return [Prepared(len(text.split()), text) for text in request]

    def run(self, rows: Sequence[str]) -> list[list[float]]:
        self.running.set()
        self.gate.wait(timeout=30)
        self.batches.append(list(rows))
        self.batch_threads.append(threading.current_thread().name)
        if "explode" in rows:
            raise RuntimeError("model failure")
        if self._run_seconds:
            time.sleep(self._run_seconds)
        return [hash_vector(row, 16) for row in rows]

    def on_idle(self) -> None:
        self.idle_calls += 1

    @property
    def rows_run(self) -> list[str]:
        return [row for batch in self.batches for row in batch]
