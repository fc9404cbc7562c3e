"""X-Request-Id on every response and every log line of its request (asgi-correlation-id).

The client's own id is kept when it is a short, plain token: it is echoed into headers and logs.
"""

from __future__ import annotations

import re

from asgi_correlation_id import CorrelationIdMiddleware
from litestar.types import ASGIApp

HEADER = "X-Request-Id"
_SANE = re.compile(r"[A-Za-z0-9][A-Za-z0-9._:-]{0,127}")


def sane(value: str) -> bool:
    return _SANE.fullmatch(value) is not None


def with_request_ids(app: ASGIApp) -> ASGIApp:
    return CorrelationIdMiddleware(app, header_name=HEADER, validator=sane)  # type: ignore[arg-type,return-value]
