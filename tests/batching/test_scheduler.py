"""The scheduler is invisible to results, keeps its bounds and drops abandoned work."""

from __future__ import annotations

import asyncio
import random
import time
from collections.abc import Iterator

import pytest

from adapters.batching import BatchingOptions, BatchScheduler
from adapters.batching.plan import padded_tokens
from adapters.engines.fake import hash_vector
from tests.batching.fake_runner import RecordingRunner

Scheduler = BatchScheduler[str, list[float]]


def mixed_requests(count: int, seed: int = 7) -> list[list[str]]:
    rng = random.Random(seed)
    return [
        [" ".join(f"w{rng.randint(0, 999)}" for _ in range(rng.randint(1, 120))) for _ in range(rng.randint(1, 8))]
        for _ in range(count)
    ]


def make(runner: RecordingRunner, *, budget: int = 2048, rows: int = 16, packed: bool = False) -> Scheduler:
    options = BatchingOptions(token_budget=budget, lookahead=128, packed=packed)
    return BatchScheduler(runner, name="test", max_rows=rows, options=options)


async def submit(scheduler: Scheduler, runner: RecordingRunner, request: list[str]) -> list[list[float]]:
    """Tokenise as the serving core does (the runner records it), then hand the rows to the scheduler."""
    return await scheduler.submit(runner.prepare(request))


@pytest.fixture
def runner() -> Iterator[RecordingRunner]:
    runner = RecordingRunner()
    yield runner
    runner.gate.set()


async def wait_for(condition, timeout: float = 10) -> None:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "condition not reached"
        await asyncio.sleep(0.002)


@pytest.mark.parametrize("packed", [False, True], ids=["padded", "packed"])
def test_500_concurrent_requests_equal_one_at_a_time(packed: bool) -> None:
    requests = mixed_requests(500)
    runner = RecordingRunner(run_seconds=0.002)
    scheduler = make(runner, packed=packed)

    async def scenario() -> tuple[list, list]:  # type: ignore[type-arg]
        together = await asyncio.gather(*(submit(scheduler, runner, r) for r in requests))
        alone = [await submit(scheduler, runner, r) for r in requests]
        await scheduler.close()
        return together, alone

    together, alone = asyncio.run(scenario())
    for request, batched, single in zip(requests, together, alone, strict=True):
        assert batched == single == [hash_vector(text, 16) for text in request]
    # It did batch across requests, within the budget and the row cap, every row exactly once.
    shared = [b for b in runner.batches[:200] if len({row for row in b}) > 1]
    assert shared and max(len(b) for b in runner.batches) > 8
    cost = sum if packed else padded_tokens  # what the budget counts
    assert all(len(b) <= 16 and (len(b) == 1 or cost([len(r.split()) for r in b]) <= 2048)
               for b in runner.batches)  # fmt: skip
    assert sorted(runner.rows_run) == sorted([t for r in requests for t in r] * 2)


@pytest.mark.parametrize("packed", [False, True], ids=["padded", "packed"])
def test_the_oldest_waiting_item_is_in_every_batch(runner: RecordingRunner, packed: bool) -> None:
    requests = mixed_requests(60, seed=3)
    order = {text: n for n, text in enumerate(t for r in [["first"], *requests] for t in r)}

    async def scenario() -> None:
        scheduler = make(runner, budget=512, rows=4, packed=packed)
        runner.gate.clear()
        first = asyncio.ensure_future(submit(scheduler, runner, ["first"]))
        await asyncio.to_thread(runner.running.wait, 10)
        rest = [asyncio.ensure_future(submit(scheduler, runner, r)) for r in requests]
        await wait_for(lambda: len(runner.prepared) == len(requests) + 1)
        runner.gate.set()
        await asyncio.gather(first, *rest)
        await scheduler.close()

    asyncio.run(scenario())
    done: set[str] = set()
    for batch in runner.batches:
        oldest_waiting = min((t for t in order if t not in done), key=order.__getitem__)
        assert oldest_waiting in batch
        done.update(batch)


def test_a_cancelled_request_never_reaches_the_model(runner: RecordingRunner) -> None:
    async def scenario() -> None:
        scheduler = make(runner)
        runner.gate.clear()
        first = asyncio.ensure_future(submit(scheduler, runner, ["first"]))
        await asyncio.to_thread(runner.running.wait, 10)
        gone = asyncio.ensure_future(submit(scheduler, runner, ["client went away", "and this"]))
        kept = asyncio.ensure_future(submit(scheduler, runner, ["still wanted"]))
        await wait_for(lambda: len(runner.prepared) == 3)
        gone.cancel()
        await asyncio.sleep(0)
        runner.gate.set()
        await asyncio.gather(first, kept)
        assert gone.cancelled()
        await scheduler.close()

    asyncio.run(scenario())
    assert "client went away" not in runner.rows_run and "and this" not in runner.rows_run
    assert "still wanted" in runner.rows_run


def test_failures_reach_only_their_requests(runner: RecordingRunner) -> None:
    async def scenario() -> None:
        scheduler = make(runner)
        with pytest.raises(RuntimeError, match="model failure"):
            await submit(scheduler, runner, ["explode"])
        assert await submit(scheduler, runner, ["after that"]) == [hash_vector("after that", 16)]
        assert await submit(scheduler, runner, []) == []
        await scheduler.close()

    asyncio.run(scenario())


def test_close_finishes_accepted_work(runner: RecordingRunner) -> None:
    async def scenario() -> None:
        scheduler = make(runner)
        pending = [asyncio.ensure_future(submit(scheduler, runner, [f"t{i}"])) for i in range(20)]
        await asyncio.sleep(0)
        await scheduler.close()
        assert all(len(p.result()) == 1 for p in pending)

    asyncio.run(scenario())


def test_the_runner_tidies_up_once_per_lull(runner: RecordingRunner) -> None:
    async def scenario() -> None:
        options = BatchingOptions(idle_seconds=0.05)
        scheduler: Scheduler = BatchScheduler(runner, name="test", max_rows=8, options=options)
        await asyncio.sleep(0.2)
        assert runner.idle_calls == 0, "no work yet, nothing to tidy"
        await submit(scheduler, runner, ["a b"])
        await wait_for(lambda: runner.idle_calls == 1)
        await asyncio.sleep(0.2)
        assert runner.idle_calls == 1, "once per lull, not every idle interval"
        await scheduler.close()

    asyncio.run(scenario())


def test_a_lone_batch_runs_on_the_first_model_thread_the_others_help_while_it_is_busy() -> None:
    runner = RecordingRunner()
    options = BatchingOptions(model_threads=2)
    scheduler: Scheduler = BatchScheduler(runner, name="test", max_rows=1, options=options)

    async def scenario() -> None:
        for n in range(200):  # each caller hears back only once the first thread is free again
            await submit(scheduler, runner, [f"alone {n}"])
        assert set(runner.batch_threads) == {"test-model-0"}, "an engine gives the first thread every core"
        runner.gate.clear()
        first = asyncio.ensure_future(submit(scheduler, runner, ["held"]))
        await wait_for(runner.running.is_set)
        runner.running.clear()
        second = asyncio.ensure_future(submit(scheduler, runner, ["helped"]))
        await wait_for(runner.running.is_set)  # taken while the first model thread is still held
        runner.gate.set()
        await asyncio.gather(first, second)
        await scheduler.close()

    asyncio.run(scenario())
    helped = runner.batches.index(["helped"])
    assert runner.batch_threads[helped] == "test-model-1"
