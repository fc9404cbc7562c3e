"""Continuous batching for the engines we drive ourselves: token budgets, length buckets, one model thread."""

from adapters.batching.options import BatchingOptions
from adapters.batching.plan import plan_batch
from adapters.batching.runner import BatchRunner, Prepared
from adapters.batching.scheduler import BatchScheduler
from adapters.batching.work import Outcome

__all__ = ["BatchRunner", "BatchScheduler", "BatchingOptions", "Outcome", "Prepared", "plan_batch"]
