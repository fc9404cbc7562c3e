"""What can be checked of the Dockerfile and .dockerignore without a Docker daemon."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

import pytest
from packaging.requirements import Requirement

from application.settings import Settings
from tests.container.dockerfile import Dockerfile, Stage, parse, substitute
from tests.container.dockerignore import DockerIgnore
from tests.container.scripts import REPO, load_script

SEED_MODEL_IDS = "/models/Qwen3-Embedding-0.6B;/models/Qwen3-Reranker-0.6B"
BUILD_ARGS = {
    "TORCH_VARIANT",
    "TORCH_VERSION",
    "TORCH_INDEX_URL",
    "BAKE_MODELS",
    "MODEL_NAMES",
    "BAKE_EXCLUDE",
    "ENGINE",
}


@pytest.fixture(scope="module")
def dockerfile() -> Dockerfile:
    return parse((REPO / "Dockerfile").read_text())


@pytest.fixture(scope="module")
def ignore() -> DockerIgnore:
    return DockerIgnore.load(REPO)


def stage_names(dockerfile: Dockerfile) -> set[str]:
    return {s.name for s in dockerfile.stages if s.name}


def test_multi_stage_with_a_lean_final_stage(dockerfile: Dockerfile) -> None:
    assert len(dockerfile.stages) >= 3
    final = dockerfile.final
    sources = {i.flags_and_args()[0].get("from") for i in final.all("COPY")}
    assert {"builder", "models"} <= sources, "the final stage takes the venv and the models from build stages"
    runs = " ".join(i.value for i in final.all("RUN"))
    assert "pip install" not in runs, "nothing is built in the final stage"


def test_external_base_images_are_pinned(dockerfile: Dockerfile) -> None:
    defaults = dockerfile.arg_defaults()
    for stage in dockerfile.stages:
        base = substitute(stage.base, defaults)
        if base in stage_names(dockerfile):
            continue
        assert re.search(r":\d+\.\d+\.\d+[\w.-]*$|@sha256:[0-9a-f]{64}$", base), f"{base} is not pinned to a version"


def test_final_stage_runs_as_non_root(dockerfile: Dockerfile) -> None:
    user = dockerfile.final.last("USER")
    assert user is not None, "the final stage sets no USER, so it runs as root"
    name = user.value.split(":")[0]
    assert name not in {"root", "0"}
    # A numeric uid lets Kubernetes' runAsNonRoot verify it without reading /etc/passwd.
    assert name.isdigit()


def test_build_arguments_are_declared_with_defaults(dockerfile: Dockerfile) -> None:
    defaults = dockerfile.arg_defaults()
    assert set(defaults) >= BUILD_ARGS
    assert defaults["TORCH_VARIANT"] in {"cpu", "cuda"}
    # One default engine, not two: the image serves what `embedrank serve` serves.
    assert defaults["ENGINE"] == Settings.model_fields["engine"].default.value
    assert defaults["MODEL_NAMES"] == SEED_MODEL_IDS, "the seed's request examples use these model ids"


def test_stages_redeclare_the_global_arguments_they_use(dockerfile: Dockerfile) -> None:
    # A global ARG is invisible inside a stage until re-declared there: `${ENGINE}` would expand to "".
    global_names = set(dockerfile.arg_defaults())
    for stage in dockerfile.stages:
        used = set().union(*(i.variables() for i in stage.instructions)) & global_names
        missing = used - set(stage.args())
        assert not missing, f"stage {stage.name} uses {sorted(missing)} without `ARG` in the stage"


def test_default_and_embedded_builds_pass_the_bake_check(dockerfile: Dockerfile) -> None:
    bake_models = load_script("bake_models")
    defaults = dockerfile.arg_defaults()
    bakes = bake_models.plan(defaults["BAKE_MODELS"], defaults["MODEL_NAMES"])
    assert [str(b.target) for b in bakes] == defaults["MODEL_NAMES"].split(";")
    assert bake_models.plan("", "") == []  # --build-arg BAKE_MODELS= --build-arg MODEL_NAMES=


def test_bake_runs_with_the_stage_arguments(dockerfile: Dockerfile) -> None:
    run = next(i.value for i in dockerfile.stage("models").all("RUN") if "bake_models.py" in i.value)
    for flag, arg in (("--bake", "BAKE_MODELS"), ("--serve", "MODEL_NAMES"), ("--exclude", "BAKE_EXCLUDE")):
        assert f'{flag} "${{{arg}}}"' in run


def test_torch_version_matches_pyproject(dockerfile: Dockerfile) -> None:
    pyproject = tomllib.loads((REPO / "pyproject.toml").read_text())
    torch = next(Requirement(r) for r in pyproject["project"]["dependencies"] if Requirement(r).name == "torch")
    assert str(torch.specifier) == f"=={dockerfile.arg_defaults()['TORCH_VERSION']}"


def test_final_image_serves_offline_on_all_interfaces(dockerfile: Dockerfile) -> None:
    env = dockerfile.final.env()
    assert env["HF_HUB_OFFLINE"] == "1"
    assert env["TRANSFORMERS_OFFLINE"] == "1"
    assert env["HOST"] == "0.0.0.0"
    assert env["PORT"] == "8000"
    assert env["MODEL_NAMES"] == "${MODEL_NAMES}"
    assert env["ENGINE"] == "${ENGINE}"
    assert "/opt/venv/bin" in env["PATH"].split(":")[0]
    exposed = " ".join(i.value for i in dockerfile.final.all("EXPOSE")).split()
    assert env["PORT"] in exposed


def default_command(stage: Stage) -> list[str]:
    entrypoint, cmd = stage.last("ENTRYPOINT"), stage.last("CMD")
    assert entrypoint is not None and cmd is not None
    head, tail = entrypoint.exec_form(), cmd.exec_form()
    assert head is not None and tail is not None, "exec form, so signals reach the process and CMD appends"
    return head + tail


def test_default_command_starts_the_runpod_worker_under_an_init(dockerfile: Dockerfile) -> None:
    argv = default_command(dockerfile.final)
    assert argv[0] == "tini", "PID 1 must forward SIGTERM: Python as PID 1 ignores it"
    program = argv.index("embedrank")
    assert argv[program + 1] == "runpod"
    # `docker run IMAGE serve` replaces CMD alone: the entrypoint must end at the program.
    assert argv[program + 1 :] == dockerfile.final.last("CMD").exec_form()  # type: ignore[union-attr]


def test_healthcheck_runs_the_copied_script(dockerfile: Dockerfile) -> None:
    healthcheck = dockerfile.final.last("HEALTHCHECK")
    assert healthcheck is not None
    flags, args = healthcheck.flags_and_args()
    assert args[0] == "CMD"
    command = " ".join(args[1:])
    copied = {i.flags_and_args()[1][-1] for i in dockerfile.final.all("COPY")}
    script = next(word.strip('",[]') for word in command.split() if word.strip('",').endswith(".py"))
    assert script in copied, f"{script} is not copied into the final stage"
    assert "start-period" in flags, "model loading must not count as failures"


def copy_sources(dockerfile: Dockerfile) -> list[tuple[int, str]]:
    sources: list[tuple[int, str]] = []
    for stage in dockerfile.stages:
        for instruction in stage.all("COPY") + stage.all("ADD"):
            flags, args = instruction.flags_and_args()
            if "from" not in flags:
                sources.extend((instruction.line, src) for src in args[:-1])
    return sources


def test_every_copy_source_is_in_the_build_context(dockerfile: Dockerfile, ignore: DockerIgnore) -> None:
    sources = copy_sources(dockerfile)
    assert sources
    for line, source in sources:
        matches = sorted(REPO.glob(source.rstrip("/"))) if any(c in source for c in "*?[") else [REPO / source]
        assert matches and all(m.exists() for m in matches), f"line {line}: COPY {source} does not exist"
        for match in matches:
            relative = match.relative_to(REPO).as_posix()
            assert not ignore.excluded(relative), f"line {line}: COPY {source}: .dockerignore leaves it out"
            if match.is_dir():
                files = [f for f in match.rglob("*") if f.is_file()]
                kept = [f for f in files if not ignore.excluded(f.relative_to(REPO).as_posix())]
                assert kept, f"line {line}: COPY {source}: every file in it is ignored"


# Packaged so the `embedrank bench` console script can import them from a checkout; not served, not shipped.
DEV_ONLY_PACKAGES = {"bench"}


def test_every_project_package_is_copied(dockerfile: Dockerfile) -> None:
    pyproject = tomllib.loads((REPO / "pyproject.toml").read_text())
    patterns = pyproject["tool"]["setuptools"]["packages"]["find"]["include"]
    packages = {
        path.name
        for path in REPO.iterdir()
        if (path / "__init__.py").exists() and any(Path(path.name).match(p) for p in patterns)
    } - DEV_ONLY_PACKAGES
    copied = {Path(src.rstrip("/")).parts[0] for _, src in copy_sources(dockerfile)}
    assert packages and packages <= copied, f"not copied into the image: {sorted(packages - copied)}"


@pytest.mark.parametrize(
    "path",
    [
        ".venv/bin/python",
        ".git/HEAD",
        "tests/conftest.py",
        ".pytest_cache/v/cache/nodeids",
        "bench-results/run.json",
        "bench/results.json",
        "domain/__pycache__/models.cpython-311.pyc",
        "embedrank.egg-info/PKG-INFO",
        ".env",
        "models/Qwen3-Embedding-0.6B/model.safetensors",
    ],
)
def test_dockerignore_keeps_local_state_out(ignore: DockerIgnore, path: str) -> None:
    assert ignore.excluded(path)


@pytest.mark.parametrize("path", ["pyproject.toml", "README.md", "domain/models.py", "docker/healthcheck.py"])
def test_dockerignore_lets_the_sources_in(ignore: DockerIgnore, path: str) -> None:
    assert not ignore.excluded(path)
