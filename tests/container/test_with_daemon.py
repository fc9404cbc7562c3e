"""docker/with_daemon.sh where no daemon can be had: it says why, and the command still runs and decides."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

from tests.container.scripts import REPO


def run_without_a_daemon(tmp_path: Path, command: str) -> subprocess.CompletedProcess[str]:
    # A dockerd that dies at once, and a socket nobody listens on: no real daemon is touched.
    fake = tmp_path / "bin"
    fake.mkdir()
    (fake / "dockerd").write_text("#!/bin/sh\necho 'cannot start here' >&2\nexit 1\n")
    (fake / "dockerd").chmod(0o755)
    env = {
        **os.environ,
        "PATH": f"{fake}:{os.environ['PATH']}",
        "DOCKER_HOST": f"unix://{tmp_path}/none.sock",
        "TMPDIR": str(tmp_path),
    }
    env.pop("EMBEDRANK_NO_DOCKER", None)
    script = REPO / "docker" / "with_daemon.sh"
    return subprocess.run([str(script), "sh", "-c", command], env=env, capture_output=True, text=True, timeout=60)


def test_the_reason_reaches_the_command(tmp_path: Path) -> None:
    result = run_without_a_daemon(tmp_path, 'echo "reason: $EMBEDRANK_NO_DOCKER"')
    assert result.returncode == 0, result.stderr
    reason = result.stdout.rsplit("reason: ", 1)[-1].strip()
    assert "cannot start here" in reason or "needs root" in reason, result.stdout


def test_the_command_decides_the_exit_status(tmp_path: Path) -> None:
    assert run_without_a_daemon(tmp_path, "exit 3").returncode == 3
