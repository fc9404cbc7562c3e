"""The frame that marks token arrays in a model's own vocabulary, read from real tokenizers."""

from __future__ import annotations

from pathlib import Path

from adapters.token_frame import token_frame


def test_bert_frames_with_cls_and_sep(bundled_model_path: Path) -> None:
    from transformers import AutoTokenizer

    tokenizer = AutoTokenizer.from_pretrained(str(bundled_model_path))
    assert token_frame(tokenizer) == ((101,), (102,))
    # What a Hugging Face user sends by default is recognised as framed.
    ids = tokenizer("Hello world")["input_ids"]
    assert ids[0] == 101 and ids[-1] == 102


def test_qwen3_embedding_ends_with_endoftext(tmp_path: Path) -> None:
    from transformers import AutoTokenizer

    from bench.qwen3_tokenizer import FIRST_ADDED_ID, write_tokenizer

    write_tokenizer(tmp_path, append_eos=True, model_max_length=512)
    assert token_frame(AutoTokenizer.from_pretrained(str(tmp_path))) == ((), (FIRST_ADDED_ID,))


def test_a_tokenizer_without_specials_has_no_frame(tmp_path: Path) -> None:
    from transformers import AutoTokenizer

    from bench.qwen3_tokenizer import write_tokenizer

    write_tokenizer(tmp_path, append_eos=False, model_max_length=512)
    assert token_frame(AutoTokenizer.from_pretrained(str(tmp_path))) == ((), ())
