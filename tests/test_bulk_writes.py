"""``recordRuns``: whole runs in one transaction, all or nothing, on both stores."""

from __future__ import annotations

from typing import Any

from lineageql.graph import LineageRepository
from tests.graphql_client import execute
from tests.lineage_builders import Recorder

RECORD = """mutation($runs: [RecordedRunInput!]!) {
  recordRuns(runs: $runs) { id name status endTime tags }
}"""

SNAPSHOT = """{
  pipelineRuns(first: 100) { totalCount edges { node { name status tags
    runMetadata { key type value }
    steps { name status errorMessage parameters sourceHash runMetadata { key value }
      inputs { name artifactVersion { name version } }
      outputs { name artifactVersion { name version saveType runMetadata { key type value } } }
    } } } }
  artifactVersions(first: 100) { totalCount }
}"""


def run_input(name: str, gamma: float, *, data_id: str | None = None) -> dict[str, Any]:
    """load -> clean -> train; with ``data_id``, load is a cached step reusing that version."""
    load_output = (
        {"name": "data", "artifactVersionId": data_id}
        if data_id
        else {
            "name": "data",
            "newVersion": {"name": "data", "uri": f"mem://{name}/data", "metadata": {"rows": 150}},
        }
    )
    return {
        "run": {"pipelineName": "bulk", "name": name, "status": "COMPLETED", "tags": ["nightly"]},
        "endTime": "2026-11-20T06:10:00+00:00",
        "metadata": {"accuracy": round(0.9 + gamma, 3)},
        "steps": [
            {
                "name": "load",
                "status": "CACHED" if data_id else "COMPLETED",
                "outputs": [load_output],
            },
            {
                "name": "clean",
                "sourceHash": "c1",
                "inputs": [{"name": "raw", "fromStep": "load", "fromOutput": "data"}],
                "outputs": [
                    {
                        "name": "clean",
                        "newVersion": {"name": "clean_data", "uri": f"mem://{name}/clean"},
                    }
                ],
            },
            {
                "name": "train",
                "parameters": {"gamma": gamma},
                "metadata": {"epochs": 3},
                "inputs": [{"name": "x", "fromStep": "clean", "fromOutput": "clean"}],
                "outputs": [
                    {"name": "model", "newVersion": {"name": "model", "uri": f"mem://{name}/model"}}
                ],
            },
        ],
    }


async def record(repo: LineageRepository, runs: list[dict[str, Any]]) -> dict[str, Any]:
    return await execute(repo, RECORD, runs=runs)


async def test_whole_runs_are_stored_with_their_links_and_metadata(
    repo: LineageRepository,
) -> None:
    first = await record(repo, [run_input("bulk-1", 0.01)])
    assert "errors" not in first, first
    [stored] = first["data"]["recordRuns"]
    assert stored["status"] == "COMPLETED" and stored["tags"] == ["nightly"]
    assert stored["endTime"].startswith("2026-11-20T06:10:00")
    data_id = (await repo.find_artifact_version("data")).id
    second = await record(
        repo, [run_input("bulk-2", 0.05, data_id=data_id), run_input("bulk-3", 0.1)]
    )
    assert "errors" not in second, second
    assert [r["name"] for r in second["data"]["recordRuns"]] == ["bulk-2", "bulk-3"]

    found = (await execute(repo, SNAPSHOT))["data"]
    runs = {e["node"]["name"]: e["node"] for e in found["pipelineRuns"]["edges"]}
    assert set(runs) == {"bulk-1", "bulk-2", "bulk-3"}
    assert runs["bulk-2"]["runMetadata"] == [{"key": "accuracy", "type": "float", "value": 0.95}]
    steps = {s["name"]: s for s in runs["bulk-2"]["steps"]}
    assert [s["name"] for s in runs["bulk-2"]["steps"]] == ["load", "clean", "train"]
    assert steps["load"]["status"] == "CACHED"
    assert steps["load"]["outputs"][0]["artifactVersion"] == {
        "name": "data",
        "version": "1",
        "saveType": "STEP_OUTPUT",
        "runMetadata": [{"key": "rows", "type": "int", "value": 150}],
    }
    assert steps["clean"]["inputs"] == [
        {"name": "raw", "artifactVersion": {"name": "data", "version": "1"}}
    ]
    assert steps["clean"]["sourceHash"] == "c1"
    assert steps["train"]["parameters"] == {"gamma": 0.05}
    assert steps["train"]["runMetadata"] == [{"key": "epochs", "value": 3}]
    assert found["artifactVersions"]["totalCount"] == 8  # data x2, clean x3, model x3

    model = steps["train"]["outputs"][0]["artifactVersion"]
    assert model == {"name": "model", "version": "2", "saveType": "STEP_OUTPUT", "runMetadata": []}
    version = await repo.find_artifact_version("model", "2")
    [upstream] = await repo.upstream_version_ids([version.id], 5)
    names = sorted((v.name, v.version) for v in await repo.get_artifact_versions(upstream) if v)
    assert names == [("clean_data", "2"), ("data", "1")]


