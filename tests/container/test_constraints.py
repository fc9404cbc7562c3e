"""docker/constraints.txt pins what the image installs; it must agree with pyproject.toml."""

from __future__ import annotations

import tomllib

import pytest
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

from tests.container.scripts import REPO


@pytest.fixture(scope="module")
def pins() -> dict[str, str]:
    pins: dict[str, str] = {}
    for line in (REPO / "docker" / "constraints.txt").read_text().splitlines():
        text = line.split("#", 1)[0].strip()  # uv writes `# via …` lines under each pin
        if text:
            name, _, version = text.partition("==")
            assert version, f"{line!r} is not an exact pin"
            pins[canonicalize_name(name)] = version
    return pins


def test_every_runtime_dependency_is_pinned_within_its_range(pins: dict[str, str]) -> None:
    pyproject = tomllib.loads((REPO / "pyproject.toml").read_text())
    for line in pyproject["project"]["dependencies"]:
        requirement = Requirement(line)
        name = canonicalize_name(requirement.name)
        assert name in pins, f"{name} has no pin: run `make constraints`"
        assert requirement.specifier.contains(pins[name], prereleases=True), (
            f"constraints pin {name}=={pins[name]}, outside pyproject's {requirement}: run `make constraints`"
        )


def test_build_tools_stay_free(pins: dict[str, str]) -> None:
    # docker/build-requirements.txt pins the build backend; a second pin here could only disagree with it.
    assert not {"pip", "setuptools", "wheel"} & set(pins)


def test_the_models_stage_download_client_is_pinned(pins: dict[str, str]) -> None:
    assert "huggingface-hub" in pins


def test_torch_is_pinned_without_a_local_label(pins: dict[str, str]) -> None:
    assert "+" not in pins["torch"], "2.13.0+cpu would refuse the CUDA wheel"
