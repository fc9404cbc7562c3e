"""CreateEmbeddings on the fake engine: policy only, milliseconds each."""

from __future__ import annotations

import asyncio
import math

import pytest

from adapters.engines.fake import hash_vector
from application.container import Container
from domain.errors import CapabilityNotSupported, InvalidInput, ModelNotFound
from domain.models import EmbeddingsRequest, PromptType
from domain.use_cases.prompts import QWEN3_DEFAULT_TASK
from tests.conftest import fake_settings


def embed(container: Container, **fields: object):  # type: ignore[no-untyped-def]
    fields.setdefault("model", "fake-embed")
    return asyncio.run(container.create_embeddings()(EmbeddingsRequest(**fields)))  # type: ignore[arg-type]


def test_vectors_follow_input_order_and_count_tokens(fake_container: Container) -> None:
    result = embed(fake_container, inputs=["one two", "three", "four five six"])
    assert result.vectors == [hash_vector(t, 384) for t in ["one two", "three", "four five six"]]
    assert result.usage.prompt_tokens == result.usage.total_tokens == 6


def test_dimensions_slice_then_renormalise(fake_container: Container) -> None:
    full = embed(fake_container, inputs=["hello"]).vectors[0]
    short = embed(fake_container, inputs=["hello"], dimensions=8).vectors[0]
    norm = math.sqrt(sum(x * x for x in full[:8]))
    assert short == pytest.approx([x / norm for x in full[:8]])
    assert math.isclose(sum(x * x for x in short), 1.0, rel_tol=1e-9)


@pytest.mark.parametrize("dimensions", [0, -1, 385])
def test_dimensions_out_of_range(fake_container: Container, dimensions: int) -> None:
    with pytest.raises(InvalidInput, match="dimensions"):
        embed(fake_container, inputs=["x"], dimensions=dimensions)


def test_full_dimension_is_accepted(fake_container: Container) -> None:
    assert len(embed(fake_container, inputs=["x"], dimensions=384).vectors[0]) == 384


def test_qwen3_dimensions_start_at_32(fake_container: Container) -> None:
    with pytest.raises(InvalidInput, match="between 32 and 384"):
        embed(fake_container, model="qwen3-embed-fake", inputs=["x"], dimensions=31)


@pytest.mark.parametrize(
    ("inputs", "message"),
    [([], "must not be empty"), (["ok", ""], r"input\[1\] must not be empty"), (["  "], r"input\[0\]")],
)
def test_empty_inputs_are_refused(fake_container: Container, inputs: list[str], message: str) -> None:
    with pytest.raises(InvalidInput, match=message):
        embed(fake_container, inputs=inputs)


def test_too_many_items() -> None:
    container = _started(MAX_ITEMS="3")
    with pytest.raises(InvalidInput, match="at most 3"):
        embed(container, inputs=["a"] * 4)


def test_character_cap_cuts_when_truncating_and_refuses_otherwise() -> None:
    container = _started(MAX_CHARS_PER_ITEM="10")
    cut = embed(container, inputs=["abcdefghijKLMNOP"]).vectors[0]
    assert cut == hash_vector("abcdefghij", 384)
    with pytest.raises(InvalidInput, match=r"input\[0\] has 16 characters"):
        embed(container, inputs=["abcdefghijKLMNOP"], truncate=False)


def test_over_long_input_truncated_by_default_refused_when_asked(fake_container: Container) -> None:
    long_text = " ".join(["w"] * 600)
    assert embed(fake_container, inputs=[long_text]).usage.total_tokens == 512
    with pytest.raises(InvalidInput, match=r"input\[0\] has 600 tokens"):
        embed(fake_container, inputs=[long_text], truncate=False)


def test_unknown_model(fake_container: Container) -> None:
    with pytest.raises(ModelNotFound, match="served models: fake-embed"):
        embed(fake_container, model="nope", inputs=["x"])


def test_reranker_cannot_embed(fake_container: Container) -> None:
    with pytest.raises(CapabilityNotSupported):
        embed(fake_container, model="fake-rerank", inputs=["x"])


def test_model_may_be_omitted_when_one_embedding_model_is_served() -> None:
    container = _started(MODEL_NAMES="only-embed;some-rerank")
    assert embed(container, model=None, inputs=["x"]).model == "only-embed"


def test_model_required_when_several_could_serve(fake_container: Container) -> None:
    with pytest.raises(InvalidInput, match="'model' is required"):
        embed(fake_container, model=None, inputs=["x"])


class TestInstructions:
    def test_instruction_uses_exact_qwen3_template(self, fake_container: Container) -> None:
        result = embed(fake_container, model="qwen3-embed-fake", inputs=["what is ML?"], instruction="Find papers")
        assert result.vectors[0] == hash_vector("Instruct: Find papers\nQuery:what is ML?", 384)

    def test_query_prompt_type_uses_default_task(self, fake_container: Container) -> None:
        result = embed(fake_container, model="qwen3-embed-fake", inputs=["q"], prompt_type=PromptType.QUERY)
        assert result.vectors[0] == hash_vector(f"Instruct: {QWEN3_DEFAULT_TASK}\nQuery:q", 384)

    def test_documents_get_no_instruction(self, fake_container: Container) -> None:
        result = embed(
            fake_container, model="qwen3-embed-fake", inputs=["doc"], instruction="X", prompt_type=PromptType.DOCUMENT
        )
        assert result.vectors[0] == hash_vector("doc", 384)

    def test_an_explicit_instruction_applies_to_any_model_as_the_seed_does(self, fake_container: Container) -> None:
        result = embed(fake_container, inputs=["what is ML?"], instruction="Find papers")
        assert result.vectors[0] == hash_vector("Instruct: Find papers\nQuery:what is ML?", 384)

    def test_models_without_instructions_take_no_default_one(self, fake_container: Container) -> None:
        result = embed(fake_container, inputs=["doc"], prompt_type=PromptType.QUERY)
        assert result.vectors[0] == hash_vector("doc", 384)


def _started(**env: str) -> Container:
    from application.container import build_container

    container = build_container(fake_settings(**env))
    asyncio.run(container.lifecycle().start())
    return container


def test_max_tokens_cuts_each_text_before_the_prompt(fake_container: Container) -> None:
    result = embed(fake_container, model="qwen3-embed-fake", inputs=["one two three"], max_tokens=2, instruction="T")
    assert result.vectors[0] == hash_vector("Instruct: T\nQuery:one two", 384)
