"""docker/healthcheck.py against a fake /proc and a real local HTTP server."""

from __future__ import annotations

import socket
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from tests.container.scripts import load_script

healthcheck = load_script("healthcheck")


def fake_proc(root: Path, processes: dict[int, tuple[list[str], dict[str, str]]]) -> Path:
    (root / "self").mkdir(parents=True)  # non-numeric entries are skipped
    for pid, (argv, env) in processes.items():
        folder = root / str(pid)
        folder.mkdir()
        (folder / "cmdline").write_bytes(b"\0".join(a.encode() for a in argv) + b"\0")
        (folder / "environ").write_bytes(b"\0".join(f"{k}={v}".encode() for k, v in env.items()) + b"\0")
    return root


class Server:
    def __init__(self) -> None:
        self.status = 200
        self.seen: list[tuple[str, str | None]] = []
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:  # noqa: N802 - the stdlib's name
                outer.seen.append((self.path, self.headers.get("Authorization")))
                self.send_response(outer.status)
                self.end_headers()
                self.wfile.write(b'{"status":"loading"}')

            def log_message(self, *args: object) -> None:
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.port = self.httpd.server_address[1]


@pytest.fixture
def server() -> Iterator[Server]:
    srv = Server()
    thread = threading.Thread(target=srv.httpd.serve_forever, daemon=True)
    thread.start()
    yield srv
    srv.httpd.shutdown()
    srv.httpd.server_close()


@pytest.mark.parametrize(
    ("argv", "serve"),
    [
        (["tini", "--", "embedrank", "serve"], True),
        (["/opt/venv/bin/python", "/opt/venv/bin/embedrank", "serve", "--port", "9000"], True),
        (["python", "-m", "entrypoints.cli", "serve"], True),
        (["tini", "--", "embedrank", "runpod"], False),
        (["/opt/venv/bin/python", "/opt/venv/bin/embedrank", "runpod", "--rp_serve_api"], False),
        (["python", "/opt/embedrank/healthcheck.py", "/ready"], False),
        (["embedrank"], False),
    ],
)
def test_is_serve(argv: list[str], serve: bool) -> None:
    assert healthcheck.is_serve(argv) is serve


def test_runpod_mode_passes_without_probing(tmp_path: Path) -> None:
    proc = fake_proc(tmp_path, {1: (["tini", "--", "embedrank", "runpod"], {"PORT": "1"})})
    status, line = healthcheck.check(proc=proc, env={})
    assert status == 0
    assert "RunPod" in line


def test_serve_mode_probes_ready_on_the_serve_process_port(tmp_path: Path, server: Server) -> None:
    env = {"HOST": "0.0.0.0", "PORT": str(server.port), "API_KEY": "first;second"}
    proc = fake_proc(tmp_path, {1: (["tini", "--", "embedrank", "serve"], env)})
    status, line = healthcheck.check(proc=proc, env={"PORT": "1"})  # the process's own env wins
    assert status == 0, line
    assert server.seen == [("/ready", "Bearer first")]


def test_a_port_flag_beats_the_environment(tmp_path: Path, server: Server) -> None:
    argv = ["python", "/opt/venv/bin/embedrank", "serve", f"--port={server.port}"]
    proc = fake_proc(tmp_path, {7: (argv, {"PORT": "1"})})
    status, line = healthcheck.check("/health", proc=proc, env={})
    assert status == 0, line
    assert server.seen == [("/health", None)]


def test_not_ready_is_unhealthy(tmp_path: Path, server: Server) -> None:
    server.status = 503
    proc = fake_proc(tmp_path, {1: (["embedrank", "serve"], {"PORT": str(server.port)})})
    status, line = healthcheck.check(proc=proc, env={})
    assert status == 1
    assert "503" in line and "loading" in line


def test_nothing_listening_is_unhealthy(tmp_path: Path) -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]  # free once closed: nothing answers there
    proc = fake_proc(tmp_path, {1: (["embedrank", "serve"], {"PORT": str(port)})})
    status, _ = healthcheck.check(proc=proc, env={})
    assert status == 1


@pytest.mark.parametrize(
    ("argv", "env", "url"),
    [
        (["embedrank", "serve"], {}, "http://127.0.0.1:8000/ready"),
        (["embedrank", "serve"], {"HOST": "0.0.0.0", "PORT": "8080"}, "http://127.0.0.1:8080/ready"),
        (["embedrank", "serve", "--host", "::"], {}, "http://[::1]:8000/ready"),
        (["embedrank", "serve", "--host", "10.1.2.3", "--port", "81"], {}, "http://10.1.2.3:81/ready"),
    ],
)
def test_probe_url(argv: list[str], env: dict[str, str], url: str) -> None:
    assert healthcheck.probe_url(healthcheck.ServeProcess(argv=argv, env=env), "/ready", {}) == url