async def test_a_failing_run_leaves_nothing_of_the_batch(repo: LineageRepository) -> None:
    rec = await Recorder.start(repo, "bulk", "taken")
    await rec.step("load", outputs=["data"])
    before = await execute(repo, SNAPSHOT)

    cases = {
        "CONFLICT": [run_input("fresh", 0.1), run_input("taken", 0.2)],
        "BAD_USER_INPUT": [run_input("twice", 0.1), run_input("twice", 0.2)],
        "NOT_FOUND": [run_input("fresh", 0.1), run_input("other", 0.2, data_id="no-such-id")],
    }
    later = run_input("fresh-later", 0.1)
    later["steps"][1]["inputs"] = [{"name": "raw", "fromStep": "train", "fromOutput": "model"}]
    cases["BAD_USER_INPUT: reads a later step"] = [later]
    bad_metadata = run_input("fresh-meta", 0.1)
    bad_metadata["steps"][2]["metadata"] = {"bad\x00key": 1}
    cases["BAD_USER_INPUT: bad metadata"] = [bad_metadata]
    for code, runs in cases.items():
        answer = await record(repo, runs)
        [error] = answer["errors"]
        assert error["code"] == code.split(":")[0], (code, error)
        assert await execute(repo, SNAPSHOT) == before, code
    [error] = (await record(repo, [later]))["errors"]
    assert "reads train.model, which no earlier step of the run produces" in error["message"]


async def test_every_output_derives_from_every_input_of_its_step(
    repo: LineageRepository,
) -> None:
    """A step reading two versions and writing two: each output's upstream is both inputs
    (LadybugDB once dropped one of the four edges when they were merged per step in bulk)."""
    step = lambda name, reads: {  # noqa: E731
        "name": name,
        "inputs": [{"name": f"in_{o}", "fromStep": reads, "fromOutput": o} for o in "lr"]
        if reads
        else [],
        "outputs": [
            {"name": o, "newVersion": {"name": f"{name}_{o}", "uri": f"mem://{name}/{o}"}}
            for o in "lr"
        ],
    }
    runs = [
        {
            "run": {"pipelineName": "fan", "name": f"fan-{i}", "status": "COMPLETED"},
            "steps": [step("a", None), step("b", "a"), step("c", "b")],
        }
        for i in range(3)
    ]
    assert "errors" not in await record(repo, runs)
    for name in ("b_l", "b_r", "c_l", "c_r"):
        for number in ("1", "2", "3"):
            version = await repo.find_artifact_version(name, number)
            [upstream] = await repo.upstream_version_ids([version.id], 1)
            found = {(v.name, v.version) for v in await repo.get_artifact_versions(upstream) if v}
            reads = "a" if name.startswith("b") else "b"
            assert found == {(f"{reads}_l", number), (f"{reads}_r", number)}, (name, number)


async def test_runs_sent_together_keep_their_order(repo: LineageRepository) -> None:
    """Backfilled history: runs of one call list newest first in the order sent (the last
    sent is lastRun), and a run given its start time is placed at it."""
    names = [f"backfill-{i:02d}" for i in range(12)]
    written = await execute(repo, RECORD, runs=[run_input(name, 0.01) for name in names])
    assert "errors" not in written, written
    listed = await execute(
        repo,
        """{ pipeline(name: "bulk") { lastRun { name }
             runs(first: 20) { edges { node { name created } } } } }""",
    )
    pipeline = listed["data"]["pipeline"]
    assert pipeline["lastRun"]["name"] == names[-1]
    assert [e["node"]["name"] for e in pipeline["runs"]["edges"]] == names[::-1]

    dated = run_input("started-in-january", 0.02)
    dated["run"]["startTime"] = "2026-01-15T08:00:00+00:00"
    await execute(repo, RECORD, runs=[dated])
    found = await execute(
        repo,
        """{ pipelineRun(name: "started-in-january") { created startTime }
             pipeline(name: "bulk") { lastRun { name } } }""",
    )
    assert found["data"]["pipelineRun"]["created"].startswith("2026-01-15T08:00:00")
    assert found["data"]["pipeline"]["lastRun"]["name"] == names[-1]
