"""What can be checked of the Dockerfile and .dockerignore without a Docker daemon."""

from __future__ import annotations

import re
import shutil
import tomllib
from pathlib import Path

import pytest
from docker.utils.build import exclude_paths
from packaging.requirements import Requirement

from application.settings import Settings
from tests.container.dockerfile import Dockerfile, Stage, exec_form, flags_and_args, load
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
    "PIP_INDEX_URL",
    "PIP_EXTRA_INDEX_URL",
    "PIP_TRUSTED_HOST",
    "APT_MIRROR",
}


@pytest.fixture(scope="module")
def dockerfile() -> Dockerfile:
    return load()


def context_files(root: Path) -> set[str]:
    """The files `docker build` sends from `root`, as docker-py computes them from its .dockerignore."""
    lines = (root / ".dockerignore").read_text().splitlines()
    patterns = [line.strip() for line in lines if line.strip() and not line.startswith("#")]
    return set(exclude_paths(str(root), patterns))


@pytest.fixture(scope="module")
def context() -> set[str]:
    return context_files(REPO)


def stage_names(dockerfile: Dockerfile) -> set[str]:
    return {s.name for s in dockerfile.stages if s.name}


def test_multi_stage_with_a_lean_final_stage(dockerfile: Dockerfile) -> None:
    assert len(dockerfile.stages) >= 3
    final = dockerfile.final
    sources = {flags_and_args(value)[0].get("from") for value in final.values("COPY")}
    assert {"builder", "models"} <= sources, "the final stage takes the venv and the models from build stages"
    runs = " ".join(final.values("RUN"))
    assert "pip install" not in runs, "nothing is built in the final stage"
    assert "apt-get" not in runs, "apt's lists and caches would stay in the runtime layer"


def test_the_build_time_ca_stays_out_of_the_runtime_image(dockerfile: Dockerfile) -> None:
    # The CA certificates go into `build-base`; the runtime stage must start from `base`, before them.
    assert dockerfile.final.base == "base"
    certs = [s for s in dockerfile.stages if any("ca-certificates" in v for v in s.values("COPY"))]
    assert [s.name for s in certs] == ["build-base"]
    assert {dockerfile.stage("models").base, dockerfile.stage("builder").base} == {"build-base"}


def test_external_base_images_are_pinned(dockerfile: Dockerfile) -> None:
    defaults = dockerfile.global_args
    for stage in dockerfile.stages:
        base = stage.base.replace("${PYTHON_IMAGE}", defaults["PYTHON_IMAGE"])
        if base in stage_names(dockerfile):
            continue
        assert re.search(r":\d+\.\d+\.\d+[\w.-]*$|@sha256:[0-9a-f]{64}$", base), f"{base} is not pinned to a version"


def test_final_stage_runs_as_non_root(dockerfile: Dockerfile) -> None:
    user = dockerfile.final.last("USER")
    assert user is not None, "the final stage sets no USER, so it runs as root"
    name = user.split(":")[0]
    assert name not in {"root", "0"}
    # A numeric uid lets Kubernetes' runAsNonRoot verify it without reading /etc/passwd.
    assert name.isdigit()


def test_build_arguments_are_declared_with_defaults(dockerfile: Dockerfile) -> None:
    defaults = dockerfile.global_args
    assert set(defaults) >= BUILD_ARGS
    assert defaults["TORCH_VARIANT"] in {"cpu", "cuda"}
    # One default engine, not two: the image serves what `embedrank serve` serves.
    assert defaults["ENGINE"] == Settings.model_fields["engine"].default.value
    assert defaults["MODEL_NAMES"] == SEED_MODEL_IDS, "the seed's request examples use these model ids"


def test_stages_redeclare_the_global_arguments_they_use(dockerfile: Dockerfile) -> None:
    # A global ARG is invisible inside a stage until re-declared there: `${ENGINE}` would expand to "".
    global_names = set(dockerfile.global_args)
    for stage in dockerfile.stages:
        used = stage.variables() & global_names
        missing = used - set(stage.args())
        assert not missing, f"stage {stage.name} uses {sorted(missing)} without `ARG` in the stage"


def test_default_and_embedded_builds_pass_the_bake_check(dockerfile: Dockerfile) -> None:
    bake_models = load_script("bake_models")
    defaults = dockerfile.global_args
    bakes = bake_models.plan(defaults["BAKE_MODELS"], defaults["MODEL_NAMES"])
    assert [str(b.target) for b in bakes] == defaults["MODEL_NAMES"].split(";")
    assert bake_models.plan("", "") == []  # --build-arg BAKE_MODELS= --build-arg MODEL_NAMES=


def test_bake_runs_with_the_stage_arguments(dockerfile: Dockerfile) -> None:
    run = next(v for v in dockerfile.stage("models").values("RUN") if "bake_models.py" in v)
    for flag, arg in (("--bake", "BAKE_MODELS"), ("--serve", "MODEL_NAMES"), ("--exclude", "BAKE_EXCLUDE")):
        assert f'{flag} "${{{arg}}}"' in run


