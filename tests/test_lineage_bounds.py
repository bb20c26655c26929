"""Lineage that is wide or large: a wide frontier in one hop, the size bound, and the error
for an answer over it, on both stores."""

from __future__ import annotations

import pytest

from lineageql.graph import LineageRepository
from lineageql.graph.repository import lineage as lineage_reads
from lineageql.records import NewArtifactVersion, NewStep
from tests.graphql_client import execute
from tests.lineage_builders import Recorder


async def test_a_wide_frontier_hops_in_one_query_with_the_same_answer(
    repo: LineageRepository,
) -> None:
    wide = 160
    rec = await Recorder.start(repo, "fan", "fan-in")
    inputs = {}
    for i in range(wide):
        version = await repo.create_artifact_version(
            NewArtifactVersion(name=f"part_{i:03d}", uri=f"mem://{i}")
        )
        inputs[f"in_{i:03d}"] = version.id
    step = await repo.create_step(NewStep(run_id=rec.run.id, name="merge"), inputs)
    done = await repo.finish_step(
        step.id, outputs={"all": NewArtifactVersion(name="merged", uri="mem://all")}
    )
    merged = done.outputs["all"]
    [upstream] = await repo.upstream_version_ids([merged], depth=2)
    assert sorted(upstream) == sorted(inputs.values())
    # Downstream from every input at once: a frontier of `wide` ids, one hop, one query.
    before = repo.store.round_trips
    downstream = await repo.downstream_version_ids(list(inputs.values()), depth=1)
    assert all(found == [merged] for found in downstream)
    assert repo.store.round_trips - before == 1


async def test_lineage_stops_at_the_size_bound_and_lists_refuse_past_it(
    repo: LineageRepository, monkeypatch: pytest.MonkeyPatch
) -> None:
    rec = await Recorder.start(repo, "chain", "run")
    await rec.step("s0", outputs=["a0"])
    for i in range(1, 5):
        await rec.step(f"s{i}", inputs={"x": f"s{i - 1}.a{i - 1}"}, outputs=[f"a{i}"])
    end = rec.version_id("s4.a4")
    monkeypatch.setattr(lineage_reads, "MAX_LINEAGE_NODES", 3)
    answer = await execute(
        repo,
        "query($id: ID!) { lineage(artifactVersionId: $id, depth: 10) { truncated "
        "artifactVersions { depth artifactVersion { name } } } }",
        id=end,
    )
    graph = answer["data"]["lineage"]
    assert graph["truncated"] is True
    assert [v["artifactVersion"]["name"] for v in graph["artifactVersions"]] == ["a4", "a3", "a2"]
    too_large = await execute(
        repo,
        "query($id: ID!) { artifactVersion(id: $id) { upstream(depth: 10) { name } } }",
        id=end,
    )
    [error] = too_large["errors"]
    assert error["code"] == "RESPONSE_TOO_LARGE"
    assert "more than 3 versions" in error["message"] and "smaller depth" in error["message"]
    small = await execute(
        repo, "query($id: ID!) { artifactVersion(id: $id) { upstream(depth: 2) { name } } }", id=end
    )
    assert [v["name"] for v in small["data"]["artifactVersion"]["upstream"]] == ["a3", "a2"]
