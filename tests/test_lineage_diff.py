"""``lineageDiff`` and ``asOf``: why two versions differ, and lineage as it was, on both stores."""

from __future__ import annotations

import asyncio
import warnings
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from lineageql.client import Client
from lineageql.demo import build_pipeline
from lineageql.graph import LineageRepository, NodeKind
from lineageql.records import ChangeKind, ExecutionStatus, parse_time
from tests.graphql_client import execute
from tests.lineage_builders import Recorder

DIFF = """query($a: ID!, $b: ID!, $depth: Int) {
  lineageDiff(fromId: $a, toId: $b, depth: $depth) {
    from { name version } to { name version } truncated
    steps {
      stepName change sourceChanged gitShaFrom gitShaTo
      from { id name } to { id name }
      parameters { key from to } settings { key from to }
    }
    artifacts { name change from { id version } to { id version } metadata { key from to } }
  }
}"""


async def diff(repo: LineageRepository, a: str, b: str, depth: int | None = None) -> Any:
    answer = await execute(repo, DIFF, a=a, b=b, depth=depth)
    assert "errors" not in answer, answer
    return answer["data"]["lineageDiff"]


def by_name(items: list[dict[str, Any]], key: str) -> dict[str, dict[str, Any]]:
    return {item[key]: item for item in items}


async def record(
    repo: LineageRepository,
    run: str,
    *,
    load_source: str = "load-v1",
    train_source: str = "train-v1",
    lr: float = 0.1,
    clean: bool = False,
    hostile: str = "",
) -> Recorder:
    """load -> (clean ->) train, with sources and parameters as given."""
    rec = await Recorder.start(repo, f"pipe{hostile}", run, git_sha=f"sha-{run}")
    await rec.step(
        f"load{hostile}",
        outputs=[f"data{hostile}"],
        parameters={"rows": 3},
        source_hash=load_source,
    )
    feed = f"load{hostile}.data{hostile}"
    if clean:
        await rec.step("clean", inputs={"x": feed}, outputs=["clean_data"], source_hash="clean")
        feed = "clean.clean_data"
    await rec.step(
        f"train{hostile}",
        inputs={"x": feed},
        outputs=[f"model{hostile}"],
        parameters={"lr": lr},
        settings={"gpu": False},
        source_hash=train_source,
    )
    await repo.update_run(rec.run.id, status=ExecutionStatus.COMPLETED)
    return rec


async def test_changed_parameters_source_and_data_are_named(repo: LineageRepository) -> None:
    first = await record(repo, "r1")
    second = await record(repo, "r2", train_source="train-v2", lr=0.2)
    found = await diff(repo, first.version_id("train.model"), second.version_id("train.model"))
    assert (found["from"], found["to"]) == (
        {"name": "model", "version": "1"},
        {"name": "model", "version": "2"},
    )
    assert found["truncated"] is False
    steps = by_name(found["steps"], "stepName")
    assert list(steps) == ["train", "load"]  # nearest first
    train, load = steps["train"], steps["load"]
    assert train["change"] == "CHANGED" and train["sourceChanged"] is True
    assert train["parameters"] == [{"key": "lr", "from": 0.1, "to": 0.2}]
    assert train["settings"] == []
    assert (train["gitShaFrom"], train["gitShaTo"]) == ("sha-r1", "sha-r2")
    assert train["from"]["id"] == first.steps["train"].id
    assert train["to"]["id"] == second.steps["train"].id
    # Another execution with equal parameters, settings and source is the same step.
    assert load["change"] == "SAME" and load["sourceChanged"] is False
    assert load["parameters"] == []
    artifacts = by_name(found["artifacts"], "name")
    assert artifacts["data"]["change"] == "CHANGED"
    assert (artifacts["data"]["from"]["version"], artifacts["data"]["to"]["version"]) == ("1", "2")
    assert artifacts["model"]["change"] == "CHANGED"


async def test_changed_metadata_of_an_artifact(repo: LineageRepository) -> None:
    first = await record(repo, "r1")
    second = await record(repo, "r2")
    old, new = first.version_id("load.data"), second.version_id("load.data")
    await repo.log_metadata(NodeKind.ARTIFACT_VERSION, old, {"rows": 3, "source": "s3"})
    await repo.log_metadata(NodeKind.ARTIFACT_VERSION, new, {"rows": 4, "source": "s3"})
    found = await diff(repo, first.version_id("train.model"), second.version_id("train.model"))
    data = by_name(found["artifacts"], "name")["data"]
    assert data["change"] == "CHANGED"
    assert data["metadata"] == [{"key": "rows", "from": 3, "to": 4}]
    # Nothing upstream of either model changed but the data it was trained on.
    assert [s["change"] for s in found["steps"]] == ["SAME", "SAME"]


