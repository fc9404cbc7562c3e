"""docker/bake_models.py: what the build downloads, and the argument mistakes it stops before downloading."""

from __future__ import annotations

from pathlib import PurePosixPath

import pytest

from tests.container.scripts import load_script

bake_models = load_script("bake_models")
QWEN = "Qwen/Qwen3-Embedding-0.6B;Qwen/Qwen3-Reranker-0.6B"
SERVED = "/models/Qwen3-Embedding-0.6B;/models/Qwen3-Reranker-0.6B"


def test_repo_ids_land_in_models_by_basename() -> None:
    bakes = bake_models.plan(QWEN, SERVED)
    assert [(b.repo_id, b.revision, b.target) for b in bakes] == [
        ("Qwen/Qwen3-Embedding-0.6B", None, PurePosixPath("/models/Qwen3-Embedding-0.6B")),
        ("Qwen/Qwen3-Reranker-0.6B", None, PurePosixPath("/models/Qwen3-Reranker-0.6B")),
    ]


def test_a_revision_pins_the_download_not_the_path() -> None:
    (bake,) = bake_models.plan("BAAI/bge-small-en-v1.5@5c38ec7c", " /models/bge-small-en-v1.5 ")
    assert (bake.repo_id, bake.revision) == ("BAAI/bge-small-en-v1.5", "5c38ec7c")
    assert str(bake.target) == "/models/bge-small-en-v1.5"


def test_paths_outside_models_are_served_as_given() -> None:
    assert bake_models.plan("", "/runpod-volume/my-model") == []


@pytest.mark.parametrize(
    ("bake", "serve", "says"),
    [
        ("", SERVED, "is not baked"),
        (QWEN, "", "does not serve"),
        (QWEN, "/models/Qwen3-Embedding-0.6B", "does not serve"),
        ("", "BAAI/bge-small-en-v1.5", "runs offline"),
        ("a/model;b/model", "/models/model", "two models would land"),
        ("not a repo id", "", "not a Hugging Face repo id"),
        ("../escape", "", "not a Hugging Face repo id"),
        ("org/name", "/models/other/name", "is not baked"),
    ],
)
def test_mismatched_arguments_fail_before_downloading(bake: str, serve: str, says: str) -> None:
    with pytest.raises(bake_models.BakeError, match=says):
        bake_models.plan(bake, serve)


def test_main_reports_the_mistake_and_exits_2(capsys: pytest.CaptureFixture[str]) -> None:
    assert bake_models.main(["--check-only", "--bake", "", "--serve", SERVED]) == 2
    assert "MODEL_NAMES: /models/Qwen3-Embedding-0.6B is not baked" in capsys.readouterr().err


def test_embedded_build_bakes_nothing(tmp_path) -> None:  # type: ignore[no-untyped-def]
    dest = tmp_path / "models"
    assert bake_models.main(["--dest", str(dest), "--bake", "", "--serve", ""]) == 0
    assert dest.is_dir() and not any(dest.iterdir())  # the final stage copies it even when empty


def test_skipped_files() -> None:
    files = [
        "config.json",
        "model.safetensors",
        "pytorch_model.bin",
        "onnx/model.onnx",
        "openvino/openvino_model.xml",
        "tokenizer.json",
        "1_Pooling/config.json",
    ]
    skipped = bake_models.skipped_files(files, bake_models.split("*.onnx;onnx/*;openvino/*"))
    assert skipped == ["pytorch_model.bin", "onnx/model.onnx", "openvino/openvino_model.xml"]
    # Without safetensors the .bin weights are the model: they stay.
    assert bake_models.skipped_files(["config.json", "pytorch_model.bin"], []) == []


