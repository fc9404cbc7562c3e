"""Build the image on this machine: `make image` (the CPU image) and the container tests both call it.

    python3 docker/image.py build --tag embedrank:cpu [--build-arg NAME=VALUE …] [--bake-dir DIR …]

What it adds to a plain `docker build`, each step printed as it is taken:
- The base image: `PYTHON_IMAGE` when present or pullable; otherwise a Python base made from Debian's
  packages with debootstrap (Debian's Python 3.11 on the same release), built once and kept under
  `embedrank-base:<release>`.
- This machine's package sources, read from its own pip and apt settings and passed as build arguments
  or context files, never written into a committed file: pip's index and extra index (http(s) ones),
  a local torch wheel found in pip's find-links, pip's CA bundle (trusted in the build stages only), and
  apt's Debian mirror.
- `--bake-dir [NAME=]DIR`: a local model folder copied into `docker/context/models/NAME` (default: the
  folder's name), to be named in `BAKE_MODELS` as `./docker/context/models/NAME`.

Standard library only, so it runs before `make install`; it drives the `docker` CLI with the classic
builder (the only one Debian's docker.io has).
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
CONTEXT = REPO / "docker" / "context"
DEFAULT_PYTHON_IMAGE = "python:3.11.13-slim-bookworm"
DEBIAN_ARCHIVE = "http://deb.debian.org/debian"
# Debian's python3 is 3.11 on bookworm; python-is-python3 gives the `python` the Dockerfile calls.
DEBOOTSTRAP_PACKAGES = "python3,python3-venv,python-is-python3,ca-certificates"
PULL_TIMEOUT_S = 120


class BaseUnavailable(Exception):
    """No base image can be had here: none pullable, and debootstrap cannot make one (no Debian archive)."""


def say(message: str) -> None:
    print(f"image: {message}", flush=True)


def docker(*args: str, check: bool = True, timeout: float | None = None, **kwargs: object) -> Any:
    env = {**os.environ, "DOCKER_BUILDKIT": "0"}  # the classic builder: Debian's docker.io has no buildx
    return subprocess.run(["docker", *args], check=check, timeout=timeout, env=env, text=True, **kwargs)  # type: ignore[call-overload]


def image_exists(tag: str) -> bool:
    return docker("image", "inspect", tag, check=False, capture_output=True).returncode == 0


# --- the base image ------------------------------------------------------------------------------------


def ensure_base(python_image: str) -> str:
    """`python_image` when it is here or can be pulled, else the debootstrap-made base's tag."""
    if image_exists(python_image):
        return python_image
    try:
        pulled = docker("pull", python_image, check=False, capture_output=True, timeout=PULL_TIMEOUT_S)
        if pulled.returncode == 0:
            return python_image
        why = (pulled.stderr or pulled.stdout).strip().splitlines()[-1:]
    except subprocess.TimeoutExpired:
        why = [f"no answer within {PULL_TIMEOUT_S}s"]
    release = debian_release(python_image)
    tag = f"embedrank-base:python3-{release}"
    say(f"cannot pull {python_image} ({' '.join(why)}); using a Python base made from Debian packages: {tag}")
    if not image_exists(tag):
        try:
            debootstrap_base(release, tag)
        except (OSError, subprocess.CalledProcessError) as exc:
            raise BaseUnavailable(f"cannot pull {python_image}, and debootstrap failed: {exc}") from exc
    return tag


def debian_release(python_image: str) -> str:
    match = re.search(r"-(bookworm|bullseye|trixie)\b", python_image)
    return match.group(1) if match else "bookworm"


