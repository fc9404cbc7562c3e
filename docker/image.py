"""Build the image on this machine: `make image` (the CPU image) and the container tests both call it.

    python3 docker/image.py build --tag embedrank:cpu [--build-arg NAME=VALUE …] [--bake-dir DIR …]

What it adds to a plain `docker build`, each step printed as it is taken:
- The base image (image_base.py): `PYTHON_IMAGE` when present or pullable; otherwise a Python base made
  from Debian's packages with debootstrap, built once and kept.
- This machine's package sources (image_sources.py), read from its pip and apt settings and passed as build arguments
  or context files, never written into a committed file: pip's index and extra index (http(s) ones),
  a local torch wheel found in pip's find-links, pip's CA bundle (trusted in the build stages only), and
  apt's Debian mirror.
- `--bake-dir [NAME=]DIR`: a local model folder copied into `docker/context/models/NAME` (default: the
  folder's name), to be named in `BAKE_MODELS` as `./docker/context/models/NAME`.

Standard library only, so it runs before `make install`; it drives the `docker` CLI with the classic
builder (the only one Debian's docker.io has). Its sibling modules import as top-level ones: run as a
script, its folder is first on sys.path.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

from image_base import BaseUnavailable, docker, ensure_base, say
from image_sources import DEBIAN_ARCHIVE, apt_mirror, local_dirs, pip_config, remote, torch_wheels

REPO = Path(__file__).resolve().parents[1]
CONTEXT = REPO / "docker" / "context"
DEFAULT_PYTHON_IMAGE = "python:3.11.13-slim-bookworm"


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
