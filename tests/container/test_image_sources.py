"""docker/image_sources.py and image_base.py: this machine's package sources and base, without a daemon."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.container.scripts import load_script

sources = load_script("image_sources")
base = load_script("image_base")


def test_only_remote_indexes_are_passed_into_the_build() -> None:
    urls = "file:///opt/pypi/simple https://mirror.example/simple /srv/wheels http://10.0.0.1/simple"
    assert sources.remote(urls) == "https://mirror.example/simple http://10.0.0.1/simple"


def test_the_torch_wheel_of_the_variant_is_found_in_local_find_links(tmp_path: Path) -> None:
    for name in (
        "torch-2.13.0+cpu-cp311-cp311-manylinux_2_28_x86_64.whl",
        "torch-2.13.0-cp311-cp311-manylinux_2_28_x86_64.whl",
        "torch-2.14.1+cpu-cp311-cp311-manylinux_2_28_x86_64.whl",
        "torch-2.13.0+cpu-cp312-cp312-manylinux_2_28_x86_64.whl",
    ):
        (tmp_path / name).write_text("")
    folders = sources.local_dirs(f"file://{tmp_path} https://pypi.example/simple /does/not/exist")
    assert folders == [tmp_path]
    assert [w.name for w in sources.torch_wheels(folders, "2.13.0", "cpu")] == [
        "torch-2.13.0+cpu-cp311-cp311-manylinux_2_28_x86_64.whl"
    ]
    assert [w.name for w in sources.torch_wheels(folders, "2.13.0", "cuda")] == [
        "torch-2.13.0-cp311-cp311-manylinux_2_28_x86_64.whl"
    ]


@pytest.mark.parametrize(
    ("name", "text"),
    [
        ("sources.list.d/debian.sources", "Types: deb\nURIs: http://mirror.example/debian\nSuites: bookworm\n"),
        ("sources.list", "# a comment\ndeb http://mirror.example/debian/ bookworm main\n"),
    ],
)
def test_the_debian_mirror_is_read_from_apt_sources(tmp_path: Path, name: str, text: str) -> None:
    (tmp_path / "sources.list.d").mkdir()
    (tmp_path / "sources.list.d" / "other.list").write_text("deb https://packages.example/apt stable main\n")
    (tmp_path / name).write_text(text)
    assert sources.apt_mirror(tmp_path) == "http://mirror.example/debian"


def test_pip_settings_come_from_its_config_and_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PIP_INDEX_URL", "https://mirror.example/simple")
    assert sources.pip_config()["index-url"] == "https://mirror.example/simple"


def test_the_base_image_release_follows_the_python_tag() -> None:
    assert base.debian_release("python:3.11.13-slim-bookworm") == "bookworm"
    assert base.debian_release("python:3.11.13-slim-trixie@sha256:ab") == "trixie"
