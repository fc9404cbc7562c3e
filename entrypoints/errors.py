"""The one error table both servers use: domain error → HTTP status, OpenAI error type and code."""

from __future__ import annotations

import logging
from dataclasses import dataclass

from domain.errors import (
    CapabilityNotSupported,
    DeadlineExceeded,
    EmbedRankError,
    InvalidInput,
    ModelNotFound,
    NonFiniteOutput,
    Overloaded,
    Unavailable,
)
from entrypoints.schemas import ErrorDetail, ErrorOut

log = logging.getLogger(__name__)

GENERIC_MESSAGE = "internal server error; the incident was logged"


@dataclass(frozen=True, slots=True)
class ErrorKind:
    status: int
    type: str
    code: str


TABLE: dict[type[EmbedRankError], ErrorKind] = {
    InvalidInput: ErrorKind(400, "invalid_request_error", "invalid_input"),
    ModelNotFound: ErrorKind(404, "invalid_request_error", "model_not_found"),
    CapabilityNotSupported: ErrorKind(400, "invalid_request_error", "capability_not_supported"),
    Overloaded: ErrorKind(429, "overloaded_error", "overloaded"),
    Unavailable: ErrorKind(503, "service_unavailable", "unavailable"),
    DeadlineExceeded: ErrorKind(504, "timeout_error", "deadline_exceeded"),
    NonFiniteOutput: ErrorKind(500, "server_error", "non_finite_output"),
}
INTERNAL = ErrorKind(500, "server_error", "internal_error")


@dataclass(frozen=True, slots=True)
class MappedError:
    status: int
    body: ErrorOut
    retry_after: float | None = None

    @property
    def message(self) -> str:
        return self.body.error.message


def map_error(exc: BaseException) -> MappedError:
    """The status and OpenAI error body for any exception; unknown ones are logged, never echoed."""
    if isinstance(exc, EmbedRankError):
        kind = next((k for cls, k in TABLE.items() if isinstance(exc, cls)), INTERNAL)
        retry_after = exc.retry_after if isinstance(exc, Overloaded) else None
        return MappedError(kind.status, error_body(exc.message, kind.type, exc.param, kind.code), retry_after)
    log.error("unhandled error", exc_info=exc)
    return MappedError(500, error_body(GENERIC_MESSAGE, INTERNAL.type, None, INTERNAL.code))


def error_body(message: str, type_: str, param: str | None, code: str | None) -> ErrorOut:
    return ErrorOut(error=ErrorDetail(message=message, type=type_, param=param, code=code), detail=message)
