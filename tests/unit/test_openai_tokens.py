"""The shipped cl100k_base table decodes exactly as tiktoken does (tiktoken fed the same file offline)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from adapters.openai_tokens import CL100K_VOCAB, Cl100kTokens

TEXTS = [
    "Hello world",
    "The quick brown fox jumps over the lazy dog.",
    "Ünïcödé: 日本語のテキスト, emoji 🤖 and code `x = f(y) -> z`",
    "  leading and trailing spaces  \n\tnew lines\n",
]


@pytest.fixture(scope="module")
def tiktoken_cl100k(tmp_path_factory: pytest.TempPathFactory) -> Iterator[object]:
    import tiktoken

    from tests.support.tiktoken_cache import write_tiktoken_cache

    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("TIKTOKEN_CACHE_DIR", str(write_tiktoken_cache(tmp_path_factory.mktemp("tiktoken"))))
        yield tiktoken.get_encoding("cl100k_base")


@pytest.fixture(scope="module")
def tokens() -> Cl100kTokens:
    return Cl100kTokens()


@pytest.mark.parametrize("text", TEXTS)
def test_decodes_what_tiktoken_encodes(tiktoken_cl100k, tokens: Cl100kTokens, text: str) -> None:  # type: ignore[no-untyped-def]
    ids = tiktoken_cl100k.encode(text)
    assert tokens.decode(ids) == text == tiktoken_cl100k.decode(ids)


def test_vocabulary_size_matches_tiktoken(tiktoken_cl100k) -> None:  # type: ignore[no-untyped-def]
    assert tiktoken_cl100k.n_vocab == CL100K_VOCAB


@pytest.mark.parametrize(
    "ids",
    [[-1], [CL100K_VOCAB], [100_256], [100_257], [15339, 10_000_000]],
    ids=["negative", "past-the-end", "unused-id", "special-endoftext", "one-bad-id"],
)
def test_ids_that_are_no_text_decode_to_none(tokens: Cl100kTokens, ids: list[int]) -> None:
    assert tokens.decode(ids) is None


def test_broken_utf8_inside_is_refused_but_a_cut_character_at_an_edge_is_dropped(tiktoken_cl100k, tokens) -> None:  # type: ignore[no-untyped-def]
    # "日本" spelled byte by byte: cutting the first character's bytes leaves a broken start.
    byte_ids = [tiktoken_cl100k.encode_single_token(bytes([b])) for b in "日本".encode()]
    assert tokens.decode(byte_ids) == "日本"
    assert tokens.decode(byte_ids[1:]) == "本"  # a chunk that starts mid-character
    assert tokens.decode(byte_ids[:-1]) == "日"  # a chunk that ends mid-character
    assert tokens.decode([*byte_ids[:2], *tiktoken_cl100k.encode("x"), *byte_ids[3:]]) is None


def test_table_is_read_from_the_installed_wheel_without_network(tokens: Cl100kTokens, tmp_path: Path) -> None:
    from adapters.openai_tokens import cl100k_table_path

    assert cl100k_table_path().is_file()
    assert Cl100kTokens(cl100k_table_path()).decode([15339, 1917]) == "hello world"
