"""Generated hostile strings sent to a real server: never a 500, never a change to the data."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from typing import Any
from urllib.parse import quote

import httpx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from lineageql.graph import LineageRepository, NodeKind, open_store
from tests.lineage_builders import Recorder
from tests.servers import STORE_KINDS, serving, settings_for, store_for

SNAPSHOT = """{
  pipelines { totalCount edges { node { name runCount tags } } }
  pipelineRuns(first: 100) { totalCount edges { node { name status tags
    runMetadata { key value } steps { name status
      inputs { name artifactVersion { name version } }
      outputs { name artifactVersion { name version } } } } } }
  artifacts(first: 100) { totalCount edges { node { name tags } } }
  artifactVersions(first: 100) { totalCount edges { node { name version tags
    upstream(depth: 5) { name } downstream(depth: 5) { name } } } }
}"""

READS = [
    "query($s: String!) { pipelineRun(name: $s) { id } }",
    "query($s: String!) { pipelineRun(namePrefix: $s) { id } }",
    "query($s: ID!) { pipelineRun(id: $s) { id } }",
    "query($s: String!) { pipeline(name: $s) { id } }",
    "query($s: String!) { artifactVersion(name: $s, version: $s) { id } }",
    "query($s: String!) { pipelineRuns(after: $s) { totalCount } }",
    "query($s: String!) { pipelineRuns(filter: {pipelineName: $s, tag: $s}) { totalCount } }",
    "query($s: String!) { pipelineRuns(filter: {nameContains: $s}) { totalCount } }",
    (
        "query($s: String!, $v: JSON!) { pipelineRuns(filter: {metadata: [{key: $s, op: GT, "
        "value: $v}]}) { totalCount } }"
    ),
    "query($s: String!) { artifacts(filter: {nameContains: $s}) { totalCount } }",
    "query($s: ID!) { lineage(artifactVersionId: $s, direction: BOTH) { edges { kind } } }",
    "query($l: [ID!]!) { compareRuns(ids: $l) { rows { key } } }",
]
REFUSED_WRITES = [
    'mutation($s: ID!) { addTags(target: PIPELINE_RUN, id: $s, tags: ["x"]) }',
    "mutation($s: ID!) { deletePipelineRun(id: $s) }",
    "mutation($s: ID!) { logMetadata(target: STEP, id: $s, values: {k: 1}) { key } }",
    "mutation($s: ID!) { finishStep(input: {stepId: $s}) { id } }",
]

hostile = st.one_of(
    st.text(max_size=300),
    st.sampled_from(
        [
            "",
            "' OR 1=1 --",
            '") RETURN n //',
            "}) MATCH (n) DETACH DELETE n //",
            "$keys",
            "\x00",
            "%s%s%n",
            "../../etc/passwd",
            "a" * 10_000,
            "🧪" * 50,
            "\\u0000",
            "{ __schema { types { name } } }",
        ]
    ),
)


async def record(location: str) -> None:
    store = await open_store(settings_for(location))
    repo = LineageRepository(store)
    rec = await Recorder.start(repo, "target", "target-run")
    await rec.step("load", outputs=["data"])
    await rec.step("train", inputs={"x": "load.data"}, outputs=["model"])
    await repo.add_tags(NodeKind.RUN, rec.run.id, ["keep"])
    await repo.log_metadata(NodeKind.RUN, rec.run.id, {"accuracy": 0.9})
    await store.close()


@pytest.fixture(scope="module", params=STORE_KINDS)
def server(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[str, Any]]:
    """The server's URL and what SNAPSHOT answers before any hostile request, on each
    store."""
    folder = tmp_path_factory.mktemp("hostile")
    location = store_for(str(request.param), request, folder, "hostile")
    asyncio.run(record(location))
    with serving(location, LINEAGEQL_ARTIFACT_STORE=str(folder)) as url:
        yield url, post(url, {"query": SNAPSHOT}).json()


def post(url: str, body: Any) -> httpx.Response:
    response = httpx.post(f"{url}/graphql", json=body, timeout=30)
    assert response.status_code < 500, (body, response.status_code, response.text[:500])
    return response


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(value=hostile)
def test_hostile_strings_never_break_the_server_or_the_data(
    server: tuple[str, Any], value: str
) -> None:
    url, before = server
    variables = {"s": value, "v": value, "l": [value]}
    for query in READS:
        answer = post(url, {"query": query, "variables": variables}).json()
        for error in answer.get("errors", []):
            assert error["extensions"]["code"] not in {"INTERNAL", "GRAPHQL_VALIDATION_FAILED"}, (
                query,
                error,
            )
    for query in REFUSED_WRITES:
        answer = post(url, {"query": query, "variables": {"s": value}}).json()
        assert answer["errors"][0]["extensions"]["code"] in {"NOT_FOUND", "BAD_USER_INPUT"}
    post(url, {"query": value})
    post(url, {"query": SNAPSHOT, "variables": value})
    assert httpx.get(f"{url}/graphql", params={"query": value}).status_code < 500
    download = f"{url}/artifact-versions/{quote(value, safe='')}/download"
    assert httpx.get(download).status_code < 500
    assert post(url, {"query": SNAPSHOT}).json() == before
