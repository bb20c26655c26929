"""The write path through GraphQL mutations, on both stores: what a recording client sends,
what it reads back, and that refused writes leave the graph as it was."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest

from lineageql.artifacts import ArtifactStore
from lineageql.graph import LineageRepository
from lineageql.records import NewStep
from tests.graphql_client import execute
from tests.lineage_builders import Recorder

CREATE_RUN = """
mutation Create($input: CreatePipelineRunInput!) {
  createPipelineRun(input: $input) { id name status pipeline { name } pipelineVersion { version } }
}"""
START_STEP = """
mutation Start($input: StartStepInput!) {
  startStep(input: $input) { id name stepName status inputs { name artifactVersion { id } } }
}"""
FINISH_STEP = """
mutation Finish($input: FinishStepInput!) {
  finishStep(input: $input) {
    id status errorMessage endTime
    outputs { name artifactVersion { id name version saveType tags runMetadata { key value } } }
  }
}"""
FINISH_RUN = """
mutation End($id: ID!, $status: ExecutionStatus!) {
  finishPipelineRun(id: $id, status: $status) { status endTime }
}"""
SNAPSHOT = """{
  pipelines(first: 100) { totalCount edges { node { name runCount tags
    versions { version structureHash } } } }
  pipelineRuns(first: 100) { edges { node { name status tags runMetadata { key value }
    steps { name status runMetadata { key value }
      inputs { name artifactVersion { name version } }
      outputs { name artifactVersion { name version } } } } } }
  artifacts(first: 100) { totalCount edges { node { name tags } } }
  artifactVersions(first: 100) { totalCount edges { node { name version tags
    runMetadata { key value type }
    upstream(depth: 5) { name version } downstream(depth: 5) { name version } } } }
}"""
"""Everything a refused write could touch: pipelines, runs, steps with their inputs and
outputs, artifacts, versions with tags and metadata, and the derived lineage edges (through
upstream and downstream)."""


async def ok(repo: LineageRepository, query: str, **variables: Any) -> dict[str, Any]:
    answer = await execute(repo, query, **variables)
    assert "errors" not in answer, answer["errors"]
    data: dict[str, Any] = answer["data"]
    return data


async def refused(repo: LineageRepository, query: str, **variables: Any) -> dict[str, Any]:
    """The single error of a document that must fail."""
    answer = await execute(repo, query, **variables)
    assert "errors" in answer, answer
    error: dict[str, Any] = answer["errors"][0]
    return error


async def record_two_steps(repo: LineageRepository, run_name: str | None = None) -> dict[str, Any]:
    """A run recorded the way the SDK does it: load -> train, through mutations only."""
    run = (
        await ok(
            repo,
            CREATE_RUN,
            input={"pipelineName": "training", "name": run_name, "status": "RUNNING"},
        )
    )["createPipelineRun"]
    load = (await ok(repo, START_STEP, input={"runId": run["id"], "name": "load"}))["startStep"]
    loaded = await ok(
        repo,
        FINISH_STEP,
        input={
            "stepId": load["id"],
            "outputs": [
                {
                    "name": "data",
                    "newVersion": {"name": "iris", "uri": "/tmp/iris", "tags": ["raw"]},
                }
            ],
        },
    )
    data_id = loaded["finishStep"]["outputs"][0]["artifactVersion"]["id"]
    train = (
        await ok(
            repo,
            START_STEP,
            input={
                "runId": run["id"],
                "name": "train",
                "stepName": "trainer",
                "parameters": {"gamma": 0.01},
                "inputs": [{"name": "dataset", "artifactVersionId": data_id}],
            },
        )
    )["startStep"]
    trained = await ok(
        repo,
        FINISH_STEP,
        input={
            "stepId": train["id"],
            "outputs": [
                {
                    "name": "model",
                    "newVersion": {
                        "name": "svc",
                        "uri": "/tmp/svc",
                        "metadata": {"accuracy": 0.93},
                    },
                }
            ],
        },
    )
    await ok(repo, FINISH_RUN, id=run["id"], status="COMPLETED")
    return {"run": run, "load": load, "train": train, "data_id": data_id, "trained": trained}


async def test_a_run_recorded_through_mutations_reads_back_with_its_lineage(
    repo: LineageRepository,
) -> None:
    recorded = await record_two_steps(repo)
    run = recorded["run"]
    assert re.fullmatch(r"training-\d{4}_\d{2}_\d{2}-\d{2}_\d{2}_\d{2}_\d{6}", run["name"])
    assert run["status"] == "RUNNING" and run["pipeline"] == {"name": "training"}
    assert recorded["train"]["inputs"] == [
        {"name": "dataset", "artifactVersion": {"id": recorded["data_id"]}}
    ]
    model = recorded["trained"]["finishStep"]["outputs"][0]["artifactVersion"]
    assert model["saveType"] == "STEP_OUTPUT" and model["version"] == "1"
    assert model["runMetadata"] == [{"key": "accuracy", "value": 0.93}]

    walk = await ok(
        repo,
        """query($id: ID!) { pipelineRun(id: $id) { status endTime
            step(name: "train") { stepName status parameters endTime
              output { artifactVersion { upstream { name tags } producedBy { name } } } } } }""",
        id=run["id"],
    )
    found = walk["pipelineRun"]
    assert found["status"] == "COMPLETED" and found["endTime"] is not None
    train = found["step"]
    assert train["stepName"] == "trainer" and train["status"] == "COMPLETED"
    assert train["parameters"] == {"gamma": 0.01} and train["endTime"] is not None
    model = train["output"]["artifactVersion"]
    assert model["upstream"] == [{"name": "iris", "tags": ["raw"]}]
    assert model["producedBy"] == {"name": "train"}


async def test_a_failed_step_records_its_error(repo: LineageRepository) -> None:
    run = (await ok(repo, CREATE_RUN, input={"pipelineName": "p", "name": "r"}))[
        "createPipelineRun"
    ]
    step = (await ok(repo, START_STEP, input={"runId": run["id"], "name": "s"}))["startStep"]
    failed = await ok(
        repo,
        FINISH_STEP,
        input={"stepId": step["id"], "status": "FAILED", "errorMessage": "ValueError: boom"},
    )
    assert failed["finishStep"]["status"] == "FAILED"
    assert failed["finishStep"]["errorMessage"] == "ValueError: boom"
    ended = await ok(repo, FINISH_RUN, id=run["id"], status="FAILED")
    assert ended["finishPipelineRun"]["status"] == "FAILED"


async def test_pipeline_versions_follow_the_structure_hash(repo: LineageRepository) -> None:
    versions_seen = []
    for name, structure in [("a1", "hash-a"), ("a2", "hash-a"), ("b1", "hash-b"), ("a3", "hash-a")]:
        created = await ok(
            repo,
            CREATE_RUN,
            input={"pipelineName": "evolving", "name": name, "structureHash": structure},
        )
        versions_seen.append(created["createPipelineRun"]["pipelineVersion"]["version"])
    assert versions_seen == [1, 1, 2, 1]
    await ok(repo, CREATE_RUN, input={"pipelineName": "evolving", "name": "untracked"})

    answer = await ok(
        repo,
        """{ pipeline(name: "evolving") { versions { version structureHash
             runs { totalCount edges { node { name } } } } } }""",
    )
    versions = answer["pipeline"]["versions"]
    assert [(v["version"], v["structureHash"]) for v in versions] == [(2, "hash-b"), (1, "hash-a")]
    assert [e["node"]["name"] for e in versions[1]["runs"]["edges"]] == ["a3", "a2", "a1"]
    assert versions[0]["runs"]["totalCount"] == 1
    untracked = await ok(repo, '{ pipelineRun(name: "untracked") { pipelineVersion { version } } }')
    assert untracked["pipelineRun"]["pipelineVersion"] is None


async def test_refused_writes_carry_a_code_and_change_nothing(repo: LineageRepository) -> None:
    recorded = await record_two_steps(repo, "first-run")
    run_id = recorded["run"]["id"]

    step = (await ok(repo, START_STEP, input={"runId": run_id, "name": "evaluate"}))["startStep"]
    custom = {"name": "svc", "uri": "/tmp/svc2", "version": "release"}
    await ok(
        repo,
        CREATE_VERSION,
        input=custom,
    )
    before = await ok(repo, SNAPSHOT)
    reused_version = await refused(
        repo,
        FINISH_STEP,
        input={
            "stepId": step["id"],
            "outputs": [
                {"name": "report", "newVersion": {"name": "report", "uri": "/tmp/report"}},
                {"name": "model", "newVersion": custom},
            ],
        },
    )
    assert reused_version["code"] == "CONFLICT"
    assert "already has a version 'release'" in reused_version["message"]

    cases: list[tuple[str, dict[str, Any], str]] = [
        (CREATE_RUN, {"input": {"pipelineName": "training", "name": "first-run"}}, "CONFLICT"),
        (FINISH_STEP, {"input": {"stepId": "no-such-step"}}, "NOT_FOUND"),
        (START_STEP, {"input": {"runId": "no-such-run", "name": "x"}}, "NOT_FOUND"),
        (
            START_STEP,
            {
                "input": {
                    "runId": run_id,
                    "name": "consumer",
                    "inputs": [{"name": "x", "artifactVersionId": "no-such-version"}],
                }
            },
            "NOT_FOUND",
        ),
        (START_STEP, {"input": {"runId": run_id, "name": "load"}}, "CONFLICT"),
        (FINISH_RUN, {"id": run_id, "status": "RUNNING"}, "BAD_USER_INPUT"),
        (FINISH_RUN, {"id": "no-such-run", "status": "COMPLETED"}, "NOT_FOUND"),
        (
            FINISH_STEP,
            {
                "input": {
                    "stepId": step["id"],
                    "outputs": [
                        {
                            "name": "both",
                            "artifactVersionId": recorded["data_id"],
                            "newVersion": {"name": "x", "uri": "/tmp/x"},
                        }
                    ],
                }
            },
            "BAD_USER_INPUT",
        ),
        (
            FINISH_STEP,
            {
                "input": {
                    "stepId": step["id"],
                    "outputs": [
                        {"name": "same", "artifactVersionId": recorded["data_id"]},
                        {"name": "same", "artifactVersionId": recorded["data_id"]},
                    ],
                }
            },
            "BAD_USER_INPUT",
        ),
        (CREATE_RUN, {"input": {"pipelineName": "p", "config": [1, 2]}}, "BAD_USER_INPUT"),
        (CREATE_RUN, {"input": {"pipelineName": "bad\nname"}}, "BAD_USER_INPUT"),
        (
            'mutation { logMetadata(target: STEP, id: "no-such-step", values: {a: 1}) { key } }',
            {},
            "NOT_FOUND",
        ),
        (
            'mutation { logMetadata(target: STEP, id: "x", values: [1]) { key } }',
            {},
            "BAD_USER_INPUT",
        ),
        ('mutation { addTags(target: ARTIFACT, id: "nope", tags: ["t"]) }', {}, "NOT_FOUND"),
        ('mutation { deletePipelineRun(id: "no-such-run") }', {}, "NOT_FOUND"),
    ]
    for query, variables, code in cases:
        error = await refused(repo, query, **variables)
        assert error["code"] == code, (variables, error)

    after = await ok(repo, SNAPSHOT)
    assert after == before
    evaluate = await ok(
        repo, "query($id: ID!) { step(id: $id) { status outputs { name } } }", id=step["id"]
    )
    assert evaluate["step"] == {"status": "RUNNING", "outputs": []}


RECORD_STEP = """
mutation Record($input: RecordStepInput!) {
  recordStep(input: $input) {
    id name status errorMessage startTime endTime inputs { name artifactVersion { id } }
    outputs { name artifactVersion { id name version saveType runMetadata { key value } } }
  }
}"""


async def test_a_step_recorded_whole_reads_back_like_one_started_and_finished(
    repo: LineageRepository,
) -> None:
    recorded = await record_two_steps(repo, "whole-run")
    run_id, data_id = recorded["run"]["id"], recorded["data_id"]
    step = (
        await ok(
            repo,
            RECORD_STEP,
            input={
                "runId": run_id,
                "name": "evaluate",
                "parameters": {"k": 5},
                "inputs": [{"name": "dataset", "artifactVersionId": data_id}],
                "outputs": [
                    {
                        "name": "report",
                        "newVersion": {"name": "report", "uri": "/tmp/r", "metadata": {"f1": 0.8}},
                    },
                    {"name": "same_data", "artifactVersionId": data_id},
                ],
            },
        )
    )["recordStep"]
    assert step["status"] == "COMPLETED" and step["errorMessage"] is None
    assert step["startTime"] is not None and step["endTime"] >= step["startTime"]
    assert step["inputs"] == [{"name": "dataset", "artifactVersion": {"id": data_id}}]
    report = step["outputs"][0]["artifactVersion"]
    assert (report["name"], report["version"], report["saveType"]) == ("report", "1", "STEP_OUTPUT")
    assert report["runMetadata"] == [{"key": "f1", "value": 0.8}]
    read = await ok(
        repo,
        """query($id: ID!) { step(id: $id) { status parameters
            outputs { name artifactVersion { upstream { name } producedBy { name } } } } }""",
        id=step["id"],
    )
    assert read["step"]["status"] == "COMPLETED" and read["step"]["parameters"] == {"k": 5}
    by_name = {o["name"]: o["artifactVersion"] for o in read["step"]["outputs"]}
    assert by_name["report"] == {"upstream": [{"name": "iris"}], "producedBy": {"name": "evaluate"}}
    # An output that is also the input is not derived from itself.
    assert by_name["same_data"]["upstream"] == []

    failed = (
        await ok(
            repo,
            RECORD_STEP,
            input={"runId": run_id, "name": "broken", "status": "FAILED", "errorMessage": "boom"},
        )
    )["recordStep"]
    assert (failed["status"], failed["errorMessage"], failed["outputs"]) == ("FAILED", "boom", [])


async def test_a_refused_recorded_step_leaves_nothing(repo: LineageRepository) -> None:
    recorded = await record_two_steps(repo, "refusals")
    run_id = recorded["run"]["id"]
    before = await ok(repo, SNAPSHOT)
    new_output = [{"name": "out", "newVersion": {"name": "orphan", "uri": "/tmp/orphan"}}]
    cases: list[tuple[dict[str, Any], str, str]] = [
        ({"runId": run_id, "name": "x", "status": "RUNNING"}, "BAD_USER_INPUT", "not a final"),
        ({"runId": "no-such-run", "name": "x", "outputs": new_output}, "NOT_FOUND", "run"),
        ({"runId": run_id, "name": "load", "outputs": new_output}, "CONFLICT", "named 'load'"),
        (
            {
                "runId": run_id,
                "name": "x",
                "inputs": [{"name": "in", "artifactVersionId": "no-such-version"}],
                "outputs": new_output,
            },
            "NOT_FOUND",
            "no-such-version",
        ),
        (
            {
                "runId": run_id,
                "name": "x",
                "outputs": [*new_output, {"name": "gone", "artifactVersionId": "no-such-version"}],
            },
            "NOT_FOUND",
            "no-such-version",
        ),
    ]
    for given, code, words in cases:
        error = await refused(repo, RECORD_STEP, input=given)
        assert error["code"] == code and words in error["message"], (given, error)
    assert await ok(repo, SNAPSHOT) == before


async def test_tags_and_metadata_mutations(repo: LineageRepository) -> None:
    recorded = await record_two_steps(repo, "tagged-run")
    run_id, step_id = recorded["run"]["id"], recorded["train"]["id"]
    added = await ok(
        repo,
        'mutation($id: ID!) { addTags(target: PIPELINE_RUN, id: $id, tags: ["b", "a", "b"]) }',
        id=run_id,
    )
    assert sorted(added["addTags"]) == ["a", "b"]
    removed = await ok(
        repo,
        'mutation($id: ID!) { removeTags(target: PIPELINE_RUN, id: $id, tags: ["b"]) }',
        id=run_id,
    )
    assert removed["removeTags"] == ["a"]

    logged = await ok(
        repo,
        """mutation($id: ID!, $values: JSON!) {
             logMetadata(target: STEP, id: $id, values: $values) { key value type } }""",
        id=step_id,
        values={"accuracy": 0.5, "notes": "first"},
    )
    again = await ok(
        repo,
        """mutation($id: ID!) {
             logMetadata(target: STEP, id: $id, values: {accuracy: 0.75}) { key value } }""",
        id=step_id,
    )
    assert {e["key"]: e["type"] for e in logged["logMetadata"]} == {
        "accuracy": "float",
        "notes": "str",
    }
    assert {e["key"]: e["value"] for e in again["logMetadata"]} == {
        "accuracy": 0.75,
        "notes": "first",
    }
    filtered = await ok(
        repo,
        """{ pipelineRuns(filter: {tag: "a"}) { edges { node { name } } } }""",
    )
    assert filtered["pipelineRuns"]["edges"] == [{"node": {"name": "tagged-run"}}]


PRUNE = """
mutation Prune($meta: Boolean!, $files: Boolean!, $ignore: Boolean!) {
  pruneArtifacts(onlyMetadata: $meta, onlyArtifact: $files, ignoreErrors: $ignore) {
    deletedVersionIds deletedUris keptUris failures { artifactVersionId uri message }
    leftUris stopped
  }
}"""
CREATE_VERSION = """
mutation($input: ArtifactVersionInput!) { createArtifactVersion(input: $input) { id uri } }"""


async def manual_version(repo: LineageRepository, store: ArtifactStore, name: str, uri: str) -> str:
    answer = await execute(
        repo, CREATE_VERSION, artifact_store=store, input={"name": name, "uri": uri}
    )
    assert "errors" not in answer, answer
    return str(answer["data"]["createArtifactVersion"]["id"])


async def prune(
    repo: LineageRepository,
    store: ArtifactStore,
    *,
    meta: bool = False,
    files: bool = False,
    ignore: bool = False,
) -> dict[str, Any]:
    return await execute(repo, PRUNE, artifact_store=store, meta=meta, files=files, ignore=ignore)


async def test_delete_run_then_prune_removes_records_and_files(
    repo: LineageRepository, tmp_path: Path
) -> None:
    store = ArtifactStore(str(tmp_path / "artifacts"))
    used_file = tmp_path / "artifacts" / "used" / "data.txt"
    used_file.parent.mkdir(parents=True)
    used_file.write_text("used")
    run = (await ok(repo, CREATE_RUN, input={"pipelineName": "p", "name": "keep"}))[
        "createPipelineRun"
    ]
    step = (await ok(repo, START_STEP, input={"runId": run["id"], "name": "s"}))["startStep"]
    used = await manual_version(repo, store, "used", str(used_file.parent))
    await ok(
        repo,
        FINISH_STEP,
        input={"stepId": step["id"], "outputs": [{"name": "o", "artifactVersionId": used}]},
    )

    folder = tmp_path / "artifacts" / "unused" / "folder"
    folder.mkdir(parents=True)
    (folder / "part-0").write_text("a")
    unused_folder = await manual_version(repo, store, "unused", str(folder))
    outside = tmp_path / "elsewhere.csv"
    outside.write_text("mine")
    unused_outside = await manual_version(repo, store, "external", str(outside))

    both = await prune(repo, store, meta=True, files=True)
    assert both["errors"][0]["code"] == "BAD_USER_INPUT"
    assert folder.exists()

    result = (await prune(repo, store))["data"]["pruneArtifacts"]
    assert sorted(result["deletedVersionIds"]) == sorted([unused_folder, unused_outside])
    assert result["deletedUris"] == [str(folder)]
    assert result["keptUris"] == [str(outside)]
    assert not folder.exists() and outside.read_text() == "mine" and used_file.exists()
    remaining = await ok(repo, "{ artifactVersions { edges { node { id } } } }")
    assert [e["node"]["id"] for e in remaining["artifactVersions"]["edges"]] == [used]

    deleted = await ok(repo, "mutation($id: ID!) { deletePipelineRun(id: $id) }", id=run["id"])
    assert deleted["deletePipelineRun"] == run["id"]
    assert (await ok(repo, "{ pipelineRuns { totalCount } }"))["pipelineRuns"]["totalCount"] == 0
    assert used_file.exists()
    result = (await prune(repo, store, meta=True))["data"]["pruneArtifacts"]
    assert result["deletedVersionIds"] == [used] and result["deletedUris"] == []
    assert used_file.exists()


async def test_prune_only_files_keeps_records(repo: LineageRepository, tmp_path: Path) -> None:
    store = ArtifactStore(str(tmp_path / "artifacts"))
    data = tmp_path / "artifacts" / "one.bin"
    data.parent.mkdir(parents=True)
    data.write_bytes(b"\x00\x01")
    version = await manual_version(repo, store, "one", str(data))
    result = (await prune(repo, store, files=True))["data"]["pruneArtifacts"]
    assert result["deletedVersionIds"] == [] and result["deletedUris"] == [str(data)]
    assert not data.exists()
    still = await ok(repo, "query($id: ID!) { artifactVersion(id: $id) { id } }", id=version)
    assert still["artifactVersion"] == {"id": version}


@pytest.mark.parametrize("ignore", [False, True])
async def test_prune_reports_files_it_cannot_delete(repo: LineageRepository, ignore: bool) -> None:
    # Nobody, root included, may delete /proc entries: a real file that refuses deletion.
    store = ArtifactStore("/proc/self")
    stuck = await manual_version(repo, store, "stuck", "/proc/self/status")
    answer = await prune(repo, store, ignore=ignore)
    # Either way the answer says what was deleted: the record went, the file did not.
    result = answer["data"]["pruneArtifacts"]
    assert result["deletedVersionIds"] == [stuck] and result["deletedUris"] == []
    assert [f["artifactVersionId"] for f in result["failures"]] == [stuck]
    if ignore:
        assert result["stopped"] is None and result["leftUris"] == []
    else:
        assert "/proc/self/status" in result["stopped"] and "ignoreErrors" in result["stopped"]
        assert result["leftUris"] == ["/proc/self/status"]


async def test_prune_by_ids_deletes_only_those_and_never_a_used_one(
    repo: LineageRepository, tmp_path: Path
) -> None:
    store = ArtifactStore(str(tmp_path))
    shown = [
        await manual_version(repo, store, "old", str(tmp_path / f"old{i}.txt")) for i in range(2)
    ]
    for i in range(2):
        (tmp_path / f"old{i}.txt").write_text("x")
    later = await manual_version(repo, store, "later", str(tmp_path / "later.txt"))
    # A run starts using one of the shown versions before the prune runs.
    rec = await Recorder.start(repo, "p", "uses-old")
    step = await repo.create_step(NewStep(run_id=rec.run.id, name="reads"), {"x": shown[1]})
    assert step.id
    answer = await execute(
        repo,
        """mutation($ids: [ID!]) { pruneArtifacts(ids: $ids) {
            deletedVersionIds deletedUris stopped } }""",
        artifact_store=store,
        ids=shown,
    )
    result = answer["data"]["pruneArtifacts"]
    assert result["deletedVersionIds"] == [shown[0]]
    assert result["deletedUris"] == [str(tmp_path / "old0.txt")] and result["stopped"] is None
    assert not (tmp_path / "old0.txt").exists() and (tmp_path / "old1.txt").exists()
    kept = await execute(repo, "query($id: ID!) { artifactVersion(id: $id) { id } }", id=later)
    assert kept["data"]["artifactVersion"] == {"id": later}
