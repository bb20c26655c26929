"""What the README says the GraphQL API does, checked on both stores: step neighbours and
consumers, every listing filter and sort field, and the default page size."""

from __future__ import annotations

from typing import Any

import pytest

from lineageql.graph import LineageRepository, NodeKind
from lineageql.records import ExecutionStatus, NewArtifactVersion, NewRun
from tests.graphql_client import execute
from tests.lineage_builders import Recorder


async def data(repo: LineageRepository, query: str, **variables: Any) -> dict[str, Any]:
    answer = await execute(repo, query, **variables)
    assert "errors" not in answer, answer
    return dict(answer["data"])


def names(connection: dict[str, Any]) -> list[str]:
    return [edge["node"]["name"] for edge in connection["edges"]]


async def test_step_neighbours_and_consumers(repo: LineageRepository) -> None:
    rec = await Recorder.start(repo, "chain", "run")
    await rec.step("a", outputs=["x"])
    await rec.step("b", inputs={"i": "a.x"}, outputs=["y"])
    await rec.step("c", inputs={"i": "b.y"}, outputs=["z"])
    await rec.step("d", inputs={"i": "b.y"}, outputs=["w"])
    step = """query($id: ID!, $depth: Int!) { step(id: $id) {
        upstreamSteps(depth: $depth) { name } downstreamSteps(depth: $depth) { name } } }"""
    b = (await data(repo, step, id=rec.steps["b"].id, depth=1))["step"]
    assert [s["name"] for s in b["upstreamSteps"]] == ["a"]
    assert sorted(s["name"] for s in b["downstreamSteps"]) == ["c", "d"]
    c = (await data(repo, step, id=rec.steps["c"].id, depth=2))["step"]
    assert sorted(s["name"] for s in c["upstreamSteps"]) == ["a", "b"]
    assert c["downstreamSteps"] == []
    consumers = await data(
        repo,
        "query($id: ID!) { artifactVersion(id: $id) { consumedBy { name } } }",
        id=rec.version_id("b.y"),
    )
    assert sorted(s["name"] for s in consumers["artifactVersion"]["consumedBy"]) == ["c", "d"]


async def test_listing_filters_by_tag_type_metadata_name_and_time(
    repo: LineageRepository,
) -> None:
    first = await repo.create_artifact_version(
        NewArtifactVersion(name="table", uri="mem://t1", type="data", metadata={"rows": 10})
    )
    middle = await repo.create_artifact_version(
        NewArtifactVersion(name="table", uri="mem://t2", type="data", metadata={"rows": 500})
    )
    last = await repo.create_artifact_version(
        NewArtifactVersion(name="model", uri="mem://m", type="model", tags=["prod"])
    )
    await repo.add_tags(NodeKind.ARTIFACT, last.artifact_id, ["shipped"])
    versions = """query($filter: ArtifactVersionFilter) {
        artifactVersions(filter: $filter) { edges { node { id } } } }"""

    async def version_ids(**spec: Any) -> list[str]:
        found = await data(repo, versions, filter=spec)
        return [edge["node"]["id"] for edge in found["artifactVersions"]["edges"]]

    assert await version_ids(type="model") == [last.id]
    assert await version_ids(tag="prod") == [last.id]
    assert await version_ids(artifactName="table") == [middle.id, first.id]
    assert await version_ids(metadata=[{"key": "rows", "op": "GT", "value": 100}]) == [middle.id]
    assert await version_ids(createdAfter=first.created.replace("Z", "+00:00")) == [
        last.id,
        middle.id,
    ]
    assert await version_ids(createdBefore=last.created.replace("Z", "+00:00")) == [
        middle.id,
        first.id,
    ]
    artifacts = """query($filter: ArtifactFilterInput) {
        artifacts(filter: $filter) { edges { node { name } } } }"""
    assert names((await data(repo, artifacts, filter={"tag": "shipped"}))["artifacts"]) == ["model"]
    assert names((await data(repo, artifacts, filter={"nameStartsWith": "ta"}))["artifacts"]) == [
        "table"
    ]
    assert names((await data(repo, artifacts, filter={"nameContains": "ode"}))["artifacts"]) == [
        "model"
    ]

    early = await repo.create_run(NewRun(pipeline_name="p", name="early"))
    late = await repo.create_run(NewRun(pipeline_name="p", name="late"))
    runs = """query($filter: PipelineRunFilter) {
        pipelineRuns(filter: $filter) { edges { node { name } } } }"""
    after = {"createdAfter": early.created.replace("Z", "+00:00")}
    before = {"createdBefore": late.created.replace("Z", "+00:00")}
    assert names((await data(repo, runs, filter=after))["pipelineRuns"]) == ["late"]
    assert names((await data(repo, runs, filter=before))["pipelineRuns"]) == ["early"]


@pytest.mark.parametrize("direction", ["ASC", "DESC"])
async def test_every_sort_field_orders_the_listings(
    repo: LineageRepository, direction: str
) -> None:
    for index, (name, status) in enumerate(
        [("b-run", "failed"), ("c-run", "completed"), ("a-run", "running")]
    ):
        run = await repo.create_run(NewRun(pipeline_name=f"pipe-{'zya'[index]}", name=name))
        await repo.update_run(
            run.id,
            status=ExecutionStatus(status),
            start_time=f"2026-01-0{3 - index}T00:00:00.000000Z",
            end_time=f"2026-02-0{index + 1}T00:00:00.000000Z",
        )
    expected = {
        "CREATED": ["b-run", "c-run", "a-run"],
        "NAME": ["a-run", "b-run", "c-run"],
        "START_TIME": ["a-run", "c-run", "b-run"],
        "END_TIME": ["b-run", "c-run", "a-run"],
        "STATUS": ["c-run", "b-run", "a-run"],
    }
    query = """query($order: RunOrder) { pipelineRuns(orderBy: $order) {
        edges { node { name } } } }"""
    for field, ascending in expected.items():
        found = await data(repo, query, order={"field": field, "direction": direction})
        wanted = ascending if direction == "ASC" else list(reversed(ascending))
        assert names(found["pipelineRuns"]) == wanted, field
    pipelines = """query($order: NameOrder) { pipelines(orderBy: $order) {
        edges { node { name } } } }"""
    for field, ascending in {
        "CREATED": ["pipe-z", "pipe-y", "pipe-a"],
        "NAME": ["pipe-a", "pipe-y", "pipe-z"],
    }.items():
        found = await data(repo, pipelines, order={"field": field, "direction": direction})
        wanted = ascending if direction == "ASC" else list(reversed(ascending))
        assert names(found["pipelines"]) == wanted, field


async def test_pages_hold_20_unless_asked(repo: LineageRepository) -> None:
    for index in range(21):
        await Recorder.start(repo, "many", f"many-{index:02d}")
    found = await data(
        repo, "{ pipelineRuns { totalCount pageInfo { hasNextPage } edges { node { name } } } }"
    )
    listing = found["pipelineRuns"]
    assert listing["totalCount"] == 21 and len(listing["edges"]) == 20
    assert listing["pageInfo"]["hasNextPage"] is True
    runs = await data(repo, '{ pipeline(name: "many") { runs { edges { cursor } } } }')
    assert len(runs["pipeline"]["runs"]["edges"]) == 20
