"""Liveness and readiness that tell the truth."""

from __future__ import annotations

from litestar import Response, get

from application.lifecycle import Lifecycle


@get("/health", summary="Liveness", include_in_schema=True)
async def health() -> dict[str, str]:
    """200 while the process serves."""
    return {"status": "ok"}


@get("/ready", summary="Readiness")
async def ready(lifecycle: Lifecycle) -> Response[dict[str, str | None]]:
    """200 when every model is loaded; 503 while loading, draining, or after an engine failed."""
    state = lifecycle.readiness()
    body = {"status": state.state, "detail": state.detail}
    return Response(body, status_code=200 if state.ready else 503)


@get("/ping", summary="RunPod load-balancer health")
async def ping(lifecycle: Lifecycle) -> Response[dict[str, str] | None]:
    """204 while initialising, 200 when ready (RunPod load-balancer convention)."""
    state = lifecycle.readiness()
    if state.ready:
        return Response({"status": "healthy"}, status_code=200)
    return Response(None, status_code=204 if state.state == "loading" else 503)
