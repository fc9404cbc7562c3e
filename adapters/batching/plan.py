"""Which waiting items form the next forward batch: a pure function, so its rules are easy to test.

Rules:
- the oldest waiting item is always in the batch (nothing starves: an item at position p of the
  queue runs within p + 1 batches);
- padded tokens (longest row × rows) stay within the token budget, and rows within `max_rows`;
  an item longer than the whole budget runs alone;
- inside the look-ahead window, items of similar length are grouped (length bucketing): starting from
  the oldest item, the batch grows one neighbour at a time in length order, taking whichever neighbour
  adds less padding, and stops before padding would pass `1 - min_efficiency` of the batch.
"""

from __future__ import annotations

from collections.abc import Sequence

# Padding may take at most this share of a batch's tokens; past it the items wait for better company.
DEFAULT_MIN_EFFICIENCY = 0.95


def plan_batch(
    lengths: Sequence[int],
    *,
    token_budget: int,
    max_rows: int,
    min_efficiency: float = DEFAULT_MIN_EFFICIENCY,
) -> list[int]:
    """Indices into `lengths` (the look-ahead window in arrival order; 0 is the oldest) of the next batch."""
    if not lengths:
        return []
    order = sorted(range(len(lengths)), key=lambda i: (lengths[i], i))
    low = high = order.index(0)
    longest, useful, rows = lengths[0], lengths[0], 1
    while rows < max_rows:
        options = []
        if low > 0:
            options.append((longest - lengths[order[low - 1]], order[low - 1], low - 1, high))
        if high + 1 < len(order):
            grown = lengths[order[high + 1]]
            options.append(((grown - longest) * rows, order[high + 1], low, high + 1))
        best = None
        for _extra_padding, index, new_low, new_high in sorted(options):
            new_longest = max(longest, lengths[index])
            padded = new_longest * (rows + 1)
            if padded <= token_budget and useful + lengths[index] >= min_efficiency * padded:
                best = (new_low, new_high, new_longest, index)
                break
        if best is None:
            break
        low, high, longest, index = best
        useful += lengths[index]
        rows += 1
    return sorted(order[low : high + 1])


def plan_packed_batch(lengths: Sequence[int], *, token_budget: int, max_rows: int) -> list[int]:
    """The next batch for an engine that packs its rows (no padding in its matmuls, so none to avoid).

    Oldest first, then every item of the window that still fits the budget of real tokens: what makes
    such a batch cheap is its size, not its rows being alike (the engine sorts them itself).
    """
    chosen: list[int] = []
    tokens = 0
    for index, length in enumerate(lengths):
        if len(chosen) == max_rows:
            break
        if not chosen or tokens + length <= token_budget:
            chosen.append(index)
            tokens += length
    return chosen


def padded_tokens(lengths: Sequence[int]) -> int:
    """What a padded batch of these rows costs: its longest row times its rows."""
    return max(lengths, default=0) * len(lengths)
