"""The GraphQL schema on both stores: the walk users make, batching, and error codes."""

from __future__ import annotations

import pytest

from lineageql.graph import GraphStore, LineageRepository, NodeKind
from tests.graphql_client import execute
from tests.lineage_builders import Recorder

WALK = """
query Walk($first: Int!) {
  pipeline(name: "training") {
    name
    runCount
    lastRun { name }
    runs(first: $first) {
      totalCount
      pageInfo { hasNextPage endCursor }
      edges { cursor node {
        name status
        steps {
          name
          outputs { name artifactVersion {
            name version
            producedBy { name }
            upstream(depth: 2) { name version }
          } }
        }
      } }
    }
  }
}
"""


async def record_runs(repo: LineageRepository, count: int) -> None:
    for i in range(count):
        rec = await Recorder.start(repo, "training", f"training-{i:03d}")
        await rec.step("load", outputs=["data"])
        await rec.step("clean", inputs={"raw": "load.data"}, outputs=["clean"])
        await rec.step("train", inputs={"x": "clean.clean"}, outputs=["model", "metrics"])


async def test_walk_from_pipeline_to_upstream_lineage(repo: LineageRepository) -> None:
    await record_runs(repo, 3)
    answer = await execute(repo, WALK, first=2)
    assert "errors" not in answer
    pipeline = answer["data"]["pipeline"]
    assert (pipeline["name"], pipeline["runCount"]) == ("training", 3)
    assert pipeline["lastRun"]["name"] == "training-002"
    runs = pipeline["runs"]
    assert runs["totalCount"] == 3 and runs["pageInfo"]["hasNextPage"] is True
    assert [e["node"]["name"] for e in runs["edges"]] == ["training-002", "training-001"]
    steps = runs["edges"][0]["node"]["steps"]
    assert [s["name"] for s in steps] == ["load", "clean", "train"]
    train_outputs = {o["name"]: o["artifactVersion"] for o in steps[2]["outputs"]}
    model = train_outputs["model"]
    assert (model["name"], model["version"]) == ("model", "3")
    assert model["producedBy"] == {"name": "train"}
    assert sorted((u["name"], u["version"]) for u in model["upstream"]) == [
        ("clean", "3"),
        ("data", "3"),
    ]

    after = runs["pageInfo"]["endCursor"]
    rest = await execute(
        repo,
        'query($after: String) { pipeline(name: "training") { runs(first: 2, after: $after) '
        "{ edges { node { name } } pageInfo { hasNextPage } } } }",
        after=after,
    )
    page = rest["data"]["pipeline"]["runs"]
    assert [e["node"]["name"] for e in page["edges"]] == ["training-000"]
    assert page["pageInfo"]["hasNextPage"] is False


async def test_round_trips_do_not_grow_with_the_number_of_runs(
    store: GraphStore, repo: LineageRepository
) -> None:
    await record_runs(repo, 20)
    trips = {}
    for first in (2, 20):
        before = store.round_trips
        # A new repository each time: nothing kept from the walk before (see read_cache).
        answer = await execute(LineageRepository(store), WALK, first=first)
        assert "errors" not in answer
        assert len(answer["data"]["pipeline"]["runs"]["edges"]) == first
        trips[first] = store.round_trips - before
    assert trips[2] == trips[20], trips


async def test_run_lookups_and_error_codes(repo: LineageRepository) -> None:
    await record_runs(repo, 2)
    one = await execute(repo, '{ pipelineRun(namePrefix: "training-001") { name } }')
    assert one["data"]["pipelineRun"]["name"] == "training-001"

    ambiguous = await execute(repo, '{ pipelineRun(namePrefix: "training") { name } }')
    [error] = ambiguous["errors"]
    assert error["code"] == "AMBIGUOUS"
    assert set(error["candidates"]) == {"training-000", "training-001"}

    both = await execute(repo, '{ pipelineRun(name: "a", namePrefix: "b") { name } }')
    assert both["errors"][0]["code"] == "BAD_USER_INPUT"
    assert "exactly one of" in both["errors"][0]["message"]

    too_many = await execute(repo, "{ pipelineRuns(first: 101) { totalCount } }")
    assert too_many["errors"][0]["code"] == "BAD_USER_INPUT"
    assert "first: must be from 0 to 100" in too_many["errors"][0]["message"]

    missing = await execute(repo, '{ pipelineRun(namePrefix: "nope") { name } }')
    assert missing["errors"][0]["code"] == "NOT_FOUND"

    unknown = await execute(
        repo, '{ pipelineRun(id: "00000000-0000-0000-0000-000000000000") { name } }'
    )
    assert unknown == {"data": {"pipelineRun": None}}

    several = await execute(
        repo,
        '{ pipelineRun(name: "training-000") { step(name: "train") { output { name } } } }',
    )
    assert several["errors"][0]["code"] == "BAD_USER_INPUT"
    assert "several outputs (metrics, model)" in several["errors"][0]["message"]