def debootstrap_base(release: str, tag: str) -> None:
    if shutil.which("debootstrap") is None:
        say("installing debootstrap")
        subprocess.run(["apt-get", "install", "--yes", "--no-install-recommends", "debootstrap"], check=True)
    mirror = apt_mirror() or DEBIAN_ARCHIVE
    started = time.monotonic()
    with tempfile.TemporaryDirectory(prefix="embedrank-base-") as root:
        say(f"debootstrap {release} from {mirror} with {DEBOOTSTRAP_PACKAGES}")
        subprocess.run(
            ["debootstrap", "--variant=minbase", f"--include={DEBOOTSTRAP_PACKAGES}", release, root, mirror],
            check=True,
            stdout=subprocess.DEVNULL,
        )
        # What a slim base image leaves out too: apt's lists and caches, docs.
        for leftover in ("var/lib/apt/lists", "var/cache/apt", "usr/share/doc", "usr/share/man"):
            shutil.rmtree(Path(root, leftover), ignore_errors=True)
        Path(root, "var/lib/apt/lists/partial").mkdir(parents=True)
        tar = subprocess.Popen(["tar", "-C", root, "-c", "."], stdout=subprocess.PIPE)
        docker("import", "--change", "ENV LANG=C.UTF-8", "-", tag, stdin=tar.stdout, stdout=subprocess.DEVNULL)
        if tar.wait() != 0:
            raise SystemExit(f"image: tar of the {release} root failed")
    say(f"made {tag} in {time.monotonic() - started:.0f}s")


# --- this machine's package sources --------------------------------------------------------------------


def apt_mirror(etc_apt: Path = Path("/etc/apt")) -> str | None:
    """The first Debian archive URL in this machine's apt sources (deb822 or one-line format)."""
    paths = [etc_apt / "sources.list", *sorted((etc_apt / "sources.list.d").glob("*"))]
    for path in paths:
        if path.suffix not in {".list", ".sources", ""} or not path.is_file():
            continue
        for line in path.read_text(errors="replace").splitlines():
            words = line.split()
            urls = words[1:] if words[:1] == ["URIs:"] else words[1:2] if words[:1] == ["deb"] else []
            for url in urls:
                if url.rstrip("/").endswith("/debian"):
                    return url.rstrip("/")
    return None


def pip_config() -> dict[str, str]:
    """pip's own settings here (its config files, then PIP_* variables): what a plain `pip install` uses."""
    values: dict[str, str] = {}
    try:
        listed = subprocess.run(
            [sys.executable, "-m", "pip", "config", "list"], capture_output=True, text=True, timeout=60
        ).stdout
    except (OSError, subprocess.TimeoutExpired):
        listed = ""
    for line in listed.splitlines():
        key, _, value = line.partition("=")
        values[key.rsplit(".", 1)[-1]] = value.strip().strip("'\"")
    for name, value in os.environ.items():
        if name.startswith("PIP_") and value:
            values[name[4:].lower().replace("_", "-")] = value
    return values


def remote(urls: str) -> str:
    """The http(s) URLs of a space-separated list: local ones cannot be reached from inside a build."""
    return " ".join(url for url in urls.split() if url.startswith(("http://", "https://")))


def local_dirs(urls: str) -> list[Path]:
    dirs = [Path(url.removeprefix("file://")) for url in urls.split() if not url.startswith(("http://", "https://"))]
    return [d for d in dirs if d.is_dir()]


def torch_wheels(find_links: list[Path], version: str, variant: str) -> list[Path]:
    """Local torch wheels of this version and variant for CPython 3.11 on Linux x86_64."""
    local = "+cpu" if variant == "cpu" else ""
    pattern = f"torch-{version}{local}-cp311-cp311-*x86_64.whl"
    return [wheel for folder in find_links for wheel in sorted(folder.glob(pattern))]


def machine_build_args(variant: str, torch_version: str) -> dict[str, str]:
    """Build arguments for this machine's sources; puts its torch wheel and CA bundle into the context."""
    config = pip_config()
    args = {
        "PIP_INDEX_URL": remote(config.get("index-url", "")),
        "PIP_EXTRA_INDEX_URL": remote(config.get("extra-index-url", "")),
        "PIP_TRUSTED_HOST": config.get("trusted-host", ""),
    }
    wheels = torch_wheels(local_dirs(config.get("find-links", "")), torch_version, variant)
    if wheels:
        say(f"torch from this machine's wheel {wheels[0].name}")
        place(wheels[0], CONTEXT / "wheels" / wheels[0].name)
    cert = config.get("cert") or os.environ.get("REQUESTS_CA_BUNDLE", "")
    if cert and Path(cert).is_file():
        say(f"build stages trust pip's CA bundle {cert} (not copied into the runtime image)")
        shutil.copyfile(cert, CONTEXT / "certs" / "machine-ca-bundle.crt")
    mirror = apt_mirror()
    if mirror and mirror != DEBIAN_ARCHIVE:
        args["APT_MIRROR"] = mirror
    return {name: value for name, value in args.items() if value}


