"""`GET /metrics`: every Prometheus metric of the process (HTTP and engine) in the text format."""

from __future__ import annotations

from litestar import Response, get
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest


@get("/metrics", summary="Prometheus metrics", include_in_schema=False, sync_to_thread=False)
def metrics() -> Response[bytes]:
    """Request counts and latencies by route template, queue depth and wait, tokenisation, inference."""
    return Response(generate_latest(), media_type=CONTENT_TYPE_LATEST)
