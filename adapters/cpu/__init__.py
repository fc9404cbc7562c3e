"""CPU-side speed: packed forwards without padding, prepacked oneDNN weights, thread and memory tuning.

Knows models by their torch modules only: no engine, scheduler or domain is imported here.
"""