async def test_filters_and_lineage_graph(repo: LineageRepository) -> None:
    await record_runs(repo, 2)
    filtered = await execute(
        repo,
        '{ pipelineRuns(filter: {nameContains: "001"}, orderBy: {field: NAME, direction: ASC}) '
        "{ totalCount edges { node { name pipeline { name } } } } }",
    )
    runs = filtered["data"]["pipelineRuns"]
    assert runs["totalCount"] == 1
    assert runs["edges"][0]["node"] == {"name": "training-001", "pipeline": {"name": "training"}}
    other = await Recorder.start(repo, "scoring", "scoring-000")
    await other.step("score_batch", outputs=["scores"])
    by_step = await execute(
        repo,
        '{ some: pipelineRuns(filter: {stepNameContains: "ean"}) { totalCount } '
        'one: pipelineRuns(filter: {stepNameContains: "score_"}) { edges { node { name } } } '
        'none: pipelineRuns(filter: {stepNameContains: "nowhere"}) { totalCount } }',
    )
    assert by_step["data"]["some"]["totalCount"] == 2  # "clean", in both training runs
    assert by_step["data"]["one"]["edges"] == [{"node": {"name": "scoring-000"}}]
    assert by_step["data"]["none"]["totalCount"] == 0

    version = await execute(repo, '{ artifactVersion(name: "model") { id version } }')
    latest = version["data"]["artifactVersion"]
    assert latest["version"] == "2"
    lineage = await execute(
        repo,
        "query($id: ID!) { lineage(artifactVersionId: $id, depth: 2) { "
        "artifactVersions { depth artifactVersion { name } } steps { name } "
        "edges { kind name } } }",
        id=latest["id"],
    )
    graph = lineage["data"]["lineage"]
    assert {(n["artifactVersion"]["name"], n["depth"]) for n in graph["artifactVersions"]} == {
        ("model", 0),
        ("clean", 1),
        ("data", 2),
    }
    assert {s["name"] for s in graph["steps"]} == {"train", "clean"}
    assert {(e["kind"], e["name"]) for e in graph["edges"]} == {
        ("PRODUCED", "model"),
        ("CONSUMED", "x"),
        ("PRODUCED", "clean"),
        ("CONSUMED", "raw"),
    }
    bad_depth = await execute(
        repo,
        "query($id: ID!) { lineage(artifactVersionId: $id, depth: 51) { steps { name } } }",
        id=latest["id"],
    )
    assert bad_depth["errors"][0]["code"] == "BAD_USER_INPUT"


COMPARE = """
query($ids: [ID!]!, $keys: [String!]) {
  compareRuns(ids: $ids, keys: $keys) {
    runs { name }
    rows { key cells { value change } }
  }
}
"""


async def test_compare_runs_tabulates_metadata_with_changes(repo: LineageRepository) -> None:
    logged = [
        {"accuracy": 0.80, "optimizer": "sgd"},
        {"optimizer": "adam"},
        {"accuracy": 0.92, "optimizer": "adam"},
    ]
    ids = []
    for i, values in enumerate(logged):
        rec = await Recorder.start(repo, "train", f"train-{i}")
        await repo.log_metadata(NodeKind.RUN, rec.run.id, values)
        ids.append(rec.run.id)

    answer = await execute(repo, COMPARE, ids=list(reversed(ids)))
    table = answer["data"]["compareRuns"]
    assert [r["name"] for r in table["runs"]] == ["train-0", "train-1", "train-2"]
    rows = {row["key"]: row["cells"] for row in table["rows"]}
    assert [c["value"] for c in rows["accuracy"]] == [0.80, None, 0.92]
    assert rows["accuracy"][2]["change"] == pytest.approx(0.12)
    assert [c["change"] for c in rows["accuracy"][:2]] == [None, None]
    assert [c["value"] for c in rows["optimizer"]] == ["sgd", "adam", "adam"]
    assert all(c["change"] is None for c in rows["optimizer"])

    only = await execute(repo, COMPARE, ids=ids, keys=["accuracy"])
    assert [row["key"] for row in only["data"]["compareRuns"]["rows"]] == ["accuracy"]

    too_many = await execute(repo, COMPARE, ids=[f"id-{i}" for i in range(21)])
    assert too_many["errors"][0]["code"] == "BAD_USER_INPUT"
    unknown = await execute(repo, COMPARE, ids=[ids[0], "nope"])
    assert unknown["errors"][0]["code"] == "NOT_FOUND"


async def test_documents_the_schema_rejects_carry_a_code(repo: LineageRepository) -> None:
    nested = "name " + "".join("steps { run { " for _ in range(6)) + "name" + " } }" * 6
    too_deep = await execute(repo, f'{{ pipelineRun(name: "x") {{ {nested} }} }}')
    assert too_deep["data"] is None
    assert too_deep["errors"][0]["code"] == "GRAPHQL_VALIDATION_FAILED"
    assert "exceeds maximum operation depth of 12" in too_deep["errors"][0]["message"]

    unknown = await execute(repo, "{ pipelines { edges { node { colour } } } }")
    assert unknown["errors"][0]["code"] == "GRAPHQL_VALIDATION_FAILED"
    assert "Cannot query field 'colour'" in unknown["errors"][0]["message"]
