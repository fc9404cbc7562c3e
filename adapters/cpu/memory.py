"""Keep a CPU server's memory bounded under batches of ever-different shapes.

Every new batch shape leaves something behind: oneDNN (bf16 matmuls, fp32 GELU) caches a primitive per
shape, and glibc keeps freed tensors in per-thread arenas. Measured in-process with all-MiniLM-L6-v2 in
bf16, four rounds of the same mixed-length load: RSS 1038 → 1645 MiB by default; with ideep's cache bounded
to 32 shapes per thread and two glibc arenas, 910 → 1145 and 936 → 1346 MiB in two runs, at the same
speed (docs/benchmarks.md).
oneDNN keeps a second, process-wide cache of 1024 primitives by default; a bf16 matmul primitive holds
~250 KiB, so behind the server it grew to ~260 MiB of live heap, and each new entry, made in the middle of
a batch, pinned a hole among freed tensors. Round peaks in bf16 were 1160–1300 MiB; with that cache
bounded to 32 they are 664–678 MiB over five rounds, and the throughput 118–140 → 140–154 texts/s
(creating a primitive again costs less than keeping a thousand). Packed BERT's GELU runs inside its matmul
(onednn_linear.py), so it makes no primitive per shape of its own. Its bf16 attention does (a bmm per
chunk shape, ~0.3 ms to create), and two model threads, each with a group's shapes in use, need more than
32: with 32 every layer created them anew (1404 creations for 800 texts on one thread; 284 with 64).
128 holds both threads' shapes; bf16 server 174–180 → 180–195 texts/s in alternating runs.
`malloc_trim` returns free pages to the OS but takes 20-60 ms, so it runs only when the engine goes
quiet, never between batches.
"""

from __future__ import annotations

import contextlib
import ctypes
import ctypes.util
import functools
import os
from typing import Any

M_ARENA_MAX = -8  # glibc's mallopt parameter number
ARENAS = 2
ONEDNN_CACHED_SHAPES = "32"  # ideep's cache, per thread
ONEDNN_CACHED_PRIMITIVES = "128"  # oneDNN's own cache, per process


@functools.cache
def _libc() -> Any:
    name = ctypes.util.find_library("c")
    if name is None:
        return None
    with contextlib.suppress(OSError):
        libc = ctypes.CDLL(name)
        if hasattr(libc, "malloc_trim") and hasattr(libc, "mallopt"):
            return libc
    return None  # not glibc (musl, macOS): its allocator is left alone


def bound_cpu_memory() -> None:
    """Call before the first forward pass on a CPU (later calls change nothing more)."""
    # Read by ideep (oneDNN inside torch) when its per-thread cache is first created; putenv sets it
    # for the C library without touching the settings, which come only from application/.
    os.putenv("LRU_CACHE_CAPACITY", ONEDNN_CACHED_SHAPES)
    # Read by oneDNN when its primitive cache is first used.
    os.putenv("ONEDNN_PRIMITIVE_CACHE_CAPACITY", ONEDNN_CACHED_PRIMITIVES)
    libc = _libc()
    if libc is not None:
        libc.mallopt(M_ARENA_MAX, ARENAS)


def release_free_memory() -> None:
    libc = _libc()
    if libc is not None:
        libc.malloc_trim(0)
