"""This machine's package sources, as its own pip and apt settings give them (docker/image.py passes them
into the build). Standard library only: it runs before `make install`."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

DEBIAN_ARCHIVE = "http://deb.debian.org/debian"


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
