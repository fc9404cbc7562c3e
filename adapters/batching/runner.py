"""What an engine gives the batching scheduler: how to tokenise a request and how to run a batch."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Generic, Protocol, TypeVar

RequestT = TypeVar("RequestT")
RowT = TypeVar("RowT")
ResultT = TypeVar("ResultT")
# The protocol's own variance: a runner of broader requests or narrower results still fits.
_RequestIn = TypeVar("_RequestIn", contravariant=True)
_ResultOut = TypeVar("_ResultOut", covariant=True)


@dataclass(frozen=True, slots=True)
class Prepared(Generic[RowT]):
    """One work item after tokenisation: the tokens it will occupy in a batch row, and its row data."""

    length: int
    row: RowT


class BatchRunner(Protocol[_RequestIn, RowT, _ResultOut]):
    """An engine's two steps. Each runs on its own thread, never on the event loop.

    `prepare` may raise a domain error (InvalidInput: too long); it fails only that request.
    `run` gets rows from many requests and returns one result per row, in row order.
    `on_idle` is called on a model thread once per lull (no batch for a while, none running).
    """

    def prepare(self, request: _RequestIn) -> Sequence[Prepared[RowT]]: ...

    def run(self, rows: Sequence[RowT]) -> Sequence[_ResultOut]: ...

    def on_idle(self) -> None: ...