def place(source: Path, target: Path) -> None:
    """A hard link where the filesystem allows (a 190 MB wheel), else a copy."""
    target.parent.mkdir(parents=True, exist_ok=True)
    try:
        os.link(source, target)
    except OSError:
        shutil.copyfile(source, target)


def clear_context() -> None:
    """Empty docker/context/*/ but for the committed .gitkeep files: a build sees only what this one put."""
    for folder in ("certs", "wheels", "models"):
        root = CONTEXT / folder
        root.mkdir(parents=True, exist_ok=True)
        for entry in root.iterdir():
            if entry.name == ".gitkeep":
                continue
            shutil.rmtree(entry) if entry.is_dir() and not entry.is_symlink() else entry.unlink()


def add_model(name: str, directory: Path) -> str:
    """Copy a model folder into the context; returns its BAKE_MODELS entry."""
    shutil.copytree(directory, CONTEXT / "models" / name, copy_function=_link_or_copy)
    return f"./docker/context/models/{name}"


def _link_or_copy(source: str, target: str) -> None:
    place(Path(source), Path(target))


# --- the build ------------------------------------------------------------------------------------------


def build(
    tag: str,
    build_args: dict[str, str],
    *,
    bake_dirs: dict[str, Path] | None = None,
    network: str = "",
    log: Path | None = None,
) -> tuple[float, str]:
    """Builds `tag`; returns (seconds the build took, the base image used). Raises naming the log on failure."""
    args = dict(build_args)
    clear_context()
    variant = args.get("TORCH_VARIANT", "cuda")
    machine = machine_build_args(variant, args.get("TORCH_VERSION", "2.13.0"))
    args.update({name: value for name, value in machine.items() if name not in args})  # given ones win
    args["PYTHON_IMAGE"] = ensure_base(args.get("PYTHON_IMAGE", DEFAULT_PYTHON_IMAGE))
    for name, directory in (bake_dirs or {}).items():
        add_model(name, Path(directory))
    command = ["build", "--tag", tag, *(["--network", network] if network else [])]
    for name, value in sorted(args.items()):
        command += ["--build-arg", f"{name}={value}"]
    say(f"docker {' '.join(command)} {REPO}")
    started = time.monotonic()
    if log is None:
        docker(*command, str(REPO))
    else:
        with log.open("w") as out:
            result = docker(*command, str(REPO), check=False, stdout=out, stderr=subprocess.STDOUT)
        if result.returncode:
            tail = "".join(log.read_text(errors="replace").splitlines(keepends=True)[-40:])
            raise RuntimeError(f"docker build of {tag} failed (exit {result.returncode}); full log {log}:\n{tail}")
    seconds = time.monotonic() - started
    size = docker("image", "inspect", tag, "--format", "{{.Size}}", capture_output=True).stdout.strip()
    say(f"built {tag} in {seconds:.0f}s, {int(size) / 1e9:.2f} GB")
    return seconds, args["PYTHON_IMAGE"]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    commands = parser.add_subparsers(dest="command", required=True)
    build_parser = commands.add_parser("build", help="build the image with this machine's package sources")
    build_parser.add_argument("--tag", default="embedrank:cpu")
    build_parser.add_argument("--build-arg", action="append", default=[], metavar="NAME=VALUE")
    build_parser.add_argument("--bake-dir", action="append", default=[], metavar="[NAME=]DIR", help="a model to bake")
    build_parser.add_argument("--network", default="", help="network of the build's RUN steps (e.g. host)")
    args = parser.parse_args(argv)
    if docker("info", check=False, capture_output=True).returncode:
        print("image: no Docker daemon answers (`docker info` fails); `make test-image` starts one", file=sys.stderr)
        return 1
    pairs = dict(arg.split("=", 1) for arg in args.build_arg)
    bake_dirs = {}
    for spec in args.bake_dir:
        name, _, folder = spec.rpartition("=")
        bake_dirs[name or Path(folder).name] = Path(folder)
    try:
        build(args.tag, pairs, bake_dirs=bake_dirs, network=args.network)
    except BaseUnavailable as exc:
        print(f"image: {exc}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