async def test_a_new_upstream_step_is_added_and_one_gone_is_removed(
    repo: LineageRepository,
) -> None:
    plain = await record(repo, "r1")
    cleaned = await record(repo, "r2", clean=True)
    forward = await diff(repo, plain.version_id("train.model"), cleaned.version_id("train.model"))
    steps = by_name(forward["steps"], "stepName")
    assert steps["clean"]["change"] == "ADDED"
    assert steps["clean"]["from"] is None and steps["clean"]["to"]["name"] == "clean"
    assert by_name(forward["artifacts"], "name")["clean_data"]["change"] == "ADDED"
    # The matching goes by name, so the steps beyond the new one still pair up.
    assert steps["load"]["change"] == "SAME" and steps["train"]["change"] == "SAME"

    backward = await diff(repo, cleaned.version_id("train.model"), plain.version_id("train.model"))
    assert by_name(backward["steps"], "stepName")["clean"]["change"] == "REMOVED"
    assert by_name(backward["artifacts"], "name")["clean_data"]["change"] == "REMOVED"


async def test_a_version_diffed_with_itself_is_all_same(repo: LineageRepository) -> None:
    rec = await record(repo, "r1", clean=True)
    model = rec.version_id("train.model")
    found = await diff(repo, model, model)
    assert {s["change"] for s in found["steps"]} == {"SAME"}
    assert {a["change"] for a in found["artifacts"]} == {"SAME"}
    assert len(found["steps"]) == 3 and len(found["artifacts"]) == 3


async def test_the_depth_bounds_the_comparison_and_says_so(repo: LineageRepository) -> None:
    first = await record(repo, "r1", clean=True)
    second = await record(repo, "r2", clean=True, lr=0.5)
    found = await diff(repo, first.version_id("train.model"), second.version_id("train.model"), 1)
    assert found["truncated"] is True
    assert [s["stepName"] for s in found["steps"]] == ["train"]


async def test_unknown_ids_and_bad_depths_are_refused(repo: LineageRepository) -> None:
    rec = await record(repo, "r1")
    model = rec.version_id("train.model")
    answer = await execute(repo, DIFF, a=model, b="no-such-version")
    [error] = answer["errors"]
    assert error["code"] == "NOT_FOUND" and "no-such-version" in error["message"]
    answer = await execute(repo, DIFF, a=model, b=model, depth=0)
    assert answer["errors"][0]["code"] == "BAD_USER_INPUT"


async def test_hostile_names_are_compared_verbatim(repo: LineageRepository) -> None:
    hostile = "}) MATCH (n) DETACH DELETE n // [red]x[/red] 🧪"
    first = await record(repo, "r1", hostile=hostile)
    second = await record(repo, "r2", hostile=hostile, lr=0.3)
    model = f"train{hostile}.model{hostile}"
    found = await diff(repo, first.version_id(model), second.version_id(model))
    steps = by_name(found["steps"], "stepName")
    assert steps[f"train{hostile}"]["change"] == "CHANGED"
    assert steps[f"load{hostile}"]["change"] == "SAME"
    assert set(by_name(found["artifacts"], "name")) == {f"data{hostile}", f"model{hostile}"}


