"""The hierarchy round-trips on both stores: pipeline → runs → steps → inputs/outputs."""

from __future__ import annotations

import pytest

from lineageql.errors import AmbiguousError, ConflictError, NotFoundError
from lineageql.graph import LineageRepository, NodeKind
from lineageql.records import ExecutionStatus, NewStep, SaveType
from tests.lineage_builders import Recorder


async def record_training_run(repo: LineageRepository, run_name: str, gamma: float) -> Recorder:
    rec = await Recorder.start(
        repo,
        "training_pipeline",
        run_name,
        config={"parameters": {"gamma": gamma}},
        settings={"docker": {"image": "py311"}},
        git_sha="abc123",
        docstring="Train an SVC.",
        pipeline_docstring="The iris pipeline.",
        tags=["nightly"],
    )
    await repo.update_run(
        rec.run.id, status=ExecutionStatus.RUNNING, start_time="2026-01-01T00:00:00.000000Z"
    )
    await rec.step("training_data_loader", outputs=["X_train", "X_test", "y_train", "y_test"])
    await rec.step(
        "svc_trainer",
        inputs={
            "X_train": "training_data_loader.X_train",
            "y_train": "training_data_loader.y_train",
        },
        outputs=["trained_model", "training_acc"],
        parameters={"gamma": gamma},
        settings={"resources": {"cpu": 2}},
    )
    await repo.update_run(
        rec.run.id, status=ExecutionStatus.COMPLETED, end_time="2026-01-01T00:01:00.000000Z"
    )
    return rec


async def test_hierarchy_round_trips(repo: LineageRepository) -> None:
    rec = await record_training_run(repo, "training_pipeline-2026_01_01-00_00_00_000001", 0.001)

    [pipeline] = await repo.get_pipelines_by_name(["training_pipeline"])
    assert pipeline is not None and pipeline.docstring == "The iris pipeline."
    assert await repo.run_ids_of_pipelines([pipeline.id]) == [[rec.run.id]]

    [run] = await repo.get_runs([rec.run.id])
    assert run is not None
    assert run.status is ExecutionStatus.COMPLETED
    assert run.config == {"parameters": {"gamma": 0.001}}
    assert run.settings == {"docker": {"image": "py311"}}
    assert (run.git_sha, run.docstring) == ("abc123", "Train an SVC.")
    assert run.start_time == "2026-01-01T00:00:00.000000Z"
    assert run.end_time == "2026-01-01T00:01:00.000000Z"
    assert await repo.tags_of(NodeKind.RUN, [run.id]) == [["nightly"]]

    [steps] = await repo.steps_of_runs([run.id])
    assert [s.name for s in steps] == ["training_data_loader", "svc_trainer"]
    trainer = steps[1]
    assert trainer.parameters == {"gamma": 0.001}
    assert trainer.settings == {"resources": {"cpu": 2}}
    assert trainer.step_name == "svc_trainer"

    loader_outputs, trainer_outputs = await repo.outputs_of_steps([steps[0].id, trainer.id])
    assert [o.name for o in loader_outputs] == ["X_test", "X_train", "y_test", "y_train"]
    assert {o.name: o.artifact_version_id for o in trainer_outputs} == {
        "trained_model": rec.version_id("svc_trainer.trained_model"),
        "training_acc": rec.version_id("svc_trainer.training_acc"),
    }
    [trainer_inputs] = await repo.inputs_of_steps([trainer.id])
    assert {i.name: i.artifact_version_id for i in trainer_inputs} == {
        "X_train": rec.version_id("training_data_loader.X_train"),
        "y_train": rec.version_id("training_data_loader.y_train"),
    }

    model_id = rec.version_id("svc_trainer.trained_model")
    [model] = await repo.get_artifact_versions([model_id])
    assert model is not None
    assert (model.name, model.version, model.save_type) == (
        "trained_model",
        "1",
        SaveType.STEP_OUTPUT,
    )
    assert await repo.producers_of([model_id]) == [[trainer.id]]
    x_train = rec.version_id("training_data_loader.X_train")
    assert await repo.consumers_of([x_train]) == [[trainer.id]]
    assert await repo.upstream_step_ids([trainer.id]) == [[steps[0].id]]
    assert await repo.downstream_step_ids([steps[0].id]) == [[trainer.id]]


async def test_batched_reads_answer_in_key_order_with_gaps(repo: LineageRepository) -> None:
    first = await record_training_run(repo, "run-a", 0.1)
    second = await record_training_run(repo, "run-b", 0.2)
    runs = await repo.get_runs([second.run.id, "missing", first.run.id])
    assert [r.name if r else None for r in runs] == ["run-b", None, "run-a"]
    groups = await repo.steps_of_runs([second.run.id, "missing", first.run.id])
    assert [len(g) for g in groups] == [2, 0, 2]
    assert {s.run_id for s in groups[0]} == {second.run.id}


async def test_second_run_numbers_versions_and_finds_last_runs(repo: LineageRepository) -> None:
    first = await record_training_run(repo, "run-1", 0.1)
    second = await record_training_run(repo, "run-2", 0.2)
    failed = await Recorder.start(repo, "training_pipeline", "run-3")
    await repo.update_run(failed.run.id, status="failed")
    [pipeline] = await repo.get_pipelines_by_name(["training_pipeline"])
    assert pipeline is not None
    [last] = await repo.last_runs([pipeline.id])
    [last_ok] = await repo.last_runs([pipeline.id], successful=True)
    assert last is not None and last.id == failed.run.id
    assert last_ok is not None and last_ok.id == second.run.id
    assert await repo.run_counts([pipeline.id, "nope"]) == [3, 0]
    versions = await repo.get_artifact_versions(
        [
            first.version_id("svc_trainer.trained_model"),
            second.version_id("svc_trainer.trained_model"),
        ]
    )
    assert [v.version for v in versions if v] == ["1", "2"]
    latest = await repo.find_artifact_version("trained_model")
    assert latest.id == second.version_id("svc_trainer.trained_model")
    assert (await repo.find_artifact_version("trained_model", "1")).id == first.version_id(
        "svc_trainer.trained_model"
    )


async def test_runs_by_id_name_and_prefix(repo: LineageRepository) -> None:
    a = await Recorder.start(repo, "p", "p-2026_01_01-00_00_00_000001")
    await Recorder.start(repo, "p", "p-2026_01_02-00_00_00_000001")
    assert (await repo.find_run(a.run.id)).id == a.run.id
    assert (await repo.find_run("p-2026_01_01-00_00_00_000001")).id == a.run.id
    assert (await repo.find_run("p-2026_01_01")).id == a.run.id
    with pytest.raises(AmbiguousError) as ambiguous:
        await repo.find_run("p-2026")
    assert "p-2026_01_01-00_00_00_000001" in str(ambiguous.value)
    assert "p-2026_01_02-00_00_00_000001" in str(ambiguous.value)
    with pytest.raises(NotFoundError, match="lineageql pipeline runs list"):
        await repo.find_run("q-")


async def test_duplicate_names_are_refused(repo: LineageRepository) -> None:
    rec = await Recorder.start(repo, "p", "run")
    await rec.step("load")
    with pytest.raises(ConflictError, match="'run' already exists"):
        await Recorder.start(repo, "p", "run")
    with pytest.raises(ConflictError, match="already has a step named 'load'"):
        await repo.create_step(NewStep(run_id=rec.run.id, name="load"))
    assert len((await repo.steps_of_runs([rec.run.id]))[0]) == 1
    assert (await repo.list_runs()).total_count == 1
