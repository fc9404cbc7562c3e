"""Every HTTP error leaves as the OpenAI error JSON: domain errors, Litestar's own, and the unknown."""

from __future__ import annotations

import math
import re
from typing import Any

import msgspec
from litestar import MediaType, Request, Response
from litestar.exceptions import HTTPException, ValidationException

from domain.use_cases.validation import field_of
from entrypoints.errors import error_body, map_error

_TYPES = {401: "authentication_error", 404: "not_found_error", 405: "invalid_request_error",
          413: "request_too_large", 429: "overloaded_error"}  # fmt: skip
_CODES = {401: "invalid_api_key", 404: "not_found", 405: "method_not_allowed", 413: "request_too_large",
          415: "unsupported_media_type", 429: "overloaded"}  # fmt: skip
# Litestar's messages may quote paths or internals; keep only what helps a client.
_UNSAFE = re.compile(r"(/[\w.-]+){2,}|Traceback")


def json_error(status: int, message: str, type_: str, param: str | None, code: str | None, **headers: str) -> Response:
    return Response(
        content=error_body(message, type_, param, code),
        status_code=status,
        media_type=MediaType.JSON,
        headers=headers or None,
    )


def domain_or_unknown_error(_: Request, exc: Exception) -> Response:
    mapped = map_error(exc)
    headers = {"Retry-After": str(max(1, math.ceil(mapped.retry_after)))} if mapped.retry_after else {}
    error = mapped.body.error
    return json_error(mapped.status, error.message, error.type, error.param, error.code, **headers)


def validation_error(_: Request, exc: ValidationException) -> Response:
    message, param = _describe_validation(exc)
    return json_error(400, message, "invalid_request_error", param, "invalid_request")


def http_error(request: Request, exc: HTTPException) -> Response:
    status = exc.status_code
    if status >= 500:
        return domain_or_unknown_error(request, exc)
    detail = exc.detail if isinstance(exc.detail, str) and not _UNSAFE.search(exc.detail) else ""
    if status == 404:
        detail = f"no route {request.method} {request.url.path}; see /schema for the API"
    elif status == 405:
        detail = f"method {request.method} is not allowed on {request.url.path}"
    elif status == 413:
        detail = "request body too large"
    headers = {
        k: v for k, v in (exc.headers or {}).items() if k.lower() in {"retry-after", "allow", "www-authenticate"}
    }
    return json_error(status, detail or "bad request", _TYPES.get(status, "invalid_request_error"), None,
                      _CODES.get(status, "invalid_request"), **headers)  # fmt: skip


def _describe_validation(exc: ValidationException) -> tuple[str, str | None]:
    extra: Any = exc.extra
    if isinstance(extra, list) and extra and isinstance(extra[0], dict):
        first = extra[0]
        key = first.get("key")
        message = str(first.get("message", "invalid request body"))
        if _UNSAFE.search(message):
            message = "invalid request body"
        if key and key != "data":  # "data" is Litestar's name for the whole body
            return f"{message} (at '{key}')", field_of(str(key))
        return message, None
    detail = exc.detail if isinstance(exc.detail, str) else ""
    if "JSON" in detail or "decode" in detail.lower() or "UTF-8" in detail:
        return "request body is not valid JSON (UTF-8)", None
    return "invalid request body: expected a JSON object", None


def undecodable_body(_: Request, exc: Exception) -> Response:
    return json_error(400, "request body is not valid JSON in UTF-8", "invalid_request_error", None, "invalid_json")


EXCEPTION_HANDLERS: dict[Any, Any] = {
    UnicodeDecodeError: undecodable_body,
    msgspec.DecodeError: undecodable_body,
    ValidationException: validation_error,
    HTTPException: http_error,
    Exception: domain_or_unknown_error,
}
