"""Continuous batching for the engines we drive ourselves: token budgets, length buckets, model threads."""

from adapters.batching.options import BatchingOptions
from adapters.batching.plan import plan_batch
from adapters.batching.runner import BatchRunner, Prepared
from adapters.batching.scheduler import BatchScheduler

__all__ = ["BatchRunner", "BatchScheduler", "BatchingOptions", "Prepared", "plan_batch"]
