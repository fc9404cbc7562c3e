"""The OpenAPI document: error responses in the OpenAI shape (not Litestar's own), bearer auth when on."""

from __future__ import annotations

from litestar.openapi import OpenAPIConfig, ResponseSpec
from litestar.openapi.spec import Components, SecurityRequirement, SecurityScheme

from entrypoints.schemas import ErrorOut


def _error(description: str) -> ResponseSpec:
    return ResponseSpec(data_container=ErrorOut, description=description, generate_examples=False)


COMMON_ERRORS: dict[int, ResponseSpec] = {
    401: _error("Missing or invalid API key (when API_KEY is set)"),
    503: _error("Loading, draining or an engine failed; retry"),
}
BODY_ERRORS: dict[int, ResponseSpec] = {
    **COMMON_ERRORS,
    400: _error("The request can never succeed as sent (invalid field, too many items or tokens, too deep)"),
    404: _error("Unknown model"),
    413: _error("Body over MAX_BODY_BYTES"),
    415: _error("Body is not JSON"),
    429: _error("The model's queue is full; retry after Retry-After seconds"),
    500: _error("Server fault, e.g. the model produced NaN or infinity"),
    504: _error("Not finished within REQUEST_TIMEOUT"),
}

BEARER = "bearerAuth"


def openapi_config(secured: bool) -> OpenAPIConfig:
    """Served at /schema. Only the auth scheme is described; no key ever appears in the document."""
    if not secured:
        return OpenAPIConfig(title="embedrank", version="0.1.0", path="/schema")
    security: list[SecurityRequirement] = [{BEARER: []}]
    return OpenAPIConfig(
        title="embedrank",
        version="0.1.0",
        path="/schema",
        components=Components(security_schemes={BEARER: SecurityScheme(type="http", scheme="bearer")}),
        security=security,
    )
