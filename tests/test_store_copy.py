"""`lineageql store copy`: an embedded store into Neo4j and back, after which both answer
every listing and lineage query the same."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from lineageql.graph import LineageRepository, open_store
from lineageql.graph.store import GraphStore
from lineageql.openlineage import change_of, parse_run_event
from tests.conftest import open_neo4j
from tests.graphql_client import execute
from tests.servers import neo4j_credentials, settings_for
from tests.test_read_path import record_history

LISTINGS = """{
  pipelines(first: 100) { totalCount edges { cursor node { id name docstring created
    runCount tags versions { version structureHash created }
    runs(first: 100) { totalCount edges { node { id } } } } } }
  pipelineRuns(first: 100) { totalCount edges { node { id name status created startTime
    endTime config settings gitSha tags runMetadata { key type value }
    pipelineVersion { version }
    steps { id name stepName status cacheKey parameters settings errorMessage sourceHash
      startTime endTime runMetadata { key type value }
      inputs { name artifactVersion { id } } outputs { name artifactVersion { id } } } } } }
  artifacts(first: 100) { totalCount edges { node { id name created tags
    versions(first: 100) { totalCount edges { node { id } } } } } }
  artifactVersions(first: 100) { totalCount edges { node { id name version type dataType uri
    materializer saveType created tags visualizations { type uri }
    runMetadata { key type value }
    producedBy { id } reusedBy { id } consumedBy { id } } } }
  models(first: 10) { totalCount edges { node { id name created license tags
    versions(first: 20) { id number name stage created description tags
      runMetadata { key type value } artifacts { kind artifactVersion { id } } runs { id }
      stageHistory { fromStage toStage at by } } } } }
}"""

LINEAGE = """query($id: ID!) {
  lineage(artifactVersionId: $id, direction: BOTH, depth: 10) {
    truncated nodes { id kind name depth } edges { kind source target name }
  }
}"""

OPENLINEAGE_EVENT = b"""{"eventType": "COMPLETE", "eventTime": "2026-11-20T06:00:00Z",
  "run": {"runId": "3f1d2c4b-9a8e-4f70-b6d5-1c2e3f4a5b6c",
          "facets": {"processing_engine": {"name": "spark", "version": "3.5.1"}}},
  "job": {"namespace": "spark", "name": "daily_totals", "facets": {"sql": {"query": "select 1"}}},
  "inputs": [{"namespace": "s3://lake", "name": "events"}],
  "outputs": [{"namespace": "s3://lake", "name": "totals",
               "facets": {"schema": {"fields": [{"name": "total", "type": "DOUBLE"}]}}}]}"""


async def answers(store: GraphStore) -> dict[str, Any]:
    """Every listing, and the lineage of every version, as the API answers them."""
    repo = LineageRepository(store)
    listed = await execute(repo, LISTINGS)
    assert "errors" not in listed, listed
    versions = [e["node"]["id"] for e in listed["data"]["artifactVersions"]["edges"]]
    lineages = {}
    for version_id in versions:
        answer = await execute(repo, LINEAGE, id=version_id)
        assert "errors" not in answer, answer
        lineages[version_id] = answer["data"]
    return {"listings": listed["data"], "lineage": lineages}


def copy(source: str, target: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "lineageql", "store", "copy", "--from", source, "--to", target],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
        env={**os.environ, **neo4j_credentials(), "COLUMNS": "200"},
    )


@pytest.fixture
def history_file(tmp_path: Path) -> str:
    """An embedded store holding runs with a cached step and a failure, metadata of every
    type, tags, a version no step produced, and an OpenLineage job."""
    path = str(tmp_path / "history.lbdb")

    async def record() -> None:
        store = await open_store(settings_for(path))
        try:
            repo = LineageRepository(store)
            await record_history(repo)
            await repo.record_run_event(change_of(parse_run_event(OPENLINEAGE_EVENT)))
        finally:
            await store.close()

    asyncio.run(record())
    return path


def test_a_store_copied_to_neo4j_and_back_answers_the_same(
    history_file: str, neo4j_url: str, tmp_path: Path
) -> None:
    asyncio.run(_empty(neo4j_url))
    copied = copy(history_file, neo4j_url)
    assert copied.returncode == 0, copied.stdout + copied.stderr
    assert "Copied" in copied.stdout

    back = str(tmp_path / "back.lbdb")
    returned = copy(neo4j_url, back)
    assert returned.returncode == 0, returned.stdout + returned.stderr

    original, on_neo4j, round_trip = (
        asyncio.run(_answers_of(location)) for location in (history_file, neo4j_url, back)
    )
    assert original["listings"]["artifactVersions"]["totalCount"] == 7
    assert on_neo4j == original
    assert round_trip == original

    # A second copy into the same target would mix two histories: refused, nothing written.
    again = copy(history_file, neo4j_url)
    assert again.returncode == 1
    assert "already holds data" in again.stdout and "copy into an empty store" in again.stdout
    assert asyncio.run(_answers_of(neo4j_url)) == original


def test_a_missing_source_is_a_clear_error(tmp_path: Path) -> None:
    missing = copy("bolt://127.0.0.1:9", str(tmp_path / "target.lbdb"))
    assert missing.returncode == 1
    assert "cannot reach Neo4j at bolt://127.0.0.1:9" in missing.stdout


async def _empty(url: str) -> None:
    await (await open_neo4j(url)).close()


async def _answers_of(location: str) -> dict[str, Any]:
    store = await open_store(settings_for(location))
    try:
        return await answers(store)
    finally:
        await store.close()
