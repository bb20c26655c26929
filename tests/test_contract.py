"""The API contract on both stores: one producer per version, lineage as a drawable graph,
and the Client's ZenML list spellings."""

from __future__ import annotations

from pathlib import Path

import pytest

from lineageql import Client
from lineageql.errors import BadInputError
from lineageql.graph import LineageRepository
from lineageql.records import ExecutionStatus, NewStep
from tests.graphql_client import execute
from tests.lineage_builders import Recorder


async def chain(repo: LineageRepository, run_name: str, length: int) -> Recorder:
    """A run whose steps s0..s{length-1} each consume the previous step's output."""
    rec = await Recorder.start(repo, "chain", run_name)
    await rec.step("s0", outputs=["a0"])
    for i in range(1, length):
        await rec.step(f"s{i}", inputs={"x": f"s{i - 1}.a{i - 1}"}, outputs=[f"a{i}"])
    return rec


async def test_produced_by_is_the_step_that_ran_and_reused_by_lists_cached_steps(
    repo: LineageRepository,
) -> None:
    first = await chain(repo, "first", 2)
    second = await Recorder.start(repo, "chain", "second")
    cached = await repo.create_step(
        NewStep(run_id=second.run.id, name="s0", status=ExecutionStatus.CACHED)
    )
    await repo.link_step_io(cached.id, outputs={"a0": first.version_id("s0.a0")})
    answer = await execute(
        repo,
        """query($id: ID!) { artifactVersion(id: $id) {
            producedBy { id status run { name } } reusedBy { id status run { name } } } }""",
        id=first.version_id("s0.a0"),
    )
    version = answer["data"]["artifactVersion"]
    assert version["producedBy"] == {
        "id": first.steps["s0"].id,
        "status": "COMPLETED",
        "run": {"name": "first"},
    }
    assert version["reusedBy"] == [{"id": cached.id, "status": "CACHED", "run": {"name": "second"}}]
    # The cached step's outputs still point at the reused version.
    outputs = await execute(
        repo,
        "query($id: ID!) { step(id: $id) { outputs { name artifactVersion { id } } } }",
        id=cached.id,
    )
    assert outputs["data"]["step"]["outputs"] == [
        {"name": "a0", "artifactVersion": {"id": first.version_id("s0.a0")}}
    ]
    registered = await execute(repo, '{ artifactVersion(name: "a1") { producedBy { id } } }')
    assert registered["data"]["artifactVersion"]["producedBy"] == {"id": first.steps["s1"].id}


LINEAGE = """query($id: ID!, $depth: Int!, $direction: LineageDirection!) {
  lineage(artifactVersionId: $id, depth: $depth, direction: $direction) {
    truncated
    nodes { id kind name depth __typename
      ... on LineageVersionNode { version artifactVersion { id } }
      ... on LineageStepNode { status step { id } } }
    edges { kind source target name }
  }
}"""


