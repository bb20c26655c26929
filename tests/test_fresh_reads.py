"""Reads that keep answers across writes never serve a stale one: on both stores, through
the planned read path and the resolvers, with every cache warm, each kind of write is seen by
the next read (a new run, a step that finished, a tag, metadata, a new latest version, a
downstream that grew, a cached step reusing a version, an OpenLineage event, a prune, a
deleted run), also while other reads run beside the writes."""

from __future__ import annotations

import asyncio
import json
import uuid
from pathlib import Path
from typing import Any

import httpx
import pytest

from lineageql.graph import LineageRepository, NodeKind, open_store
from lineageql.openlineage import change_of, parse_run_event
from lineageql.records import ExecutionStatus, NewArtifactVersion, NewRun, NewStep
from tests.graphql_client import execute
from tests.lineage_builders import Recorder
from tests.servers import serving, settings_for, store_for

PATHS = (True, False)
WATCH = """query($data: ID!, $model: ID!) {
  pipeline(name: "training") { runCount
    runs(first: 50) { totalCount edges { node { name status tags
      runMetadata { key value }
      steps { name status outputs { name artifactVersion { id name version } } } } } } }
  pipelineRuns(first: 50) { totalCount }
  latest: artifactVersion(name: "model") { id version }
  data: artifactVersion(id: $data) { id downstream(depth: 3) { id }
    consumedBy { name } tags runMetadata { key value } }
  model: artifactVersion(id: $model) { id upstream(depth: 3) { id }
    producedBy { name } reusedBy { name } }
  up: lineage(artifactVersionId: $model, direction: UPSTREAM, depth: 5) {
    steps { name } artifactVersions { artifactVersion { id } }
    nodes { id ... on LineageVersionNode { reuseCount } } }
  down: lineage(artifactVersionId: $data, direction: DOWNSTREAM, depth: 5) {
    steps { name } artifactVersions { artifactVersion { id } } }
}"""


async def watch(
    repo: LineageRepository, ids: dict[str, str], paths: tuple[bool, ...] = PATHS
) -> dict[str, Any]:
    """The watched answer through ``paths`` (both by default, which must agree)."""
    answers = [await execute(repo, WATCH, fast_reads=fast, **ids) for fast in paths]
    for answer in answers:
        assert "errors" not in answer, answer["errors"]
    assert all(answer == answers[0] for answer in answers)
    data: dict[str, Any] = answers[0]["data"]
    return data


