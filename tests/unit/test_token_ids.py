"""Token-id inputs on the fake engine: whose vocabulary, decoding, instructions after decoding.

The fake model frames texts as BERT does ([CLS]=101 … [SEP]=102) in a 30,522-id vocabulary.
cl100k_base ids used here: "hello world" = [15339, 1917], "Hello" = [9906].
"""

from __future__ import annotations

import asyncio

import pytest

from adapters.engines.fake import hash_vector
from application.container import Container, build_container
from application.settings import ConfigError
from domain.errors import InvalidInput
from domain.models import EmbeddingsRequest, PromptType
from domain.use_cases.prompts import QWEN3_DEFAULT_TASK
from tests.conftest import fake_settings

HELLO_WORLD = (15339, 1917)


def started(**env: str) -> Container:
    container = build_container(fake_settings(**env))
    asyncio.run(container.lifecycle().start())
    return container


def embed(container: Container, inputs: list[object], **fields: object) -> list[list[float]]:
    fields.setdefault("model", "fake-embed")
    request = EmbeddingsRequest(inputs=inputs, **fields)  # type: ignore[arg-type]
    return asyncio.run(container.create_embeddings()(request)).vectors


class TestAuto:
    def test_unframed_ids_are_cl100k_and_equal_the_text(self, fake_container: Container) -> None:
        assert embed(fake_container, [HELLO_WORLD]) == embed(fake_container, ["hello world"])

    def test_ids_framed_by_the_models_special_tokens_are_its_own(self, fake_container: Container) -> None:
        assert embed(fake_container, [(101, 7592, 102)]) == [hash_vector("101 7592 102", 384)]

    def test_each_item_is_decided_on_its_own(self, fake_container: Container) -> None:
        vectors = embed(fake_container, [HELLO_WORLD, (101, 7592, 102)])
        assert vectors == [hash_vector("hello world", 384), hash_vector("101 7592 102", 384)]

    def test_undecodable_unframed_ids_name_the_item_and_the_rule(self, fake_container: Container) -> None:
        with pytest.raises(InvalidInput, match=r"input\[1\]: .*not cl100k_base text.*framed by \[101\] … \[102\]") as e:
            embed(fake_container, [HELLO_WORLD, (15339, 100_256)])
        assert e.value.param == "input"

    def test_framed_ids_outside_the_vocabulary_are_refused(self, fake_container: Container) -> None:
        with pytest.raises(InvalidInput, match=r"input\[0\] has token id 40000, outside the vocabulary"):
            embed(fake_container, [(101, 40_000, 102)])


class TestInstructionsAfterDecoding:
    def test_qwen3_query_prompt_applies_to_decoded_ids(self, fake_container: Container) -> None:
        vectors = embed(fake_container, [HELLO_WORLD], model="qwen3-embed-fake", prompt_type=PromptType.QUERY)
        assert vectors == [hash_vector(f"Instruct: {QWEN3_DEFAULT_TASK}\nQuery:hello world", 384)]

    def test_explicit_instruction_applies_to_decoded_ids(self, fake_container: Container) -> None:
        vectors = embed(fake_container, [HELLO_WORLD], instruction="Find code")
        assert vectors == [hash_vector("Instruct: Find code\nQuery:hello world", 384)]

    def test_the_models_own_ids_cannot_take_an_instruction(self, fake_container: Container) -> None:
        with pytest.raises(InvalidInput, match=r"input\[0\] is token ids in the vocabulary.*send the text"):
            embed(fake_container, [(101, 7592, 102)], instruction="Find code")

    def test_documents_need_no_prompt_so_own_ids_pass(self, fake_container: Container) -> None:
        vectors = embed(fake_container, [(101, 7592, 102)], model="qwen3-embed-fake", prompt_type=PromptType.DOCUMENT)
        assert vectors == [hash_vector("101 7592 102", 384)]


class TestForcedModes:
    def test_model_mode_reads_unframed_ids_in_the_models_vocabulary(self) -> None:
        container = started(TOKEN_IDS="model")
        assert embed(container, [(7592, 2088)]) == [hash_vector("7592 2088", 384)]
        with pytest.raises(InvalidInput, match="outside the vocabulary of model 'fake-embed'"):
            embed(container, [(15339, 40_000)])

    def test_cl100k_mode_decodes_even_framed_ids(self) -> None:
        container = started(TOKEN_IDS="cl100k")
        # 101 and 102 are cl100k byte tokens too; under cl100k they are just text.
        assert embed(container, [(9906,)]) == embed(container, ["Hello"])
        with pytest.raises(InvalidInput, match=r"TOKEN_IDS=cl100k"):
            embed(container, [(100_257,)])

    def test_unknown_mode_is_a_settings_error(self) -> None:
        with pytest.raises(ConfigError, match="TOKEN_IDS: Input should be .auto., .cl100k. or .model."):
            fake_settings(TOKEN_IDS="gpt2")
