"""The CPU memory bounds the engines set before their first forward pass."""

from __future__ import annotations

import ctypes
import ctypes.util
import os
import subprocess
import sys
import textwrap

import pytest

from adapters.cpu.memory import (
    ONEDNN_CACHED_PRIMITIVES,
    ONEDNN_CACHED_SHAPES,
    bound_cpu_memory,
    release_free_memory,
)

glibc_only = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="glibc's allocator only")


@glibc_only
def test_onednn_cache_bound_is_visible_to_the_c_library() -> None:
    libc = ctypes.CDLL(ctypes.util.find_library("c"))
    libc.getenv.restype = ctypes.c_char_p
    bound_cpu_memory()
    assert libc.getenv(b"LRU_CACHE_CAPACITY") == ONEDNN_CACHED_SHAPES.encode()
    assert libc.getenv(b"ONEDNN_PRIMITIVE_CACHE_CAPACITY") == ONEDNN_CACHED_PRIMITIVES.encode()


# Heap bytes in use (glibc's mallinfo2) gained over `work`, in a fresh interpreter: oneDNN's caches are
# process-wide and are sized once, so each measurement needs its own process.
GROWTH_PROBE = """
import ctypes, torch
from adapters.cpu.memory import bound_cpu_memory
from adapters.cpu.onednn_linear import prepacked_linear

class Info(ctypes.Structure):  # glibc's struct mallinfo2; uordblks: bytes allocated and not freed
    _fields_ = [(name, ctypes.c_size_t) for name in (
        "arena", "ordblks", "smblks", "hblks", "hblkhd", "usmblks", "fsmblks", "uordblks", "fordblks", "keepcost")]

libc = ctypes.CDLL(None)
libc.mallinfo2.restype = Info
torch.set_num_threads(1)
torch.manual_seed(0)
inputs = [torch.randn(rows, 64) for rows in range(300, 300 + {shapes})]  # a new shape each
dense = torch.nn.Linear(64, 256)
{setup}
with torch.inference_mode():
    for x in [torch.randn(299, 64)] + [None] + inputs:  # one shape to warm up, then measure
        if x is None:
            before = libc.mallinfo2().uordblks
            continue
        {work}
print((libc.mallinfo2().uordblks - before) / 2**20)
"""


BOUNDS = ("LRU_CACHE_CAPACITY", "ONEDNN_PRIMITIVE_CACHE_CAPACITY")


def heap_growth_mib(work: str, setup: str = "", shapes: int = 200) -> float:
    script = textwrap.dedent(GROWTH_PROBE).format(work=work, setup=setup, shapes=shapes)
    # os.environ, not the C environment, which bound_cpu_memory may have set in this process already.
    env = {name: value for name, value in os.environ.items() if name not in BOUNDS}
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=300, check=True, env=env
    )
    return float(done.stdout.strip().splitlines()[-1])


def gelu_growth_mib(work: str, setup: str = "", shapes: int = 200) -> float:
    """What `work` keeps beyond the Linear layer before it (MKL keeps a little per shape of its own)."""
    return heap_growth_mib(work, setup, shapes) - heap_growth_mib("dense(x)", setup, shapes)


@glibc_only
def test_onednn_keeps_a_bounded_number_of_primitives() -> None:
    pytest.importorskip("torch")
    # fp32 GELU goes to oneDNN, which caches a primitive (~27 KiB) per new shape: bounded, it keeps
    # ONEDNN_CACHED_PRIMITIVES of them, so 200 more shapes after the first 200 add nothing; by default
    # (1024) they add ~5 MiB.
    gelu = "torch.nn.functional.gelu(dense(x))"
    unbounded = gelu_growth_mib(gelu, shapes=400) - gelu_growth_mib(gelu, shapes=200)
    bound = "bound_cpu_memory()"
    bounded = gelu_growth_mib(gelu, bound, shapes=400) - gelu_growth_mib(gelu, bound, shapes=200)
    assert unbounded > 2.0
    assert bounded < unbounded / 3


@glibc_only
def test_prepacked_matmuls_with_fused_gelu_stay_bounded_under_new_shapes() -> None:
    pytest.importorskip("torch")
    setup = "bound_cpu_memory()\nrun = prepacked_linear(dense.weight, dense.bias, 400)"
    # ~0.4 MiB per fp32 matmul primitive, of which ideep keeps ONEDNN_CACHED_SHAPES (32): no more after 100 shapes.
    work = "run(x, gelu=True)"
    assert heap_growth_mib(work, setup, shapes=200) < 1.2 * heap_growth_mib(work, setup, shapes=100)


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
