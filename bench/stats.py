"""One measured run and the numbers it reports."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from typing import Any


def percentile(values: Sequence[float], q: float) -> float:
    """Linear interpolation between closest ranks (numpy's default), without numpy."""
    if not values:
        return math.nan
    ordered = sorted(values)
    position = (len(ordered) - 1) * q / 100
    low, high = math.floor(position), math.ceil(position)
    return ordered[low] + (ordered[high] - ordered[low]) * (position - low)


@dataclass(slots=True, kw_only=True)
class Measurement:
    """Texts and real tokens done in `seconds`, with per-request latencies (seconds)."""

    mode: str  # engine | http | infinity | qwen3 | onnx
    label: str
    dtype: str = "fp32"
    concurrency: int | None = None
    texts: int
    tokens: int
    seconds: float
    latencies: list[float] = field(default_factory=list, repr=False)
    peak_rss_mib: float | None = None
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def texts_per_s(self) -> float:
        return self.texts / self.seconds if self.seconds else 0.0

    @property
    def tokens_per_s(self) -> float:
        return self.tokens / self.seconds if self.seconds else 0.0

    def to_json(self) -> dict[str, Any]:
        data = asdict(self)
        data.pop("latencies")
        data.update(
            texts_per_s=round(self.texts_per_s, 2),
            tokens_per_s=round(self.tokens_per_s, 1),
            p50_ms=_ms(percentile(self.latencies, 50)),
            p99_ms=_ms(percentile(self.latencies, 99)),
            requests=len(self.latencies),
        )
        return data

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Measurement:
        names = {"mode", "label", "dtype", "concurrency", "texts", "tokens", "seconds", "latencies", "peak_rss_mib"}
        return cls(**{k: v for k, v in data.items() if k in names}, extra=data.get("extra", {}))


def _ms(seconds: float) -> float | None:
    return None if math.isnan(seconds) else round(seconds * 1000, 2)
