"""The model registry through GraphQL, on both stores: versions, what they hold, stages and
their history, as-of lookups, coded errors that leave the registry as it was."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime
from typing import Any

from lineageql.graph import LineageRepository
from lineageql.graph.store import GraphStore
from tests.graphql_client import execute
from tests.lineage_builders import Recorder

NEW_VERSION = """
mutation($input: ModelVersionInput!) { createModelVersion(input: $input) { id number name stage } }
"""
LINK = """
mutation($id: ID!, $artifacts: [ModelArtifactInput!]!, $runs: [ID!]!) {
  linkModelArtifacts(modelVersionId: $id, artifacts: $artifacts) { id }
  linkModelRuns(modelVersionId: $id, runIds: $runs) { id }
}
"""
SET_STAGE = """
mutation($id: ID!, $stage: ModelStage!, $force: Boolean!) {
  setModelVersionStage(id: $id, stage: $stage, force: $force) { id name stage }
}
"""
WALK = """
query($first: Int!) {
  model(name: "iris_classifier") {
    name
    versions(first: $first) {
      number stage
      artifacts { kind artifactVersion { name upstream(depth: 3) { name } } }
    }
  }
}
"""


async def train(repo: LineageRepository, index: int) -> tuple[Recorder, dict[str, Any]]:
    """One training run (load -> train) recorded as a new version of iris_classifier holding
    its model and its training data; the version as created."""
    run = await Recorder.start(repo, "iris_training", f"iris_training-{index:03d}")
    await run.step("load", outputs=["iris_data"])
    await run.step("train", inputs={"data": "load.iris_data"}, outputs=["iris_svc"])
    made = await execute(
        repo,
        NEW_VERSION,
        input={"model": "iris_classifier", "metadata": {"accuracy": 0.9 + index / 1000}},
    )
    version = made["data"]["createModelVersion"]
    linked = await execute(
        repo,
        LINK,
        id=version["id"],
        artifacts=[
            {"artifactVersionId": run.version_id("train.iris_svc"), "kind": "MODEL"},
            {"artifactVersionId": run.version_id("load.iris_data"), "kind": "DATA"},
        ],
        runs=[run.run.id],
    )
    assert "errors" not in linked, linked
    return run, version


async def stage(repo: LineageRepository, version_id: str, stage: str, force: bool = False) -> Any:
    return await execute(repo, SET_STAGE, id=version_id, stage=stage, force=force)


async def test_versions_hold_artifacts_and_runs_and_walk_on_into_lineage(
    repo: LineageRepository,
) -> None:
    created = await execute(
        repo,
        """mutation { createModel(input: {name: "iris_classifier", license: "MIT",
             useCases: "flower species", tags: ["sklearn"]}) { name license useCases tags } }""",
    )
    assert created["data"]["createModel"] == {
        "name": "iris_classifier",
        "license": "MIT",
        "useCases": "flower species",
        "tags": ["sklearn"],
    }
    runs = [await train(repo, i) for i in range(3)]
    assert [v["number"] for _, v in runs] == [1, 2, 3]
    assert {v["stage"] for _, v in runs} == {"NONE"}

    answer = await execute(repo, WALK, first=2)
    assert "errors" not in answer, answer
    versions = answer["data"]["model"]["versions"]
    assert [v["number"] for v in versions] == [3, 2]
    held = {a["kind"]: a["artifactVersion"] for a in versions[0]["artifacts"]}
    assert held["MODEL"]["name"] == "iris_svc"
    assert [u["name"] for u in held["MODEL"]["upstream"]] == ["iris_data"]
    assert held["DATA"] == {"name": "iris_data", "upstream": []}

    run, _version = runs[1]
    detail = await execute(
        repo,
        """query($id: ID!) { pipelineRun(id: $id) { name }
             modelVersion(model: "iris_classifier", number: 2) {
               name runs { name } modelArtifact { id } runMetadata { key value type }
               model { name } } }""",
        id=run.run.id,
    )
    found = detail["data"]["modelVersion"]
    assert found["name"] == "2"
    assert found["runs"] == [{"name": run.run.name}]
    assert found["modelArtifact"] == {"id": run.version_id("train.iris_svc")}
    assert found["runMetadata"] == [{"key": "accuracy", "value": 0.901, "type": "float"}]
    # From the artifact back to the versions that hold it.
    back = await execute(
        repo,
        "query($id: ID!) { artifactVersion(id: $id) { modelVersions { number } } }",
        id=run.version_id("train.iris_svc"),
    )
    assert back["data"]["artifactVersion"]["modelVersions"] == [{"number": 2}]


async def test_one_production_version_with_every_change_in_its_history(
    repo: LineageRepository,
) -> None:
    versions = [(await train(repo, i))[1] for i in range(3)]
    first, second, third = (v["id"] for v in versions)
    assert (await stage(repo, first, "PRODUCTION"))["data"]["setModelVersionStage"]["stage"] == (
        "PRODUCTION"
    )
    before_second = datetime.now(UTC)

    refused = await stage(repo, second, "PRODUCTION")
    [error] = refused["errors"]
    assert error["code"] == "CONFLICT"
    assert "'1' is in production" in error["message"] and "force" in error["message"]

    forced = await stage(repo, second, "PRODUCTION", force=True)
    assert forced["data"]["setModelVersionStage"]["stage"] == "PRODUCTION"
    assert (await stage(repo, third, "STAGING"))["data"]["setModelVersionStage"]["stage"] == (
        "STAGING"
    )
    answer = await execute(
        repo,
        """{ model(name: "iris_classifier") { versions { number stage
              stageHistory { fromStage toStage by } } }
             production: modelVersion(model: "iris_classifier", version: "production") { number }
             staging: modelVersion(model: "iris_classifier", stage: STAGING) { number } }""",
    )
    stages = {v["number"]: v for v in answer["data"]["model"]["versions"]}
    assert {n: v["stage"] for n, v in stages.items()} == {
        1: "ARCHIVED",
        2: "PRODUCTION",
        3: "STAGING",
    }
    assert [(c["fromStage"], c["toStage"]) for c in stages[1]["stageHistory"]] == [
        ("NONE", "PRODUCTION"),
        ("PRODUCTION", "ARCHIVED"),
    ]
    assert answer["data"]["production"] == {"number": 2}
    assert answer["data"]["staging"] == {"number": 3}

    # Which version was in production before the second was promoted: one query.
    then = await execute(
        repo,
        """query($at: DateTime!) { modelVersion(model: "iris_classifier", stage: PRODUCTION,
             asOf: $at) { number } }""",
        at=before_second.isoformat(),
    )
    assert then["data"]["modelVersion"] == {"number": 1}


async def test_bad_input_is_refused_and_changes_nothing(repo: LineageRepository) -> None:
    _, version = await train(repo, 0)
    duplicate = await execute(
        repo, 'mutation { createModel(input: {name: "iris_classifier"}) { id } }'
    )
    assert duplicate["errors"][0]["code"] == "CONFLICT"
    named = await execute(repo, NEW_VERSION, input={"model": "iris_classifier", "name": "7"})
    assert named["errors"][0]["code"] == "BAD_USER_INPUT"
    assert "reserved for version numbers" in named["errors"][0]["message"]
    missing = await execute(
        repo,
        LINK,
        id=version["id"],
        artifacts=[{"artifactVersionId": "no-such-version", "kind": "MODEL"}],
        runs=[],
    )
    assert missing["errors"][0]["code"] == "NOT_FOUND"
    unknown = await stage(repo, "no-such-model-version", "STAGING")
    assert unknown["errors"][0]["code"] == "NOT_FOUND"
    answer = await execute(
        repo,
        """{ models { totalCount edges { node { name versions { name stage
              artifacts { kind } } } } } }""",
    )
    [model] = answer["data"]["models"]["edges"]
    assert answer["data"]["models"]["totalCount"] == 1
    assert model["node"]["versions"] == [
        {"name": "1", "stage": "NONE", "artifacts": [{"kind": "DATA"}, {"kind": "MODEL"}]}
    ]
    nothing = await execute(repo, '{ modelVersion(model: "iris_classifier", number: 9) { id } }')
    assert nothing["data"]["modelVersion"] is None
    no_model = await execute(repo, '{ modelVersion(model: "nope") { id } }')
    assert no_model["errors"][0]["code"] == "NOT_FOUND"


async def test_named_versions_tags_and_metadata(repo: LineageRepository) -> None:
    made = await execute(
        repo,
        NEW_VERSION,
        input={"model": "ranker", "name": "1.2.0", "tags": ["candidate"]},
    )
    version = made["data"]["createModelVersion"]
    assert (version["number"], version["name"]) == (1, "1.2.0")
    again = await execute(
        repo, NEW_VERSION, input={"model": "ranker", "name": "1.2.0", "reuseNamed": True}
    )
    assert again["data"]["createModelVersion"]["id"] == version["id"]
    clash = await execute(repo, NEW_VERSION, input={"model": "ranker", "name": "1.2.0"})
    assert clash["errors"][0]["code"] == "CONFLICT"
    await execute(
        repo,
        """mutation($id: ID!) { addTags(target: MODEL_VERSION, id: $id, tags: ["reviewed"])
             logMetadata(target: MODEL_VERSION, id: $id, values: {ndcg: 0.71}) { key } }""",
        id=version["id"],
    )
    answer = await execute(
        repo,
        """{ modelVersion(model: "ranker", version: "1.2.0") { tags runMetadata { key value } }
             model(name: "ranker") { latestVersion { name } } }""",
    )
    assert answer["data"]["modelVersion"] == {
        "tags": ["candidate", "reviewed"],
        "runMetadata": [{"key": "ndcg", "value": 0.71}],
    }
    assert answer["data"]["model"]["latestVersion"] == {"name": "1.2.0"}


async def test_round_trips_do_not_grow_with_the_number_of_versions(
    store: GraphStore, repo: LineageRepository
) -> None:
    for index in range(12):
        await train(repo, index)
    trips = {}
    for first in (3, 12):
        before = store.round_trips
        fresh = LineageRepository(store)  # nothing kept from the walk before
        answer = await execute(fresh, WALK, first=first)
        assert "errors" not in answer, answer
        assert len(answer["data"]["model"]["versions"]) == first
        trips[first] = store.round_trips - before
    assert trips[3] == trips[12], trips


async def test_concurrent_promotions_leave_one_production_version(
    repo: LineageRepository,
) -> None:
    versions = [(await train(repo, i))[1]["id"] for i in range(4)]
    answers = await asyncio.gather(
        *(stage(repo, versions[i % 4], "PRODUCTION", force=True) for i in range(16))
    )
    assert all("errors" not in a for a in answers), answers
    answer = await execute(
        repo,
        """{ model(name: "iris_classifier") { versions { stage
             stageHistory { toStage } } } }""",
    )
    listed = answer["data"]["model"]["versions"]
    assert [v["stage"] for v in listed].count("PRODUCTION") == 1
    into_production = sum(
        change["toStage"] == "PRODUCTION" for v in listed for change in v["stageHistory"]
    )
    out_of_production = sum(
        change["toStage"] == "ARCHIVED" for v in listed for change in v["stageHistory"]
    )
    assert into_production - out_of_production == 1


async def test_a_refused_write_leaves_nothing_behind(repo: LineageRepository) -> None:
    run, version = await train(repo, 0)
    half = await execute(
        repo,
        LINK,
        id=version["id"],
        artifacts=[
            {"artifactVersionId": run.version_id("load.iris_data"), "kind": "EVALUATION"},
            {"artifactVersionId": "no-such-version", "kind": "MODEL"},
        ],
        runs=[],
    )
    assert half["errors"][0]["code"] == "NOT_FOUND"
    bad_metadata = await execute(
        repo,
        NEW_VERSION,
        input={"model": "iris_classifier", "metadata": {"": 1}},
    )
    assert bad_metadata["errors"][0]["code"] == "BAD_USER_INPUT"
    new_model = await execute(
        repo, NEW_VERSION, input={"model": "brand_new", "name": "1.0", "tags": [""]}
    )
    assert new_model["errors"][0]["code"] == "BAD_USER_INPUT"
    answer = await execute(
        repo,
        """{ models { totalCount } model(name: "iris_classifier") {
             versions { artifacts { kind } } } }""",
    )
    assert answer["data"]["models"]["totalCount"] == 1  # brand_new was not registered
    [only] = answer["data"]["model"]["versions"]
    assert sorted(a["kind"] for a in only["artifacts"]) == ["DATA", "MODEL"]