async def test_lineage_is_a_graph_of_nodes_and_edges_that_says_when_it_is_cut(
    repo: LineageRepository,
) -> None:
    rec = await chain(repo, "run", 4)
    end = rec.version_id("s3.a3")
    whole = (await execute(repo, LINEAGE, id=end, depth=3, direction="UPSTREAM"))["data"]
    graph = whole["lineage"]
    assert graph["truncated"] is False
    versions = {n["name"]: n for n in graph["nodes"] if n["kind"] == "ARTIFACT_VERSION"}
    steps = {n["name"]: n for n in graph["nodes"] if n["kind"] == "STEP"}
    assert {name: n["depth"] for name, n in versions.items()} == {
        "a3": 0,
        "a2": 1,
        "a1": 2,
        "a0": 3,
    }
    assert {name: n["depth"] for name, n in steps.items()} == {"s3": 1, "s2": 2, "s1": 3}
    assert versions["a3"]["__typename"] == "LineageVersionNode"
    assert versions["a3"]["artifactVersion"]["id"] == end
    assert steps["s3"]["__typename"] == "LineageStepNode" and steps["s3"]["status"] == "COMPLETED"
    ids = {n["id"] for n in graph["nodes"]}
    for edge in graph["edges"]:
        assert edge["source"] in ids and edge["target"] in ids
    produced = {(e["source"], e["target"]) for e in graph["edges"] if e["kind"] == "PRODUCED"}
    assert (rec.steps["s3"].id, end) in produced
    consumed = {(e["source"], e["target"]) for e in graph["edges"] if e["kind"] == "CONSUMED"}
    assert (rec.version_id("s2.a2"), rec.steps["s3"].id) in consumed

    cut = (await execute(repo, LINEAGE, id=end, depth=2, direction="UPSTREAM"))["data"]
    assert cut["lineage"]["truncated"] is True
    assert max(n["depth"] for n in cut["lineage"]["nodes"]) == 2
    downstream = (
        await execute(repo, LINEAGE, id=rec.version_id("s0.a0"), depth=1, direction="DOWNSTREAM")
    )["data"]["lineage"]
    assert downstream["truncated"] is True
    assert {n["name"]: n["depth"] for n in downstream["nodes"]} == {"a0": 0, "s1": 1, "a1": 1}
    both = (await execute(repo, LINEAGE, id=rec.version_id("s1.a1"), depth=5, direction="BOTH"))[
        "data"
    ]["lineage"]
    assert both["truncated"] is False
    assert {n["name"] for n in both["nodes"]} == {"a0", "a1", "a2", "a3", "s0", "s1", "s2", "s3"}


def test_the_client_takes_zenml_list_spellings(sdk_env: Path) -> None:
    from lineageql.client import documents as d

    client = Client()
    names = ["train-a", "train-b", "eval-a", "train-c"]
    for name in names:
        created = client.execute(d.CREATE_RUN, input={"pipelineName": "p", "name": name})
        run_id = created["createPipelineRun"]["id"]
        if name == "eval-a":
            client.execute(d.FINISH_RUN, id=run_id, status="FAILED")
    newest_first = [r.name for r in client.list_pipeline_runs(sort_by="desc:created")]
    assert newest_first == list(reversed(names))
    by_name = [r.name for r in client.list_pipeline_runs(sort_by="asc:name")]
    assert by_name == sorted(names)
    assert [r.name for r in client.list_pipeline_runs(sort_by="asc:name", page=2, size=2)] == [
        "train-b",
        "train-c",
    ]
    assert client.list_pipeline_runs(sort_by="asc:name", page=3, size=2) == []
    prefixed = client.list_pipeline_runs(name="startswith:train", sort_by="asc:name")
    assert [r.name for r in prefixed] == ["train-a", "train-b", "train-c"]
    assert [r.name for r in client.list_pipeline_runs(name="contains:val")] == ["eval-a"]
    assert [r.name for r in client.list_pipeline_runs(name="train-b")] == ["train-b"]
    assert [r.name for r in client.list_pipeline_runs(status="failed")] == ["eval-a"]
    first = client.get_pipeline_run("train-a").created
    assert first is not None
    later = client.list_pipeline_runs(created=f"gt:{first.isoformat()}", sort_by="asc:created")
    assert [r.name for r in later] == names[1:]
    since = client.list_pipeline_runs(created=f"gte:{first.isoformat()}", sort_by="asc:created")
    assert [r.name for r in since] == names
    assert client.list_pipeline_runs(created="lt:2000-01-01") == []
    for bad, words in (
        ({"sort_by": "sideways:name"}, "asc:FIELD"),
        ({"sort_by": "desc:colour"}, "sortable fields are created, name"),
        ({"name": "endswith:a"}, "startswith:PREFIX"),
        ({"created": "around:2026-01-01"}, "gte:TIME"),
        ({"created": "gte:yesterday"}, "not a time"),
        ({"status": "sleeping"}, "is not a status"),
        ({"page": 0}, "page"),
        ({"size": 1000}, "size"),
    ):
        with pytest.raises(BadInputError, match=words):
            client.list_pipeline_runs(**bad)  # type: ignore[arg-type]
    assert [p.name for p in client.list_pipelines(name="startswith:p")] == ["p"]
