"""The bench's time budget: points shrink to fit, and what no longer fits is skipped by name."""

from __future__ import annotations

from bench.budget import MIN_POINT_S, Budget


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_points_get_what_they_ask_or_their_share_of_what_is_left() -> None:
    clock = Clock()
    budget = Budget.of(100, clock=clock)
    assert budget.point_seconds(8, points_left=5) == 8
    assert budget.point_seconds(8, points_left=5, reserve=80) == 4, "20 s left for 5 points"
    clock.now += 99
    assert budget.point_seconds(8, points_left=1) == 1
    clock.now += 1 - MIN_POINT_S / 2
    assert budget.point_seconds(8, points_left=1) is None, "too short to measure anything"


def test_work_that_no_longer_fits_is_named() -> None:
    clock = Clock()
    budget = Budget.of(60, clock=clock)
    assert budget.allows("parity", 30)
    clock.now += 40
    assert not budget.allows("reranker", 30)
    assert budget.allows("gemm", 10, reserve=5)
    assert budget.skipped == ["reranker"]
    assert budget.left() == 20