def runs(data: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {edge["node"]["name"]: edge["node"] for edge in data["pipeline"]["runs"]["edges"]}


def ids_of(items: list[dict[str, Any]]) -> set[str]:
    return {item["id"] for item in items}


async def test_every_kind_of_write_is_seen_by_the_next_read(repo: LineageRepository) -> None:
    first = await Recorder.start(repo, "training", "run-1")
    await first.step("load", outputs=["data"])
    await first.step("train", inputs={"x": "load.data"}, outputs=["model"])
    data, model = first.version_id("load.data"), first.version_id("train.model")
    ids = {"data": data, "model": model}
    before = await watch(repo, ids)
    await watch(repo, ids)  # every cache warm

    # A new run whose step is still running, consuming the data.
    second = await repo.create_run(NewRun(pipeline_name="training", name="run-2"))
    running = await repo.create_step(NewStep(run_id=second.id, name="train"), {"x": data})
    seen = await watch(repo, ids)
    assert seen["pipeline"]["runCount"] == before["pipeline"]["runCount"] + 1
    assert seen["pipelineRuns"]["totalCount"] == 2
    assert runs(seen)["run-2"]["steps"] == [{"name": "train", "status": "RUNNING", "outputs": []}]
    assert [c["name"] for c in seen["data"]["consumedBy"]] == ["train", "train"]

    # The step finishes with a new model: the latest version, a longer downstream.
    finished = await repo.finish_step(
        running.id, outputs={"model": NewArtifactVersion(name="model", uri="mem://run-2/model")}
    )
    new_model = finished.outputs["model"]
    seen = await watch(repo, ids)
    assert runs(seen)["run-2"]["steps"][0]["status"] == "COMPLETED"
    assert seen["latest"] == {"id": new_model, "version": "2"}
    assert new_model in ids_of(seen["data"]["downstream"])
    assert new_model in {v["artifactVersion"]["id"] for v in seen["down"]["artifactVersions"]}

    # Another step of the same run, consuming the new model.
    await repo.record_step(
        NewStep(run_id=second.id, name="evaluate", status=ExecutionStatus.COMPLETED),
        {"model": new_model},
    )
    seen = await watch(repo, ids)
    assert [s["name"] for s in runs(seen)["run-2"]["steps"]] == ["train", "evaluate"]

    # Tags and metadata.
    await repo.add_tags(NodeKind.RUN, second.id, ["candidate"])
    await repo.add_tags(NodeKind.ARTIFACT_VERSION, data, ["golden"])
    await repo.log_metadata(NodeKind.RUN, second.id, {"accuracy": 0.93})
    await repo.log_metadata(NodeKind.ARTIFACT_VERSION, data, {"rows": 150})
    await repo.update_run(second.id, status=ExecutionStatus.COMPLETED)
    seen = await watch(repo, ids)
    assert runs(seen)["run-2"]["tags"] == ["candidate"]
    assert runs(seen)["run-2"]["status"] == "COMPLETED"
    assert runs(seen)["run-2"]["runMetadata"] == [{"key": "accuracy", "value": 0.93}]
    assert seen["data"]["tags"] == ["golden"]
    assert seen["data"]["runMetadata"] == [{"key": "rows", "value": 150}]

    # A cached step of a third run reuses the first model: counted on the model's node
    # (lineage draws the step that ran, not each reuse).
    third = await repo.create_run(NewRun(pipeline_name="training", name="run-3"))
    cached = await repo.create_step(NewStep(run_id=third.id, name="train"), {"x": data})
    await repo.finish_step(cached.id, outputs={"model": model}, status=ExecutionStatus.CACHED)
    seen = await watch(repo, ids)
    assert [s["name"] for s in seen["model"]["reusedBy"]] == ["train"]
    assert len(seen["up"]["steps"]) == len(before["up"]["steps"])

    def reuses(answer: dict[str, Any]) -> int:
        return next(n["reuseCount"] for n in answer["up"]["nodes"] if n["id"] == model)

    assert reuses(seen) == reuses(before) + 1

    # An OpenLineage event: a job reading the model writes a report.
    event = {
        "eventType": "COMPLETE",
        "eventTime": "2026-11-30T12:00:00Z",
        "producer": "https://github.com/apache/airflow/tree/providers-openlineage/2.1.0",
        "run": {"runId": str(uuid.uuid4())},
        "job": {"namespace": "airflow", "name": "report"},
        "inputs": [{"namespace": "mem", "name": "model"}],
        "outputs": [{"namespace": "s3://reports", "name": "weekly.html"}],
    }
    report = '{ artifact(name: "s3://reports/weekly.html") { name versions { totalCount } } }'
    for fast in PATHS:  # an answer that it is missing, kept until the event arrives
        assert (await execute(repo, report, fast_reads=fast))["data"] == {"artifact": None}
    await repo.record_run_event(change_of(parse_run_event(repr_json(event))))
    seen = await watch(repo, ids)
    assert seen["pipelineRuns"]["totalCount"] == 4
    for fast in PATHS:
        found = (await execute(repo, report, fast_reads=fast))["data"]["artifact"]
        assert found == {"name": "s3://reports/weekly.html", "versions": {"totalCount": 1}}

    # Deleting the first run removes its steps, and with them the model's upstream edges.
    await repo.delete_run(first.run.id)
    seen = await watch(repo, ids)
    assert "run-1" not in runs(seen)
    assert seen["model"]["upstream"] == [{"id": data}]  # run-3's cached step still links it
    await repo.delete_run(third.id)
    seen = await watch(repo, ids)
    assert seen["model"]["upstream"] == [] and seen["model"]["reusedBy"] == []


async def test_reads_beside_writes_end_fresh(repo: LineageRepository) -> None:
    """Readers run while a writer records runs: whatever they saw meanwhile, the read after
    the last write sees every run and every output."""
    first = await Recorder.start(repo, "training", "run-0")
    await first.step("load", outputs=["data"])
    await first.step("train", inputs={"x": "load.data"}, outputs=["model"])
    ids = {"data": first.version_id("load.data"), "model": first.version_id("train.model")}
    stop = asyncio.Event()

    async def reader(fast: bool) -> int:
        reads = 0
        while not stop.is_set():
            await watch(repo, ids, (fast,))
            reads += 1
        return reads

    async def writer() -> None:
        for index in range(1, 9):
            run = await repo.create_run(NewRun(pipeline_name="training", name=f"run-{index}"))
            step = await repo.create_step(NewStep(run_id=run.id, name="train"), {"x": ids["data"]})
            await repo.finish_step(
                step.id,
                outputs={"model": NewArtifactVersion(name="model", uri=f"mem://{index}/model")},
            )
        stop.set()

    *reads, _ = await asyncio.gather(reader(True), reader(False), writer())
    assert all(count > 0 for count in reads)
    seen = await watch(repo, ids)
    assert seen["pipeline"]["runCount"] == 9
    assert seen["latest"]["version"] == "9"
    assert len(seen["data"]["downstream"]) == 9
    assert all(node["steps"][-1]["outputs"] for node in runs(seen).values())


def repr_json(value: Any) -> bytes:
    return json.dumps(value).encode()


SERVED_WATCH = """query($id: ID!) {
  pipeline(name: "shared") { runCount runs(first: 10) { edges { node { name status tags
    steps { name status outputs { name } } } } } }
  artifactVersion(id: $id) { downstream { name } consumedBy { name } }
}"""


def test_a_server_sees_what_other_processes_write_to_its_neo4j(
    request: pytest.FixtureRequest, tmp_path: Path
) -> None:
    """The server keeps answers between requests on Neo4j too; writes by another process (an
    SDK run writing straight to the database) are learned before the next request reads."""
    location = store_for("neo4j", request, tmp_path, "shared")

    async def record() -> tuple[str, str]:
        store = await open_store(settings_for(location))
        repo = LineageRepository(store)
        rec = await Recorder.start(repo, "shared", "shared-1")
        await rec.step("load", outputs=["data"])
        await store.close()
        return rec.run.id, rec.version_id("load.data")

    run_id, data = asyncio.run(record())
    with serving(location) as url:

        def read() -> dict[str, Any]:
            answer = httpx.post(
                f"{url}/graphql", json={"query": SERVED_WATCH, "variables": {"id": data}}
            ).json()
            assert "errors" not in answer, answer
            return dict(answer["data"])

        before = read()
        assert read() == before  # warm
        assert before["pipeline"]["runCount"] == 1

        async def write_elsewhere() -> None:
            store = await open_store(settings_for(location))
            repo = LineageRepository(store)
            run = await repo.create_run(NewRun(pipeline_name="shared", name="shared-2"))
            step = await repo.create_step(NewStep(run_id=run.id, name="train"), {"x": data})
            await repo.finish_step(
                step.id, outputs={"model": NewArtifactVersion(name="model", uri="mem://m")}
            )
            await repo.add_tags(NodeKind.RUN, run_id, ["checked"])
            await store.close()

        asyncio.run(write_elsewhere())
        after = read()
        assert after["pipeline"]["runCount"] == 2
        runs = {edge["node"]["name"]: edge["node"] for edge in after["pipeline"]["runs"]["edges"]}
        assert runs["shared-1"]["tags"] == ["checked"]
        assert runs["shared-2"]["steps"] == [
            {"name": "train", "status": "COMPLETED", "outputs": [{"name": "model"}]}
        ]
        assert after["artifactVersion"]["downstream"] == [{"name": "model"}]
        assert after["artifactVersion"]["consumedBy"] == [{"name": "train"}]
