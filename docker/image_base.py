"""The image's base: the public Python image when it can be had, else one made from Debian's packages.

Where `PYTHON_IMAGE` is neither present nor pullable (no registry but a package mirror), debootstrap
makes a root of the same Debian release with its Python 3.11 and imports it as
`embedrank-base:python3-<release>`, once; later builds reuse it. Standard library and the `docker` CLI.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import tempfile
import time
from pathlib import Path
from typing import Any

from image_sources import DEBIAN_ARCHIVE, apt_mirror

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
        subprocess.run(["apt-get", "update", "-qq"], check=True)  # a new machine may have no package lists yet
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
