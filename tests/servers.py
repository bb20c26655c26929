"""Start `lineageql serve` as a user would, on a free port of 127.0.0.1."""

from __future__ import annotations

import asyncio
import os
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

import httpx
import pytest

from lineageql.settings import Settings

START_TIMEOUT_SECONDS = 60
STORE_KINDS = ["embedded", "neo4j"]


def neo4j_credentials() -> dict[str, str]:
    """``LINEAGEQL_NEO4J_*`` for the test Neo4j: NEO4J_USER / NEO4J_PASSWORD when set (the
    tests' fixture sets them), else the LINEAGEQL_ ones already set (benchmarks do)."""
    return {
        "LINEAGEQL_NEO4J_USER": os.environ.get("NEO4J_USER")
        or os.environ.get("LINEAGEQL_NEO4J_USER", "neo4j"),
        "LINEAGEQL_NEO4J_PASSWORD": os.environ.get("NEO4J_PASSWORD")
        or os.environ.get("LINEAGEQL_NEO4J_PASSWORD", "neo4j"),
    }


def settings_for(location: str) -> Settings:
    """Settings for a store path or the test Neo4j's URL, with its credentials."""
    credentials = neo4j_credentials()
    return Settings(
        store=location,
        neo4j_user=credentials["LINEAGEQL_NEO4J_USER"],
        neo4j_password=credentials["LINEAGEQL_NEO4J_PASSWORD"],
    )


def store_for(kind: str, request: pytest.FixtureRequest, folder: Path, name: str) -> str:
    """A fresh, empty store of ``kind``: an embedded file in ``folder``, or the test Neo4j
    (through ``request``'s neo4j_url fixture) emptied."""
    if kind == "neo4j":
        from tests.conftest import open_neo4j

        url = str(request.getfixturevalue("neo4j_url"))

        async def empty() -> None:
            await (await open_neo4j(url)).close()

        asyncio.run(empty())
        return url
    return str(folder / f"{name}.lbdb")


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


@dataclass
class Served:
    """A running `lineageql serve`: its base URL, its process and what it has printed."""

    url: str
    process: subprocess.Popen[str]
    log: IO[str]

    def output(self) -> str:
        self.log.flush()
        self.log.seek(0)
        return self.log.read()


@contextmanager
def served(store: str, *args: str, port: int | None = None, **env: str) -> Iterator[Served]:
    """A `lineageql serve --store STORE ARGS...` process (on ``port``, or a free one) with
    ``LINEAGEQL_*`` settings in ``env``, once /health answers (200, or 503 for an unreachable
    store)."""
    port = port or free_port()
    command = [sys.executable, "-m", "lineageql", "serve", "--store", store, *args]
    command += ["--host", "127.0.0.1", "--port", str(port)]
    # The server's output goes to a file: a pipe nobody reads would block it once full.
    with tempfile.TemporaryFile(mode="w+") as log:
        process = subprocess.Popen(
            command,
            stdout=log,
            stderr=subprocess.STDOUT,
            env={**os.environ, **neo4j_credentials(), **env},
            text=True,
        )
        server = Served(f"http://127.0.0.1:{port}", process, log)
        if not wait_for_health(server.url, process):
            process.kill()
            process.wait()
            pytest.fail(f"server did not start: {server.output()[-2000:]}")
        try:
            yield server
        finally:
            process.terminate()
            process.wait(timeout=30)


@contextmanager
def serving(store: str, *args: str, **env: str) -> Iterator[str]:
    """``served``, yielding only the base URL."""
    with served(store, *args, **env) as server:
        yield server.url
