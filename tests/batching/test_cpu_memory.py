"""The CPU memory bounds the engines set before their first forward pass."""

from __future__ import annotations

import ctypes
import ctypes.util
import sys

import pytest

from adapters.engines.heap import ONEDNN_CACHED_SHAPES, bound_cpu_memory, release_free_memory

glibc_only = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="glibc's allocator only")


@glibc_only
def test_onednn_cache_bound_is_visible_to_the_c_library() -> None:
    libc = ctypes.CDLL(ctypes.util.find_library("c"))
    libc.getenv.restype = ctypes.c_char_p
    bound_cpu_memory()
    assert libc.getenv(b"LRU_CACHE_CAPACITY") == ONEDNN_CACHED_SHAPES.encode()


@glibc_only
def test_freed_memory_goes_back_to_the_os() -> None:
    def resident_mib() -> float:
        with open("/proc/self/statm") as statm:
            return int(statm.read().split()[1]) * 4096 / 2**20

    # Many small blocks (below the mmap threshold) stay in the heap after they are freed.
    blocks = [bytearray(64 * 1024) for _ in range(4000)]
    del blocks[:-1]  # keep the top block so the heap cannot simply shrink from its end
    before = resident_mib()
    release_free_memory()
    assert resident_mib() < before - 100
