"""The server as users reach it: `lineageql serve` under uvicorn, spoken to over HTTP."""

from __future__ import annotations

import asyncio
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from lineageql.graph import LineageRepository, open_store
from lineageql.settings import Settings
from tests.lineage_builders import Recorder


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


async def record(store_path: Path) -> None:
    store = await open_store(Settings(store=str(store_path)))
    repo = LineageRepository(store)
    rec = await Recorder.start(repo, "served", "served-run")
    await rec.step("load", outputs=["data"])
    await rec.step("train", inputs={"x": "load.data"}, outputs=["model"])
    await store.close()


@pytest.fixture
def server(tmp_path: Path) -> Iterator[str]:
    store_path = tmp_path / "served.lbdb"
    asyncio.run(record(store_path))
    port = free_port()
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "lineageql",
            "serve",
            "--store",
            str(store_path),
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"{url}/health", timeout=1).status_code == 200:
                break
        except httpx.TransportError:
            time.sleep(0.2)
    else:
        process.kill()
        pytest.fail(f"server did not start: {process.communicate()[1][-2000:]}")
    try:
        yield url
    finally:
        process.terminate()
        process.wait(timeout=30)


def test_health_graphql_and_graphiql_over_http(server: str) -> None:
    health = httpx.get(f"{server}/health")
    assert health.status_code == 200 and health.json()["status"] == "ok"

    query = """{ pipelineRun(name: "served-run") { status steps { name
        outputs { name artifactVersion { name upstream { name } } } } } }"""
    answer = httpx.post(f"{server}/graphql", json={"query": query}).json()
    steps = answer["data"]["pipelineRun"]["steps"]
    assert [s["name"] for s in steps] == ["load", "train"]
    model = steps[1]["outputs"][0]["artifactVersion"]
    assert model == {"name": "model", "upstream": [{"name": "data"}]}

    by_get = httpx.get(f"{server}/graphql", params={"query": "{ pipelines { totalCount } }"})
    assert by_get.json() == {"data": {"pipelines": {"totalCount": 1}}}

    page = httpx.get(f"{server}/graphql", headers={"Accept": "text/html"})
    assert page.status_code == 200 and "graphiql" in page.text.lower()

    bad = httpx.post(
        f"{server}/graphql", json={"query": "{ pipelineRuns(first: 500) { totalCount } }"}
    )
    assert bad.status_code == 200
    assert bad.json()["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"


def test_serve_with_an_unreachable_store_is_one_friendly_line() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "lineageql", "serve", "--store", "bolt://127.0.0.1:9"],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 1
    assert "cannot reach Neo4j at bolt://127.0.0.1:9" in result.stdout
    assert "Traceback" not in result.stdout + result.stderr
