"""Sharing a CPU's cores between the model threads of one engine.

On a CPU one forward pass on all cores wastes some of them (torch's threads wait for each other, and
the Python between operators runs on one core), so the engine runs two batches at once: measured +14%
texts/s for all-MiniLM-L6-v2 on 2 cores.

Only one thread, the owner, ever runs torch on more than one core. libgomp (torch's OpenMP) gives every
thread that runs a parallel region a team of workers that lives as long as that thread; once the teams
of a process hold more threads than there are cores, every worker stops spin-waiting between parallel
regions and sleeps instead, and each of the hundreds of regions in a forward pays a wake-up. Measured: an
idle second team made a lone all-MiniLM-L6-v2 forward 13.5 → 17–19 ms on 2 cores. So the owner's team
is the only one: the owner runs on every core the other model threads leave free, the others on one
core each (no team at all). The batching scheduler gives a lone batch to its first model thread, which
becomes the owner with the first batch it runs.

Threads never outnumber cores: another thread's forward waits while the owner runs on every core
(an OpenMP team with a preempted member stalls at each barrier: the owner's batch ran at 95 instead
of 160 GFLOP/s beside one more thread, Qwen3-0.6B shape, bf16). The owner's next forward then leaves it
its core.

torch.set_num_threads is per calling thread for OpenMP and MKL (it sets the thread's own ICV), so each
model thread sets its own count before each batch.
"""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Iterator


def auto_model_threads(requested: int, device: str) -> int:
    """`requested`, or when 0: two on a CPU with at least two cores, one on an accelerator."""
    if requested > 0:
        return requested
    import torch

    return 2 if device == "cpu" and torch.get_num_threads() >= 2 else 1


class CoreShare:
    """Torch threads for each forward: the owner thread gets the cores the others leave; others get one.

    `cores=None` (one model thread, or a GPU) leaves torch's thread count alone.
    """

    def __init__(self, cores: int | None) -> None:
        self._cores = cores
        self._owner: int | None = None  # the thread that runs on many cores: the first to run a forward
        self._others_running = 0  # forwards of other threads, running or waiting for their core
        self._others_started = 0  # of those, the ones running now (one torch thread each)
        self._owner_threads = 0  # torch threads of the owner's forward now running (0: none)
        self._changed = threading.Condition()

    @classmethod
    def for_engine(cls, device: str, model_threads: int) -> CoreShare:
        if device != "cpu" or model_threads < 2:
            return cls(None)
        import torch

        return cls(torch.get_num_threads())

    @contextlib.contextmanager
    def share(self) -> Iterator[None]:
        cores = self._cores
        if cores is None:
            yield
            return
        import torch

        me = threading.get_ident()
        with self._changed:
            if self._owner is None:
                self._owner = me
            owner = self._owner == me
            if owner:
                threads = self._owner_threads = max(1, cores - self._others_running)
            else:
                threads = 1
                self._others_running += 1
                self._changed.wait_for(lambda: self._owner_threads + self._others_started < cores)
                self._others_started += 1
        torch.set_num_threads(threads)
        try:
            yield
        finally:
            with self._changed:
                if owner:
                    self._owner_threads = 0
                else:
                    self._others_running -= 1
                    self._others_started -= 1
                self._changed.notify_all()
