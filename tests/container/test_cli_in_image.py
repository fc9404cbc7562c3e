"""`embedrank bench` is offered only where its package is installed: a checkout, not the image."""

from __future__ import annotations

import importlib.util

import pytest

from entrypoints.cli import _parser


def commands(help_text: str) -> str:
    return help_text.split("positional arguments:", 1)[-1]


def test_bench_is_offered_in_a_checkout() -> None:
    assert "bench" in commands(_parser().format_help())


def test_bench_is_not_offered_where_its_package_is_absent(monkeypatch: pytest.MonkeyPatch) -> None:
    real = importlib.util.find_spec
    monkeypatch.setattr(importlib.util, "find_spec", lambda name, *a: None if name == "bench" else real(name, *a))
    help_text = commands(_parser().format_help())
    assert "bench" not in help_text and "serve" in help_text
