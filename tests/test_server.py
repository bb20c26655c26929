"""The server as users reach it: `lineageql serve` under uvicorn, spoken to over HTTP."""

from __future__ import annotations

import asyncio
import io
import os
import socket
import subprocess
import sys
import zipfile
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from lineageql.graph import LineageRepository, open_store
from lineageql.records import NewArtifactVersion
from tests.lineage_builders import Recorder
from tests.neo4j_launcher import (
    HARNESS_PASSWORD,
    HARNESS_USER,
    Neo4jUnavailable,
    running_neo4j,
)
from tests.servers import STORE_KINDS, serving, settings_for, store_for


async def record(location: str) -> None:
    store = await open_store(settings_for(location))
    repo = LineageRepository(store)
    rec = await Recorder.start(repo, "served", "served-run")
    await rec.step("load", outputs=["data"])
    await rec.step("train", inputs={"x": "load.data"}, outputs=["model"])
    await store.close()


@pytest.fixture(params=STORE_KINDS)
def location(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """An empty store of each kind for a server under test."""
    return store_for(str(request.param), request, tmp_path, "served")


@pytest.fixture
def server(location: str, tmp_path: Path) -> Iterator[str]:
    asyncio.run(record(location))
    with serving(location, LINEAGEQL_ARTIFACT_STORE=str(tmp_path / "artifacts")) as url:
        yield url


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


async def record_files(location: str, artifacts: Path) -> None:
    """Two artifact versions with real files in the artifact store (a file and a folder) and
    one pointing outside it."""
    (artifacts / "model").mkdir(parents=True)
    (artifacts / "model" / "weights.bin").write_bytes(bytes(range(256)) * 8192)
    (artifacts / "model" / "nested").mkdir()
    (artifacts / "model" / "nested" / "config.json").write_text('{"gamma": 0.1}')
    (artifacts / "report.html").write_text("<h1>report</h1>")
    store = await open_store(settings_for(location))
    repo = LineageRepository(store)
    # A socket file: it exists, yet opening it fails (ENXIO), for root too.
    broken = socket.socket(socket.AF_UNIX)
    broken.bind(str(artifacts / "broken.bin"))
    broken.close()
    for name, uri in [
        ("model", artifacts / "model"),
        ("report", artifacts / "report.html"),
        ("secrets", Path("/etc/hostname")),
        ("gone", artifacts / "deleted"),
        ("broken", artifacts / "broken.bin"),
    ]:
        await repo.create_artifact_version(NewArtifactVersion(name=name, uri=str(uri)))
    await store.close()


def version_id(server: str, name: str, headers: dict[str, str] | None = None) -> str:
    query = "query($n: String!) { artifactVersion(name: $n) { id } }"
    answer = httpx.post(
        f"{server}/graphql", json={"query": query, "variables": {"n": name}}, headers=headers
    ).json()
    return str(answer["data"]["artifactVersion"]["id"])


def test_download_route_streams_files_and_zips_folders(location: str, tmp_path: Path) -> None:
    artifacts = tmp_path / "artifacts"
    asyncio.run(record_files(location, artifacts))
    with serving(location, LINEAGEQL_ARTIFACT_STORE=str(artifacts)) as server:
        report = httpx.get(f"{server}/artifact-versions/{version_id(server, 'report')}/download")
        assert report.status_code == 200 and report.text == "<h1>report</h1>"
        assert 'filename="report.html"' in report.headers["content-disposition"]
        assert report.headers["content-length"] == str(len("<h1>report</h1>"))

        model = httpx.get(f"{server}/artifact-versions/{version_id(server, 'model')}/download")
        assert model.status_code == 200 and model.headers["content-type"] == "application/zip"
        with zipfile.ZipFile(io.BytesIO(model.content)) as archive:
            assert sorted(archive.namelist()) == ["nested/config.json", "weights.bin"]
            assert archive.read("weights.bin") == bytes(range(256)) * 8192
        assert 'filename="model-1.zip"' in model.headers["content-disposition"]

        outside = httpx.get(f"{server}/artifact-versions/{version_id(server, 'secrets')}/download")
        assert outside.status_code == 403
        assert outside.json()["errors"][0]["extensions"]["code"] == "FORBIDDEN"
        gone = httpx.get(f"{server}/artifact-versions/{version_id(server, 'gone')}/download")
        assert gone.status_code == 404 and "gone" in gone.json()["errors"][0]["message"]
        unknown = httpx.get(f"{server}/artifact-versions/nope/download")
        assert unknown.status_code == 404
        broken = httpx.get(f"{server}/artifact-versions/{version_id(server, 'broken')}/download")
        assert broken.status_code == 502
        error = broken.json()["errors"][0]
        assert error["extensions"]["code"] == "ARTIFACT_STORE_FAILED"
        assert "broken.bin" in error["message"]


CREATE_RUN = 'mutation { createPipelineRun(input: {pipelineName: "p", name: "by-token"}) { name } }'


def test_mutations_need_the_token_when_one_is_set(location: str) -> None:
    asyncio.run(record(location))
    env = {"LINEAGEQL_API_TOKEN": "s3cret", "LINEAGEQL_CORS_ORIGINS": "http://localhost:3000"}
    with serving(location, **env) as server:
        endpoint = f"{server}/graphql"
        read = httpx.post(endpoint, json={"query": "{ pipelines { totalCount } }"})
        assert read.json() == {"data": {"pipelines": {"totalCount": 1}}}
        for headers in ({}, {"Authorization": "Bearer wrong"}, {"Authorization": "s3cret"}):
            refused = httpx.post(endpoint, json={"query": CREATE_RUN}, headers=headers).json()
            assert refused["data"] is None
            assert refused["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"
        runs = httpx.post(endpoint, json={"query": "{ pipelineRuns { totalCount } }"}).json()
        assert runs["data"]["pipelineRuns"]["totalCount"] == 1
        allowed = httpx.post(
            endpoint, json={"query": CREATE_RUN}, headers={"Authorization": "Bearer s3cret"}
        ).json()
        assert allowed == {"data": {"createPipelineRun": {"name": "by-token"}}}

        preflight = httpx.options(
            endpoint,
            headers={
                "Origin": "http://localhost:3000",
                "Access-Control-Request-Method": "POST",
                "Access-Control-Request-Headers": "authorization,content-type",
            },
        )
        assert preflight.status_code == 200
        assert preflight.headers["access-control-allow-origin"] == "http://localhost:3000"
        stranger = httpx.options(
            endpoint,
            headers={"Origin": "http://evil.example", "Access-Control-Request-Method": "POST"},
        )
        assert "access-control-allow-origin" not in stranger.headers


def test_reads_need_the_token_when_required(location: str, tmp_path: Path) -> None:
    artifacts = tmp_path / "artifacts"
    asyncio.run(record_files(location, artifacts))
    env = {
        "LINEAGEQL_API_TOKEN": "s3cret",
        "LINEAGEQL_READ_TOKEN_REQUIRED": "true",
        "LINEAGEQL_ARTIFACT_STORE": str(artifacts),
    }
    with serving(location, **env) as server:
        token = {"Authorization": "Bearer s3cret"}
        query = {"query": "{ artifacts { totalCount } }"}
        refused = httpx.post(f"{server}/graphql", json=query).json()
        assert refused["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"
        allowed = httpx.post(f"{server}/graphql", json=query, headers=token).json()
        assert allowed == {"data": {"artifacts": {"totalCount": 5}}}
        download = f"{server}/artifact-versions/{version_id(server, 'report', token)}/download"
        assert httpx.get(download).status_code == 401
        assert httpx.get(download, headers=token).text == "<h1>report</h1>"
        assert httpx.get(f"{server}/health").status_code == 200


def test_limits_and_malformed_requests_never_give_a_500(server: str) -> None:
    endpoint = f"{server}/graphql"

    def code(response: httpx.Response) -> str:
        return str(response.json()["errors"][0]["extensions"]["code"])

    huge = {"query": "{ pipelines { totalCount } }", "variables": {"pad": "x" * 2_000_000}}
    too_big = httpx.post(endpoint, json=huge)
    assert too_big.status_code == 413 and code(too_big) == "REQUEST_TOO_LARGE"
    chunked = httpx.post(
        endpoint,
        content=(b"x" * 65536 for _ in range(40)),
        headers={"content-type": "application/json"},
    )
    assert chunked.status_code == 413

    aliases = " ".join(f"a{i}: pipelines {{ totalCount }}" for i in range(51))
    assert code(httpx.post(endpoint, json={"query": f"{{ {aliases} }}"})) == (
        "GRAPHQL_VALIDATION_FAILED"
    )
    tokens = " ".join("totalCount" for _ in range(6000))
    assert code(httpx.post(endpoint, json={"query": f"{{ pipelines {{ {tokens} }} }}"})) == (
        "GRAPHQL_PARSE_FAILED"
    )
    deep_lineage = httpx.post(
        endpoint,
        json={"query": '{ lineage(artifactVersionId: "x", depth: 51) { edges { kind } } }'},
    )
    assert code(deep_lineage) == "BAD_USER_INPUT"

    for body, content_type in [
        (b"{not json", "application/json"),
        (b'{"query": 42}', "application/json"),
        (b'{"variables": {}}', "application/json"),
        (b"\xff\xfe", "application/json"),
        (b"query=1", "text/plain"),
        (b'["a list"]', "application/json"),
    ]:
        answer = httpx.post(endpoint, content=body, headers={"content-type": content_type})
        assert 400 <= answer.status_code < 500, (body, answer.status_code, answer.text)
    by_get = httpx.get(endpoint, params={"query": CREATE_RUN})
    assert 400 <= by_get.status_code < 500
    assert httpx.post(endpoint, json={"query": "{ pipelineRuns { totalCount } }"}).json() == {
        "data": {"pipelineRuns": {"totalCount": 1}}
    }


def test_a_neo4j_outage_answers_503_on_health_and_a_coded_error_on_queries() -> None:
    """A Neo4j of its own, stopped under a running server."""
    try:
        neo4j = running_neo4j()
        bolt = neo4j.__enter__()
    except Neo4jUnavailable as error:
        if os.environ.get("CI"):
            pytest.fail(f"Neo4j is required under CI: {error}")
        pytest.skip(f"Neo4j tests skipped: {error}")
    stopped = False
    try:
        credentials = {
            "LINEAGEQL_NEO4J_USER": HARNESS_USER,
            "LINEAGEQL_NEO4J_PASSWORD": HARNESS_PASSWORD,
        }
        with serving(bolt, LINEAGEQL_NEO4J_RETRY_SECONDS="1", **credentials) as server:
            assert httpx.get(f"{server}/health").status_code == 200
            query = {"query": "{ pipelines { totalCount } }"}
            assert httpx.post(f"{server}/graphql", json=query).json() == {
                "data": {"pipelines": {"totalCount": 0}}
            }
            neo4j.__exit__(None, None, None)
            stopped = True

            health = httpx.get(f"{server}/health", timeout=30)
            assert health.status_code == 503 and health.json()["status"] == "unavailable"
            assert bolt in health.json()["error"]
            answer = httpx.post(f"{server}/graphql", json=query, timeout=30)
            assert answer.status_code == 200
            error = answer.json()["errors"][0]
            assert error["extensions"]["code"] == "STORE_UNAVAILABLE"
            assert f"cannot reach Neo4j at {bolt}" in error["message"]
    finally:
        if not stopped:
            neo4j.__exit__(None, None, None)


def test_a_smaller_request_limit_from_the_environment(tmp_path: Path) -> None:
    with serving(str(tmp_path / "small.lbdb"), LINEAGEQL_MAX_REQUEST_BYTES="2000") as server:
        endpoint = f"{server}/graphql"
        small = {"query": "{ pipelines { totalCount } }", "variables": {"pad": "x" * 1000}}
        assert httpx.post(endpoint, json=small).json() == {"data": {"pipelines": {"totalCount": 0}}}
        big = {"query": "{ pipelines { totalCount } }", "variables": {"pad": "x" * 3000}}
        refused = httpx.post(endpoint, json=big)
        assert refused.status_code == 413
        assert refused.json()["errors"][0]["extensions"]["code"] == "REQUEST_TOO_LARGE"


def test_workers_need_neo4j_and_serve_it_from_several_processes(
    tmp_path: Path, request: pytest.FixtureRequest
) -> None:
    refused = subprocess.run(
        [sys.executable, "-m", "lineageql", "serve", "--workers", "2", "--store", str(tmp_path)],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert refused.returncode == 1 and refused.stdout.startswith("error: workers: --workers 2")
    assert "needs a Neo4j store" in refused.stdout
    location = store_for("neo4j", request, tmp_path, "unused")
    asyncio.run(record(location))
    with serving(location, "--workers", "2") as server:
        query = {"query": '{ pipeline(name: "served") { runCount } }'}
        answers = [httpx.post(f"{server}/graphql", json=query).json() for _ in range(8)]
        assert all(a == {"data": {"pipeline": {"runCount": 1}}} for a in answers)
