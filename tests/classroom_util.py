"""Helpers of the classroom tests: the app on a real local port (uvicorn in a thread) and
a small JSON client on the standard library."""

from __future__ import annotations

import json
import re
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from typing import Any

import uvicorn


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_port(port: int, timeout: float = 120) -> None:
    """Wait until something listens on 127.0.0.1:``port``."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                return
        except OSError:
            assert time.monotonic() < deadline, f"nothing listens on port {port}"
            time.sleep(0.2)


class Served:
    """A Starlette app served on 127.0.0.1 in a thread until :meth:`stop`."""

    def __init__(self, app) -> None:
        self.app = app
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        config = uvicorn.Config(app, host="127.0.0.1", port=self.port, log_level="warning")
        self.server = uvicorn.Server(config)
        self.thread = threading.Thread(target=self.server.run, daemon=True)
        self.thread.start()
        deadline = time.monotonic() + 30
        while not self.server.started:
            assert time.monotonic() < deadline, "the server did not start"
            time.sleep(0.05)

    def stop(self) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=30)
        self.app.state.classroom.store.close()


def start_server(scenario: str, data: str, timeout: float = 120):
    """``kosi-sim classroom SCENARIO --data DATA`` in a child process on a free port;
    returns the process, the URL and the facilitator's key (read from what it prints)."""
    port = free_port()
    cmd = [sys.executable, "-m", "kosi_sim.cli", "classroom", scenario, "--port", str(port)]
    proc = subprocess.Popen(
        [*cmd, "--data", data], stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
    )
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        line = proc.stdout.readline()
        if not line and proc.poll() is not None:
            break
        m = re.search(r"#key=(\S+)", line)
        if m:
            wait_port(port)
            return proc, f"http://127.0.0.1:{port}", m.group(1)
    proc.kill()
    raise RuntimeError("the classroom server did not start (no facilitator key printed)")


def call(
    url: str,
    body: Any = None,
    headers: dict[str, str] | None = None,
    raw: bytes | None = None,
    timeout: float = 120,
) -> tuple[int, Any]:
    """(status, JSON or bytes) of a GET, or of a POST when ``body`` or ``raw`` is given."""
    data = raw if raw is not None else None if body is None else json.dumps(body).encode()
    req = urllib.request.Request(
        url, data=data, headers={"Content-Type": "application/json", **(headers or {})}
    )
    try:
        with urllib.request.urlopen(req, timeout=timeout) as r:
            status, content, kind = r.status, r.read(), r.headers.get("content-type", "")
    except urllib.error.HTTPError as e:
        status, content, kind = e.code, e.read(), e.headers.get("content-type", "")
    return status, json.loads(content) if "json" in kind else content


def wait_for(check, timeout: float = 180, every: float = 0.3):
    """Poll ``check()`` until it returns something true; fail after ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    while True:
        value = check()
        if value:
            return value
        assert time.monotonic() < deadline, "timed out waiting"
        time.sleep(every)
