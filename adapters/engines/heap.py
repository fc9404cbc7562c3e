"""Give freed heap memory back to the OS once a burst of work is over.

Batches of ever-different shapes leave glibc's heap fragmented: freed tensors stay in the process
(measured with all-MiniLM-L6-v2: RSS 770 → 1000 MiB over four rounds of the same load). `malloc_trim`
returns the free pages (RSS back to ~510 MiB) but takes 20-60 ms, so it runs only when the engine goes
quiet, never between batches.
"""

from __future__ import annotations

import contextlib
import ctypes
import ctypes.util
import functools
from collections.abc import Callable


@functools.cache
def _malloc_trim() -> Callable[[int], int] | None:
    name = ctypes.util.find_library("c")
    if name is None:
        return None
    with contextlib.suppress(OSError, AttributeError):
        return ctypes.CDLL(name).malloc_trim  # type: ignore[no-any-return]
    return None  # not glibc (musl, macOS): nothing to trim


def release_free_memory() -> None:
    trim = _malloc_trim()
    if trim is not None:
        trim(0)
