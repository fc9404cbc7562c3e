"""Builders of test fixtures that are too big to commit (tokenizers, tiny random models)."""
