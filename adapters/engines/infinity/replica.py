"""What we change in an infinity model replica: our padder as `encode_pre`, and crash reporting.

infinity runs `encode_pre`, `encode_core` and `encode_post` on its own worker threads; an exception
there ends the thread and leaves every waiting caller hanging, so each stage reports it first.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

from adapters.engines.infinity.tokens import padding_encode_pre


def instrument(replica: Any, tokenizer: Any, on_crash: Callable[[BaseException], None]) -> None:
    """Swap in our padder for `encode_pre` and report any exception of the three stages."""
    replica.encode_pre = padding_encode_pre(tokenizer)
    for stage in ("encode_pre", "encode_core", "encode_post"):
        setattr(replica, stage, _reporting(getattr(replica, stage), on_crash))


def _reporting(fn: Callable[..., Any], on_crash: Callable[[BaseException], None]) -> Callable[..., Any]:
    @functools.wraps(fn)
    def stage(*args: Any, **kwargs: Any) -> Any:
        try:
            return fn(*args, **kwargs)
        except Exception as exc:
            on_crash(exc)
            raise

    return stage
