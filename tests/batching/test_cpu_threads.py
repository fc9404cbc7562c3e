"""CPU threads: one model thread owns torch's multi-core team, and models load on a thread that ends.

Why: libgomp keeps a team of OpenMP workers for every thread that ran torch on several cores, and once the
teams outnumber the cores every forward pass slows down (adapters/cpu/core_share.py).
"""

from __future__ import annotations

import asyncio
import threading
import time
from collections.abc import Callable

import pytest

from adapters.cpu.core_share import CoreShare
from adapters.own_thread import run_in_own_thread

torch = pytest.importorskip("torch")


def holder(share: CoreShare, grants: list[int], entered: threading.Event, hold: threading.Event) -> Callable[[], None]:
    """A forward on a model thread: records the torch threads it was given, then holds its share."""

    def forward() -> None:
        with share.share():
            grants.append(int(torch.get_num_threads()))
            entered.set()
            assert hold.wait(timeout=10)

    return forward


def test_the_first_thread_owns_the_cores_the_others_leave_and_the_others_get_one_each() -> None:
    share = CoreShare(4)
    owner_grants: list[int] = []
    other_grants: list[int] = []
    owner_in, owner_hold, owner_again, owner_hold_again = (threading.Event() for _ in range(4))
    other_in, other_hold = threading.Event(), threading.Event()

    def owner_thread() -> None:
        holder(share, owner_grants, owner_in, owner_hold)()  # alone
        holder(share, owner_grants, owner_again, owner_hold_again)()  # while the other runs

    owner = threading.Thread(target=owner_thread)
    owner.start()
    assert owner_in.wait(timeout=10)
    other = threading.Thread(target=holder(share, other_grants, other_in, other_hold))
    other.start()
    assert not other_in.wait(timeout=0.3), "no forward starts while the owner runs on every core"
    owner_hold.set()
    assert other_in.wait(timeout=10) and owner_again.wait(timeout=10)
    for event in (other_hold, owner_hold_again):
        event.set()
    owner.join(timeout=10)
    other.join(timeout=10)
    assert owner_grants == [4, 3], "alone every core; beside another forward, all but the one it uses"
    assert other_grants == [1], "a thread other than the owner never starts a team of its own"


def test_threads_never_outnumber_the_cores() -> None:
    share = CoreShare(2)
    grants: list[int] = []
    owner_in, owner_hold, owner_alive = threading.Event(), threading.Event(), threading.Event()

    def owner_thread() -> None:  # one forward, then it stays alive (it is the owner for good)
        holder(share, grants, owner_in, owner_hold)()
        owner_alive.wait(timeout=10)

    owner = threading.Thread(target=owner_thread)
    owner.start()
    assert owner_in.wait(timeout=10)
    owner_hold.set()
    entered = [threading.Event() for _ in range(3)]
    holds = [threading.Event() for _ in range(3)]
    others = [threading.Thread(target=holder(share, grants, e, h)) for e, h in zip(entered, holds, strict=True)]
    for thread in others:
        thread.start()
    deadline = time.monotonic() + 10
    while sum(e.is_set() for e in entered) < 2 and time.monotonic() < deadline:
        time.sleep(0.01)
    time.sleep(0.3)
    assert sum(e.is_set() for e in entered) == 2, "two one-core forwards fill two cores; the third waits"
    first_done = next(k for k, e in enumerate(entered) if e.is_set())
    holds[first_done].set()
    assert all(e.wait(timeout=10) for e in entered)
    for hold in holds:
        hold.set()
    owner_alive.set()
    for thread in [*others, owner]:
        thread.join(timeout=10)
    assert grants == [2, 1, 1, 1]


def test_one_model_thread_or_a_gpu_leaves_torch_alone() -> None:
    before = torch.get_num_threads()
    with CoreShare.for_engine("cuda", 2).share(), CoreShare.for_engine("cpu", 1).share():
        assert torch.get_num_threads() == before


def test_work_on_its_own_thread_returns_raises_and_the_thread_ends() -> None:
    names: list[str] = []

    def work() -> int:
        names.append(threading.current_thread().name)
        return 42

    def fail() -> int:
        raise ValueError("bad checkpoint")

    async def scenario() -> None:
        assert await run_in_own_thread(work, name="load-test") == 42
        with pytest.raises(ValueError, match="bad checkpoint"):
            await run_in_own_thread(fail, name="load-fail")

    asyncio.run(scenario())
    assert names == ["load-test"]
    deadline = time.monotonic() + 10
    while any(t.name in ("load-test", "load-fail") for t in threading.enumerate()):
        assert time.monotonic() < deadline, "the threads end once their work is done"
        time.sleep(0.01)
