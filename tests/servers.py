"""Start `lineageql serve` as a user would, on a free port of 127.0.0.1."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import httpx
import pytest

START_TIMEOUT_SECONDS = 60


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def wait_for_health(url: str, process: subprocess.Popen[Any]) -> bool:
    """Whether ``url``/health answered (any status) before the process ended or time ran out."""
    deadline = time.monotonic() + START_TIMEOUT_SECONDS
    while time.monotonic() < deadline and process.poll() is None:
        try:
            httpx.get(f"{url}/health", timeout=2)
            return True
        except httpx.TransportError:
            time.sleep(0.2)
    return False


@contextmanager
def serving(store: str, *args: str, **env: str) -> Iterator[str]:
    """A `lineageql serve --store STORE ARGS...` process with ``LINEAGEQL_*`` settings in
    ``env``; yields its base URL once /health answers (200, or 503 for an unreachable
    store)."""
    port = free_port()
    command = [sys.executable, "-m", "lineageql", "serve", "--store", store, *args]
    command += ["--host", "127.0.0.1", "--port", str(port)]
    # The server's output goes to a file: a pipe nobody reads would block it once full.
    with tempfile.TemporaryFile(mode="w+") as log:
        process = subprocess.Popen(
            command, stdout=log, stderr=subprocess.STDOUT, env={**os.environ, **env}
        )
        url = f"http://127.0.0.1:{port}"
        if not wait_for_health(url, process):
            process.kill()
            process.wait()
            log.seek(0)
            pytest.fail(f"server did not start: {log.read()[-2000:]}")
        try:
            yield url
        finally:
            process.terminate()
            process.wait(timeout=30)
