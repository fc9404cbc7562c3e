"""The image's HEALTHCHECK: probes `embedrank serve`'s /ready, and passes in every other mode.

One image runs two ways: `embedrank runpod` (the default, which RunPod drives through its job queue and
which serves no HTTP of ours) and `embedrank serve`. A probe that always called HTTP would mark every
RunPod-mode container unhealthy, so the check first looks for a `serve` process in /proc: none found
means there is nothing to probe and the check passes. When serve runs, its own command line and
environment give the port, bind address and API key, so `--port 9000` or `-e PORT=9000` is probed
right. `/ready` is the default path: healthy means models loaded and serving, which is what
`depends_on: condition: service_healthy` and rolling updates want; pass `/health` for bare liveness.

Standard library only, so it starts fast and needs nothing the venv might lack.
"""

from __future__ import annotations

import os
import sys
import urllib.error
import urllib.request
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

WILDCARDS = {"", "0.0.0.0", "::", "[::]"}
TIMEOUT_S = 4.0


@dataclass(frozen=True, slots=True)
class ServeProcess:
    argv: list[str]
    env: dict[str, str]


def is_serve(argv: Sequence[str]) -> bool:
    """`embedrank serve …`, as tini, the console script or `python -m entrypoints.cli` spell it."""
    for i, arg in enumerate(argv[:-1]):
        if os.path.basename(arg) == "embedrank" or arg == "entrypoints.cli":
            return argv[i + 1] == "serve"
    return False


def find_serve(proc: Path = Path("/proc")) -> ServeProcess | None:
    for entry in sorted(proc.iterdir(), key=lambda p: p.name):
        if not entry.name.isdigit():
            continue
        try:
            argv = _nul_split((entry / "cmdline").read_bytes())
        except OSError:
            continue  # gone, or not ours to read
        if is_serve(argv):
            try:
                pairs = _nul_split((entry / "environ").read_bytes())
            except OSError:
                pairs = []
            env = dict(p.split("=", 1) for p in pairs if "=" in p)
            return ServeProcess(argv=argv, env=env)
    return None


def _nul_split(raw: bytes) -> list[str]:
    return [part.decode(errors="replace") for part in raw.split(b"\0") if part]


def _flag(argv: Sequence[str], name: str) -> str | None:
    for i, arg in enumerate(argv):
        if arg == name and i + 1 < len(argv):
            return argv[i + 1]
        if arg.startswith(name + "="):
            return arg.split("=", 1)[1]
    return None


def probe_url(process: ServeProcess, path: str, fallback_env: Mapping[str, str]) -> str:
    """The URL that reaches this serve process from inside its container."""
    env = process.env or fallback_env
    host = _flag(process.argv, "--host") or env.get("HOST", "127.0.0.1")
    port = _flag(process.argv, "--port") or env.get("PORT", "8000")
    if host in WILDCARDS:
        host = "::1" if ":" in host else "127.0.0.1"
    if ":" in host and not host.startswith("["):
        host = f"[{host}]"
    return f"http://{host}:{port}{path}"


def check(path: str = "/ready", proc: Path = Path("/proc"), env: Mapping[str, str] | None = None) -> tuple[int, str]:
    """(exit status, one line for `docker inspect`)."""
    own_env = os.environ if env is None else env
    process = find_serve(proc)
    if process is None:
        return 0, "no `embedrank serve` process (RunPod worker mode): nothing to probe"
    url = probe_url(process, path, own_env)
    request = urllib.request.Request(url)
    keys = [k.strip() for k in (process.env or own_env).get("API_KEY", "").split(";") if k.strip()]
    if keys:
        request.add_header("Authorization", f"Bearer {keys[0]}")
    try:
        with urllib.request.urlopen(request, timeout=TIMEOUT_S) as response:
            return 0, f"{url}: {response.status}"
    except urllib.error.HTTPError as exc:
        return 1, f"{url}: {exc.code} {exc.read(300).decode(errors='replace')}"
    except (OSError, ValueError) as exc:
        return 1, f"{url}: {exc}"


def main(argv: Sequence[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else list(argv)
    status, line = check(args[0] if args else "/ready")
    print(line)
    return status


if __name__ == "__main__":
    raise SystemExit(main())
