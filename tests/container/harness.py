"""Containers of the image under test, driven with docker-py: started, waited on, stopped.

Plain docker-py, not testcontainers: nothing is pulled (testcontainers pulls its `ryuk` reaper from Docker
Hub), and ports are published on 127.0.0.1 and read back from the daemon, whether the tests run on the
host or inside a container. Every wait names what it waited for, and for how long, and shows the logs.
"""

from __future__ import annotations

import contextlib
import os
import time
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import httpx

PORT = 8000


def docker_client() -> tuple[Any, str | None]:
    """(a docker-py client, None), or (None, why no daemon can be used); answers within seconds."""
    reason = os.environ.get("EMBEDRANK_NO_DOCKER")  # docker/with_daemon.sh says why it could start none
    if reason:
        return None, reason
    where = os.environ.get("DOCKER_HOST", "unix:///var/run/docker.sock")
    try:
        import docker

        client = docker.from_env(timeout=600)
        client.ping()
    except Exception as exc:  # any failure at all means: no daemon for these tests
        detail = " ".join(str(exc).split())[:160] or type(exc).__name__
        return None, f"no Docker daemon answers at {where} ({detail})"
    return client, None


@dataclass(frozen=True, slots=True)
class Running:
    container: Any  # docker.models.containers.Container
    base: str  # http://127.0.0.1:<published port>, or "" with no network

    def logs(self) -> str:
        return str(self.container.logs(tail=60).decode(errors="replace"))

    def exec(self, argv: list[str]) -> tuple[int, str]:
        result = self.container.exec_run(argv)
        return result.exit_code, result.output.decode(errors="replace").strip()

    def state(self) -> dict[str, Any]:
        self.container.reload()
        state: dict[str, Any] = self.container.attrs["State"]
        return state

    def wait_for(self, path: str, timeout: float = 300) -> None:
        """Until GET base+path answers 200; raises naming the URL, the last answer and the logs."""
        url, last = self.base + path, "no answer yet"
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.state()["Status"] == "exited":
                raise RuntimeError(f"{self.container.name} exited before GET {url} answered 200:\n{self.logs()}")
            try:
                response = httpx.get(url, timeout=2)
                if response.status_code == 200:
                    return
                last = f"{response.status_code} {response.text[:200]}"
            except httpx.HTTPError as exc:
                last = repr(exc)
            time.sleep(0.5)
        raise TimeoutError(f"GET {url} not 200 within {timeout:.0f}s (last: {last}):\n{self.logs()}")

    def wait_healthy(self, timeout: float = 300) -> None:
        """Until Docker's own health status, from the image's HEALTHCHECK, is `healthy`."""
        deadline = time.monotonic() + timeout
        health: dict[str, Any] = {}
        while time.monotonic() < deadline:
            health = self.state().get("Health") or {}
            if health.get("Status") == "healthy":
                return
            time.sleep(0.5)
        last = (health.get("Log") or [{}])[-1].get("Output", "no check ran")
        raise TimeoutError(
            f"{self.container.name}: HEALTHCHECK not healthy within {timeout:.0f}s "
            f"(status {health.get('Status')}, last check: {last!r}):\n{self.logs()}"
        )


@contextlib.contextmanager
def run(
    client: Any,
    image: str,
    command: list[str],
    *,
    env: dict[str, str] | None = None,
    network: str | None = None,
    entrypoint: list[str] | None = None,
) -> Iterator[Running]:
    """A detached container of `image`; removed afterwards, whatever the test did. `network` is a
    --network value ("none", "container:<id>"); without one, port 8000 is published on 127.0.0.1."""
    options: dict[str, Any] = {
        "command": command,
        "entrypoint": entrypoint,
        "environment": env or {},
        "detach": True,
        # The image's HEALTHCHECK command, checked every second instead of every 30 s.
        "healthcheck": {"test": [], "interval": 1_000_000_000, "timeout": 5_000_000_000, "retries": 3},
    }
    if network:
        options["network_mode"] = network
    else:
        options["ports"] = {f"{PORT}/tcp": ("127.0.0.1", None)}
    container = client.containers.run(image, **options)
    try:
        base = ""
        if not network:
            container.reload()
            base = f"http://127.0.0.1:{container.ports[f'{PORT}/tcp'][0]['HostPort']}"
        yield Running(container, base)
    finally:
        container.remove(force=True)
