"""Settings: the seed's variables, defaults, and one readable error per bad value."""

from __future__ import annotations

import pytest

from application.settings import EMBEDDED_DEFAULT_ID, ConfigError, load_settings


def test_unset_model_names_serves_the_embedded_default() -> None:
    (spec,) = load_settings({}).model_specs()
    assert spec.id == EMBEDDED_DEFAULT_ID
    assert spec.path.endswith("model")
    assert (spec.batch_size, spec.dtype, spec.backend, spec.queue_size) == (32, "auto", "torch", 48_000)


def test_seed_variables_per_model() -> None:
    settings = load_settings(
        {
            "MODEL_NAMES": "BAAI/bge-small-en-v1.5;/models/Qwen3-Embedding-0.6B",
            "BATCH_SIZES": "16;8",
            "DTYPES": "fp16;bf16",
            "BACKEND": "optimum",
            "INFINITY_QUEUE_SIZE": "100",
            "RUNPOD_MAX_CONCURRENCY": "5",
        }
    )
    specs = settings.model_specs()
    assert [(s.id, s.batch_size, s.dtype) for s in specs] == [
        ("BAAI/bge-small-en-v1.5", 16, "float16"),
        ("/models/Qwen3-Embedding-0.6B", 8, "bfloat16"),
    ]
    assert {s.backend for s in specs} == {"optimum"}
    assert settings.runpod_max_concurrency == 5


def test_one_value_applies_to_every_model() -> None:
    specs = load_settings({"MODEL_NAMES": "a;b;c", "BATCH_SIZES": "4", "DTYPES": "fp32"}).model_specs()
    assert [(s.batch_size, s.dtype) for s in specs] == [(4, "float32")] * 3


@pytest.mark.parametrize(
    ("env", "names"),
    [
        ({"MODEL_NAMES": "a;b", "BATCH_SIZES": "1;2;3"}, "BATCH_SIZES"),
        ({"MODEL_NAMES": "a;b", "DTYPES": "fp16;fp16;fp16"}, "DTYPES"),
        ({"DTYPES": "fp7"}, "DTYPES"),
        ({"BATCH_SIZES": "0"}, "BATCH_SIZES"),
        ({"BACKEND": "tensorrt"}, "BACKEND"),
        ({"ENGINE": "vllm"}, "ENGINE"),
        ({"PORT": "http"}, "PORT"),
        ({"RUNPOD_MAX_CONCURRENCY": "0"}, "RUNPOD_MAX_CONCURRENCY"),
        ({"INFINITY_QUEUE_SIZE": "-1"}, "INFINITY_QUEUE_SIZE"),
        ({"BATCH_TOKEN_BUDGET": "10"}, "BATCH_TOKEN_BUDGET"),
    ],
)
def test_bad_values_name_the_variable(env: dict[str, str], names: str) -> None:
    with pytest.raises(ConfigError, match=names):
        load_settings(env)


def test_api_keys_split_on_semicolons() -> None:
    assert load_settings({"API_KEY": "k1; k2"}).api_keys == ["k1", "k2"]


def test_forced_qwen3_reranker() -> None:
    specs = load_settings({"MODEL_NAMES": "x;y", "QWEN3_RERANKER_MODELS": "y"}).model_specs()
    assert [s.qwen3_reranker for s in specs] == [False, True]


def test_engine_auto_picks_our_engine_on_a_cpu_and_infinity_on_cuda() -> None:
    from application.engine_choice import choose_engine
    from application.settings import Engine

    assert load_settings({}).engine is Engine.AUTO, "no settings: auto"
    asked: list[str] = []

    def device(name: str) -> str:
        asked.append(name)
        return {"auto": "cpu"}.get(name, name)

    assert choose_engine(Engine.AUTO, "auto", device) is Engine.SENTENCE_TRANSFORMERS
    assert choose_engine(Engine.AUTO, "cuda", device) is Engine.INFINITY
    assert choose_engine(Engine.AUTO, "cuda:1", device) is Engine.INFINITY
    assert choose_engine(Engine.AUTO, "mps", device) is Engine.SENTENCE_TRANSFORMERS
    assert asked == ["auto", "cuda", "cuda:1", "mps"]
    assert choose_engine(Engine.INFINITY, "cpu", device) is Engine.INFINITY, "an explicit engine is kept"
    assert choose_engine(Engine.FAKE, "cuda", device) is Engine.FAKE
