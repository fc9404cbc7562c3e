"""HTTP-side Prometheus metrics. Labels are bounded: route templates, a fixed method set, status codes."""

from __future__ import annotations

from prometheus_client import Counter, Gauge, Histogram

REQUESTS = Counter("embedrank_http_requests_total", "HTTP requests answered", ["method", "route", "status"])
DURATION = Histogram(
    "embedrank_http_request_duration_seconds",
    "Time from the request's arrival to its last response byte",
    ["method", "route"],
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120),
)
IN_FLIGHT = Gauge("embedrank_http_requests_in_flight", "HTTP requests being served")

METHODS = frozenset({"GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS"})
UNMATCHED = "unmatched"
# Not a real HTTP status: the client left before the answer (nginx's convention).
CLIENT_CLOSED = 499