def test_torch_version_matches_pyproject(dockerfile: Dockerfile) -> None:
    pyproject = tomllib.loads((REPO / "pyproject.toml").read_text())
    torch = next(Requirement(r) for r in pyproject["project"]["dependencies"] if Requirement(r).name == "torch")
    assert str(torch.specifier) == f"=={dockerfile.global_args['TORCH_VERSION']}"


def test_the_build_backend_is_pinned_within_pyproject() -> None:
    pyproject = tomllib.loads((REPO / "pyproject.toml").read_text())
    wanted = {Requirement(r).name: Requirement(r) for r in pyproject["build-system"]["requires"]}
    lines = (REPO / "docker" / "build-requirements.txt").read_text().splitlines()
    pins = [Requirement(line) for line in lines if line.strip() and not line.startswith("#")]
    assert {p.name for p in pins} == set(wanted)
    for pin in pins:
        (version,) = [s.version for s in pin.specifier if s.operator == "=="]
        assert wanted[pin.name].specifier.contains(version), f"{pin} is outside pyproject's {wanted[pin.name]}"


def test_final_image_serves_offline_on_all_interfaces(dockerfile: Dockerfile) -> None:
    env = dockerfile.final.env()
    assert env["HF_HUB_OFFLINE"] == "1"
    assert env["TRANSFORMERS_OFFLINE"] == "1"
    assert env["HOST"] == "0.0.0.0"
    assert env["PORT"] == "8000"
    assert env["MODEL_NAMES"] == "${MODEL_NAMES}"
    assert env["ENGINE"] == "${ENGINE}"
    assert "/opt/venv/bin" in env["PATH"].split(":")[0]
    exposed = " ".join(dockerfile.final.values("EXPOSE")).split()
    assert env["PORT"] in exposed


def default_command(stage: Stage) -> list[str]:
    entrypoint, cmd = stage.last("ENTRYPOINT"), stage.last("CMD")
    assert entrypoint is not None and cmd is not None
    head, tail = exec_form(entrypoint), exec_form(cmd)
    assert head is not None and tail is not None, "exec form, so signals reach the process and CMD appends"
    return head + tail


def test_default_command_starts_the_runpod_worker_under_an_init(dockerfile: Dockerfile) -> None:
    argv = default_command(dockerfile.final)
    assert argv[0] == "tini", "PID 1 must forward SIGTERM: Python as PID 1 ignores it"
    program = argv.index("embedrank")
    assert argv[program + 1] == "runpod"
    # `docker run IMAGE serve` replaces CMD alone: the entrypoint must end at the program.
    assert argv[program + 1 :] == exec_form(dockerfile.final.last("CMD") or "")


def test_healthcheck_runs_the_copied_script(dockerfile: Dockerfile) -> None:
    healthcheck = dockerfile.final.last("HEALTHCHECK")
    assert healthcheck is not None
    flags, args = flags_and_args(healthcheck)
    assert args[0] == "CMD"
    command = " ".join(args[1:])
    copied = {flags_and_args(value)[1][-1] for value in dockerfile.final.values("COPY")}
    script = next(word.strip('",[]') for word in command.split() if word.strip('",').endswith(".py"))
    assert script in copied, f"{script} is not copied into the final stage"
    assert "start-period" in flags, "model loading must not count as failures"


def copy_sources(dockerfile: Dockerfile) -> list[str]:
    sources: list[str] = []
    for stage in dockerfile.stages:
        for value in stage.values("COPY") + stage.values("ADD"):
            flags, args = flags_and_args(value)
            if "from" not in flags:
                sources.extend(src.rstrip("/") for src in args[:-1])
    return sources


def test_every_copy_source_is_in_the_build_context(dockerfile: Dockerfile, context: set[str]) -> None:
    sources = copy_sources(dockerfile)
    assert sources
    for source in sources:
        sent = {path for path in context if path == source or path.startswith(source + "/")}
        # A folder COPY needs a file in it (a committed .gitkeep for docker/context/*): git keeps no empty one.
        assert sent, f"COPY {source}: not in the build context (missing, or left out by .dockerignore)"


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
    copied = {Path(src).parts[0] for src in copy_sources(dockerfile)}
    assert packages and packages <= copied, f"not copied into the image: {sorted(packages - copied)}"


LOCAL_STATE = [
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
]
SOURCES = ["pyproject.toml", "README.md", "domain/models.py", "docker/healthcheck.py", "docker/context/models/m/a"]


def test_dockerignore_keeps_local_state_out_and_lets_the_sources_in(tmp_path: Path) -> None:
    # A checkout where every kind of local state exists, so that a rule letting one in would show.
    shutil.copy(REPO / ".dockerignore", tmp_path)
    for path in LOCAL_STATE + SOURCES:
        (tmp_path / path).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / path).write_text("x")
    sent = context_files(tmp_path)
    assert sorted(set(LOCAL_STATE) & sent) == []
    assert set(SOURCES) <= sent


def test_the_context_holds_only_what_the_image_needs(context: set[str]) -> None:
    tops = {path.split("/")[0] for path in context}
    needed = {"pyproject.toml", "README.md", "domain", "adapters", "application", "entrypoints", "docker"}
    assert tops <= needed | {"Dockerfile", ".dockerignore"}  # the daemon always receives these two
