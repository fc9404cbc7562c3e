"""The batch planners' rules: token budget, row cap, the oldest item first, similar lengths together (padded)."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from adapters.batching.plan import padded_tokens, plan_batch, plan_packed_batch

lengths_lists = st.lists(st.integers(min_value=1, max_value=600), min_size=1, max_size=300)


@settings(max_examples=300, deadline=None)
@given(lengths=lengths_lists, budget=st.integers(min_value=16, max_value=20_000), rows=st.integers(1, 64))
def test_budget_rows_and_the_oldest_item(lengths: list[int], budget: int, rows: int) -> None:
    chosen = plan_batch(lengths, token_budget=budget, max_rows=rows)
    assert 0 in chosen, "the oldest item is always in the next batch"
    assert chosen == sorted(set(chosen)) and all(0 <= i < len(lengths) for i in chosen)
    assert len(chosen) <= rows
    if len(chosen) > 1:  # only an item longer than the whole budget may exceed it, and then runs alone
        assert padded_tokens([lengths[i] for i in chosen]) <= budget


@settings(max_examples=200, deadline=None)
@given(lengths=lengths_lists)
def test_padding_stays_within_the_efficiency_floor(lengths: list[int]) -> None:
    chosen = plan_batch(lengths, token_budget=100_000, max_rows=64, min_efficiency=0.8)
    rows = [lengths[i] for i in chosen]
    assert len(rows) == 1 or sum(rows) >= 0.8 * padded_tokens(rows)


def test_similar_lengths_are_grouped() -> None:
    lengths = [100, 10, 250, 98, 12, 103, 251, 11, 99, 249]
    assert plan_batch(lengths, token_budget=10_000, max_rows=4) == [0, 3, 5, 8]
    # The long oldest item takes the other long ones, not the short ones.
    assert plan_batch([250, 10, 251, 12, 249], token_budget=10_000, max_rows=8) == [0, 2, 4]


def test_the_budget_is_filled_with_neighbours_in_length() -> None:
    lengths = [64] * 40
    assert len(plan_batch(lengths, token_budget=64 * 16, max_rows=32)) == 16
    assert len(plan_batch(lengths, token_budget=64 * 100, max_rows=32)) == 32


def test_an_item_longer_than_the_budget_runs_alone() -> None:
    assert plan_batch([5000, 10, 10], token_budget=1024, max_rows=8) == [0]


def test_nothing_waiting_means_no_batch() -> None:
    assert plan_batch([], token_budget=1024, max_rows=8) == []


@settings(max_examples=300, deadline=None)
@given(lengths=lengths_lists, budget=st.integers(min_value=16, max_value=20_000), rows=st.integers(1, 64))
def test_a_packed_batch_fills_the_budget_with_real_tokens_oldest_first(
    lengths: list[int], budget: int, rows: int
) -> None:
    chosen = plan_packed_batch(lengths, token_budget=budget, max_rows=rows)
    assert chosen[0] == 0, "the oldest item is always in the next batch"
    assert chosen == sorted(set(chosen)) and len(chosen) <= rows
    tokens = sum(lengths[i] for i in chosen)
    assert len(chosen) == 1 or tokens <= budget
    if len(chosen) < rows:  # full: every item left out of the window would have overflowed the budget
        passed = [i for i in range(chosen[-1]) if i not in chosen]
        assert all(sum(lengths[j] for j in chosen if j < i) + lengths[i] > budget for i in passed)
        assert all(tokens + lengths[i] > budget for i in range(chosen[-1] + 1, len(lengths)))


def test_a_packed_batch_takes_every_length_in_arrival_order() -> None:
    lengths = [100, 10, 250, 98, 12, 103, 251, 11, 99, 249]
    assert plan_packed_batch(lengths, token_budget=10_000, max_rows=4) == [0, 1, 2, 3]
    assert plan_packed_batch(lengths, token_budget=400, max_rows=8) == [0, 1, 2, 4, 7], "what fits, passed items wait"
    assert plan_packed_batch([5000, 10, 10], token_budget=1024, max_rows=8) == [0], "too long for the budget: alone"
    assert plan_packed_batch([], token_budget=1024, max_rows=8) == []


def test_the_auto_token_budget_is_big_on_a_gpu_and_smaller_for_big_models_on_a_cpu() -> None:
    from adapters.batching.options import auto_token_budget

    assert auto_token_budget(0, "cpu", 600_000_000) == 2048, "Qwen3-0.6B on a CPU"
    assert auto_token_budget(0, "cpu", 22_700_000) == 8192, "all-MiniLM-L6-v2 on a CPU"
    assert auto_token_budget(0, "cuda", 600_000_000) == 32_768, "a GPU: big batches hide the host's work"
    assert auto_token_budget(0, "cuda:1", 22_700_000) == 32_768
    assert auto_token_budget(2048, "cuda", 600_000_000) == 2048
    assert auto_token_budget(4096, "cpu", 600_000_000) == 4096, "an explicit budget is kept"