async def test_as_of_answers_what_was_current_then(repo: LineageRepository) -> None:
    first = await record(repo, "r1")
    await asyncio.sleep(0.01)
    second = await record(repo, "r2", lr=0.2)
    old = first.outputs["train.model"]
    new = second.outputs["train.model"]
    # Just before the second run began: its run and model did not exist yet.
    between = parse_time(second.run.created) - timedelta(microseconds=1)
    before_all = parse_time(first.run.created) - timedelta(seconds=1)

    query = """query($t: DateTime) {
      artifactVersion(name: "model", asOf: $t) { version }
      pipeline(name: "pipe") {
        lastRun(asOf: $t) { name } lastSuccessfulRun(asOf: $t) { name }
      }
      lineage(artifactName: "model", asOf: $t, depth: 1) {
        artifactVersions { artifactVersion { name version } }
      }
    }"""
    then = (await execute(repo, query, t=between.isoformat()))["data"]
    assert then["artifactVersion"] == {"version": "1"}
    assert then["pipeline"]["lastRun"] == {"name": "r1"}
    assert then["pipeline"]["lastSuccessfulRun"] == {"name": "r1"}
    assert {
        (v["artifactVersion"]["name"], v["artifactVersion"]["version"])
        for v in then["lineage"]["artifactVersions"]
    } == {("model", "1"), ("data", "1")}

    exact = await execute(repo, query, t=old.created)
    assert exact["data"]["artifactVersion"] == {"version": "1"}

    now = (await execute(repo, query, t=None))["data"]
    assert now["artifactVersion"] == {"version": "2"}
    assert now["pipeline"]["lastRun"] == {"name": "r2"}

    early = await execute(repo, query, t=before_all.isoformat())
    assert early["data"] is None  # lineage is required, and nothing was current then
    assert early["errors"][0]["code"] == "NOT_FOUND"
    alone = await execute(
        repo,
        'query($t: DateTime) { artifactVersion(name: "model", asOf: $t) { version } '
        'pipeline(name: "pipe") { lastRun(asOf: $t) { name } } }',
        t=before_all.isoformat(),
    )
    assert alone["data"] == {"artifactVersion": None, "pipeline": {"lastRun": None}}

    both = await execute(
        repo,
        'query($t: DateTime) { artifactVersion(name: "model", version: "1", asOf: $t) { id } }',
        t=between.isoformat(),
    )
    assert both["errors"][0]["code"] == "BAD_USER_INPUT" and "asOf" in both["errors"][0]["message"]
    by_id = await execute(
        repo,
        "query($id: ID!, $t: DateTime) { lineage(artifactVersionId: $id, asOf: $t) { truncated } }",
        id=new.id,
        t=between.isoformat(),
    )
    assert by_id["errors"][0]["code"] == "BAD_USER_INPUT"


def test_the_client_diffs_the_seeds_iris_models(sdk_env: Path) -> None:
    """The seeds' iris pipeline with two gammas: only the trainer changed, with its gamma;
    the loader (which ran once: the second run's cached step reused its data, and lineage
    draws the step that made the data) and its data are the same."""
    training = build_pipeline()
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message=".*stored as a pickle.*")
        first = training(gamma=0.001)
        second = training(gamma=0.005)
    client = Client()
    old = client.get_artifact_version("trained_model", 1)
    new = client.get_artifact_version("trained_model", 2)
    found = old.diff(new)
    steps = {s.step_name: s for s in found.steps}
    assert steps["svc_trainer"].change is ChangeKind.CHANGED
    [gamma] = steps["svc_trainer"].parameters
    assert (gamma.key, gamma.before, gamma.after) == ("gamma", 0.001, 0.005)
    assert steps["svc_trainer"].source_changed is False
    loader = steps["training_data_loader"]
    assert loader.change is ChangeKind.SAME
    assert loader.after is not None and loader.after.status == "COMPLETED"
    assert loader.before is not None and loader.before.id == loader.after.id
    artifacts = {a.name: a for a in found.artifacts}
    assert artifacts["X_train"].change is ChangeKind.SAME
    assert artifacts["y_train"].change is ChangeKind.SAME
    assert artifacts["trained_model"].change is ChangeKind.CHANGED
    changed_steps, _ = found.changed()
    assert [s.step_name for s in changed_steps] == ["svc_trainer"]

    same = old.diff(old)
    assert {s.change for s in same.steps} == {ChangeKind.SAME}

    # As of a moment between the two, the first model and run were the current ones.
    assert old.created is not None and new.created is not None
    between = old.created + (new.created - old.created) / 2
    assert client.get_artifact_version("trained_model", as_of=between).version == "1"
    assert first.created is not None and second.created is not None
    between = first.created + (second.created - first.created) / 2
    pipeline = client.get_pipeline("training_pipeline")
    assert pipeline.last_run_as_of(between).id == first.id
    assert pipeline.last_run_as_of(datetime.now() + timedelta(days=1)).id == second.id


async def test_the_diff_costs_the_same_round_trips_for_2_or_8_parallel_steps(
    repo: LineageRepository,
) -> None:
    trips = {}
    for width in (2, 8):
        versions = []
        for run in ("a", "b"):
            rec = await Recorder.start(repo, f"wide-{width}", f"wide-{width}-{run}")
            for index in range(width):
                await rec.step(f"load_{index}", outputs=[f"part_{index}"], parameters={"i": index})
            parts = {f"p{i}": f"load_{i}.part_{i}" for i in range(width)}
            await rec.step("merge", inputs=parts, outputs=["merged"], parameters={"run": run})
            versions.append(rec.version_id("merge.merged"))
        # A new repository: nothing kept from the recording (see read_cache).
        fresh = LineageRepository(repo.store)
        before = repo.store.round_trips
        found = await diff(fresh, *versions)
        trips[width] = repo.store.round_trips - before
        assert len(found["steps"]) == width + 1
        assert by_name(found["steps"], "stepName")["merge"]["change"] == "CHANGED"
    assert trips[2] == trips[8], trips
