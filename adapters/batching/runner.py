"""What an engine gives the batching scheduler: rows with their token lengths, and how to run a batch."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Generic, Protocol, TypeVar

RowT = TypeVar("RowT")
ResultT = TypeVar("ResultT")
# The protocol's own variance: a runner of broader rows or narrower results still fits.
_RowIn = TypeVar("_RowIn", contravariant=True)
_ResultOut = TypeVar("_ResultOut", covariant=True)


@dataclass(frozen=True, slots=True)
class Prepared(Generic[RowT]):
    """One tokenised item: the tokens it will occupy in a batch row, and its row data."""

    length: int
    row: RowT


class BatchRunner(Protocol[_RowIn, _ResultOut]):
    """An engine's forward step; runs on the scheduler's model threads, never on the event loop.

    `run` gets rows from many requests and returns one result per row, in row order.
    `on_idle` is called on a model thread once per lull (no batch for a while, none running).
    """

    def run(self, rows: Sequence[_RowIn]) -> Sequence[_ResultOut]: ...

    def on_idle(self) -> None: ...
