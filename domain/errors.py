"""Domain errors. One table in the entrypoints maps each to an HTTP status and an OpenAI error type."""

from __future__ import annotations


class EmbedRankError(Exception):
    """Base class. `message` is safe to show to clients; `param` names the offending field."""

    def __init__(self, message: str, *, param: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.param = param


class InvalidInput(EmbedRankError):
    """The request can never succeed as sent."""


class ModelNotFound(EmbedRankError):
    """No served model has that id."""


class CapabilityNotSupported(EmbedRankError):
    """The model exists but cannot do what was asked (rerank with a model that cannot)."""


class Overloaded(EmbedRankError):
    """Too much queued work: retry later."""

    def __init__(self, message: str, *, retry_after: float = 1.0, param: str | None = None) -> None:
        super().__init__(message, param=param)
        self.retry_after = retry_after


class Unavailable(EmbedRankError):
    """The engine cannot serve now (loading, draining, or failed)."""


class EngineFailed(Unavailable):
    """The engine died (its worker is gone): nothing will succeed until the process is replaced.

    Adapters raise it instead of a plain Unavailable so readiness can turn 503 for good.
    """


class DeadlineExceeded(EmbedRankError):
    """The request did not finish within its deadline."""


class NonFiniteOutput(EmbedRankError):
    """The model produced NaN or infinity; never sent to a client as a result."""