class FakeHub:
    """Stands in for huggingface_hub: no network in tests, and none needed to check what is asked for."""

    def __init__(self, files: list[str]) -> None:
        self.files = files
        self.calls: list[dict[str, object]] = []

    def list_repo_files(self, repo_id: str, revision: str | None = None) -> list[str]:
        return self.files

    def snapshot_download(self, repo_id: str, **kwargs: object) -> str:
        self.calls.append({"repo_id": repo_id, **kwargs})
        target = kwargs["local_dir"]
        for name in kwargs["allow_patterns"]:  # type: ignore[attr-defined]
            path = target / name  # type: ignore[operator]
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text("{}")
        (target / ".cache" / "huggingface").mkdir(parents=True)  # type: ignore[operator]
        return str(target)


@pytest.fixture
def hub(monkeypatch: pytest.MonkeyPatch) -> FakeHub:
    import huggingface_hub

    fake = FakeHub(["config.json", "model.safetensors", "pytorch_model.bin", "onnx/model.onnx", "tokenizer.json"])
    monkeypatch.setattr(huggingface_hub, "HfApi", lambda: fake)
    monkeypatch.setattr(huggingface_hub, "snapshot_download", fake.snapshot_download)
    return fake


def test_download_fetches_the_wanted_files_and_drops_the_bookkeeping(tmp_path, hub: FakeHub) -> None:  # type: ignore[no-untyped-def]
    (bake,) = bake_models.plan("Qwen/Qwen3-Embedding-0.6B@abc123", f"{tmp_path}/Qwen3-Embedding-0.6B", str(tmp_path))
    bake_models.download(bake, ["onnx/*"])
    (call,) = hub.calls
    assert call["repo_id"] == "Qwen/Qwen3-Embedding-0.6B"
    assert call["revision"] == "abc123"
    assert call["allow_patterns"] == ["config.json", "model.safetensors", "tokenizer.json"]
    target = tmp_path / "Qwen3-Embedding-0.6B"
    assert sorted(p.name for p in target.iterdir()) == ["config.json", "model.safetensors", "tokenizer.json"]


def test_download_refuses_a_repo_without_a_model_config(tmp_path, hub: FakeHub) -> None:  # type: ignore[no-untyped-def]
    hub.files = ["README.md", "weights.safetensors"]
    (bake,) = bake_models.plan("org/not-a-model", f"{tmp_path}/not-a-model", str(tmp_path))
    with pytest.raises(bake_models.BakeError, match="no config.json"):
        bake_models.download(bake, [])


def test_a_local_folder_is_baked_under_its_name_without_the_hub(tmp_path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    source = tmp_path / "context" / "docker" / "context" / "models" / "tiny"
    (source / "onnx").mkdir(parents=True)
    for name in ("config.json", "model.safetensors", "pytorch_model.bin", "onnx/model.onnx"):
        (source / name).write_text("{}")
    monkeypatch.chdir(tmp_path / "context")
    entry, dest = "./docker/context/models/tiny", tmp_path / "models"
    assert bake_models.main(["--needs-hub", "--bake", entry, "--serve", f"{dest}/tiny", "--dest", str(dest)]) == 1
    args = ["--bake", entry, "--serve", f"{dest}/tiny", "--dest", str(dest), "--exclude", "onnx/*"]
    assert bake_models.main(args) == 0
    assert sorted(p.name for p in (dest / "tiny").iterdir()) == ["config.json", "model.safetensors"]


def test_a_hub_id_beside_local_folders_needs_the_hub() -> None:
    bake = "./docker/context/models/tiny;org/model"
    assert bake_models.main(["--needs-hub", "--bake", bake, "--serve", "/models/tiny;/models/model"]) == 0


@pytest.mark.parametrize("entry", ["./../outside", "./docker/context/models/../../x", "./"])
def test_a_local_entry_stays_inside_the_build_context(entry: str) -> None:
    with pytest.raises(bake_models.BakeError, match="inside the build context"):
        bake_models.plan(entry, "")


def test_a_missing_local_folder_fails_the_bake(tmp_path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.chdir(tmp_path)
    args = ["--bake", "./docker/context/models/absent", "--serve", f"{tmp_path}/m/absent", "--dest", f"{tmp_path}/m"]
    assert bake_models.main(args) == 2
