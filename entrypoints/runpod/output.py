"""A job's output as the handler hands it to the runpod SDK: a dict whose repr stays short.

runpod 1.12 formats every handler output into log f-strings ("Handler output: ...", "run_job return:
...") before it checks the log level, on the event loop all jobs share. For 2048 vectors of 1024 floats
that repr costs about 1.5 s, twice per job; a preview keeps the log readable and the loop free.
"""

from __future__ import annotations

from typing import Any

_SHOWN = 3  # items of a long list shown in a preview


class JobOutput(dict[str, Any]):
    def __repr__(self) -> str:
        return repr(preview(dict(self)))


def preview(value: Any) -> Any:
    """The value with every list longer than a few items cut to its head and a count."""
    if isinstance(value, dict):
        return {k: preview(v) for k, v in value.items()}
    if isinstance(value, list):
        if len(value) <= _SHOWN + 1:  # cutting one item would save nothing
            return [preview(v) for v in value]
        return [preview(v) for v in value[:_SHOWN]] + [f"... {len(value)} items"]
    if isinstance(value, str) and len(value) > 80:
        return value[:60] + f"... {len(value)} chars"
    return value
