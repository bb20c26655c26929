"""Writes on both stores: versions under concurrency, conflicts, tags, metadata, atomicity."""

from __future__ import annotations

import asyncio

import pytest

from lineageql.errors import BadInputError, ConflictError, NotFoundError
from lineageql.graph import GraphStore, LineageRepository, NodeKind
from lineageql.graph import queries as q
from lineageql.graph.listing import Comparison, MetadataCondition, RunFilter
from lineageql.graph.store import Transaction
from lineageql.records import (
    MetadataType,
    NewArtifactVersion,
    NewStep,
    StorageSize,
    Uri,
    Visualization,
    column_id_for,
    pipeline_id_for,
)
from tests.lineage_builders import Recorder

WRITERS = 50


async def test_concurrent_writers_get_distinct_consecutive_versions(
    repo: LineageRepository,
) -> None:
    async def write(i: int) -> str:
        version = await repo.create_artifact_version(
            NewArtifactVersion(name="iris_dataset", uri=f"file:///store/{i}")
        )
        return version.version

    versions = await asyncio.gather(*(write(i) for i in range(WRITERS)))
    assert sorted(int(v) for v in versions) == list(range(1, WRITERS + 1))
    page = await repo.list_artifact_versions()
    assert page.total_count == WRITERS


async def test_custom_version_is_unique_and_a_reuse_changes_nothing(
    repo: LineageRepository,
) -> None:
    first = await repo.create_artifact_version(
        NewArtifactVersion(
            name="iris_dataset",
            uri="file:///a",
            version="raw_2023",
            tags=["release"],
            metadata={"rows": 150},
        )
    )
    assert first.version == "raw_2023"
    with pytest.raises(ConflictError, match="already has a version 'raw_2023'"):
        await repo.create_artifact_version(
            NewArtifactVersion(
                name="iris_dataset",
                uri="file:///b",
                version="raw_2023",
                tags=["other"],
                metadata={"rows": 1},
            )
        )
    stored = await repo.find_artifact_version("iris_dataset", "raw_2023")
    assert stored.uri == "file:///a"
    assert await repo.tags_of(NodeKind.ARTIFACT_VERSION, [stored.id]) == [["release"]]
    [[rows]] = await repo.metadata_of(NodeKind.ARTIFACT_VERSION, [stored.id])
    assert rows.value == 150
    assert (await repo.list_artifact_versions()).total_count == 1
    auto = await repo.create_artifact_version(NewArtifactVersion(name="iris_dataset", uri="c"))
    assert auto.version == "1"
    with pytest.raises(BadInputError, match="reserved for automatic versions"):
        NewArtifactVersion(name="iris_dataset", uri="d", version="7")


async def test_tags_add_and_remove(repo: LineageRepository) -> None:
    rec = await Recorder.start(repo, "p", "r1", tags=["a"])
    await repo.add_tags(NodeKind.RUN, rec.run.id, ["b", "c", "b"])
    assert await repo.tags_of(NodeKind.RUN, [rec.run.id]) == [["a", "b", "c"]]
    await repo.remove_tags(NodeKind.RUN, rec.run.id, ["a", "zzz"])
    assert await repo.tags_of(NodeKind.RUN, [rec.run.id]) == [["b", "c"]]
    page = await repo.list_runs(RunFilter(tags=["c"]))
    assert [r.id for r in page.items] == [rec.run.id]
    with pytest.raises(NotFoundError, match="no pipeline run with id 'nope'"):
        await repo.add_tags(NodeKind.RUN, "nope", ["x"])


async def test_typed_metadata_filters_runs_by_value(repo: LineageRepository) -> None:
    accuracies = {"r1": 0.85, "r2": 0.93, "r3": 0.97}
    ids = {}
    for name, accuracy in accuracies.items():
        rec = await Recorder.start(repo, "train", name)
        ids[name] = rec.run.id
        await repo.log_metadata(
            NodeKind.RUN,
            rec.run.id,
            {
                "accuracy": accuracy,
                "orchestrator_url": Uri("http://ui/" + name),
                "storage_size": StorageSize(1024),
                "passed": accuracy > 0.9,
                "layers": [64, 32],
                "params": {"gamma": 0.1},
            },
        )
    await repo.log_metadata(NodeKind.RUN, ids["r1"], {"accuracy": 0.91})

    [entries] = await repo.metadata_of(NodeKind.RUN, [ids["r1"]])
    by_key = {e.key: e for e in entries}
    assert by_key["accuracy"].value == 0.91
    assert by_key["orchestrator_url"].type is MetadataType.URI
    assert by_key["storage_size"].type is MetadataType.STORAGE_SIZE
    assert by_key["storage_size"].value == 1024
    assert by_key["passed"].value is False
    assert by_key["layers"].value == [64, 32]
    assert by_key["params"].value == {"gamma": 0.1}

    async def matching(*conditions: MetadataCondition) -> set[str]:
        page = await repo.list_runs(RunFilter(metadata=list(conditions)))
        return {r.name for r in page.items}

    assert await matching(MetadataCondition("accuracy", Comparison.GT, 0.9)) == {"r1", "r2", "r3"}
    assert await matching(MetadataCondition("accuracy", Comparison.GTE, 0.93)) == {"r2", "r3"}
    assert await matching(MetadataCondition("accuracy", Comparison.LT, 0.92)) == {"r1"}
    assert await matching(MetadataCondition("passed", Comparison.EQ, False)) == {"r1"}
    assert await matching(
        MetadataCondition("accuracy", Comparison.GT, 0.9),
        MetadataCondition("orchestrator_url", Comparison.EQ, "http://ui/r3"),
    ) == {"r3"}
    assert await matching(MetadataCondition("accuracy", Comparison.NE, 0.93)) == {"r1", "r3"}
    with pytest.raises(BadInputError, match="compares numbers"):
        await matching(MetadataCondition("accuracy", Comparison.GT, "high"))


async def test_visualizations_round_trip(repo: LineageRepository) -> None:
    version = await repo.create_artifact_version(
        NewArtifactVersion(
            name="frame",
            uri="file:///f",
            type="data",
            data_type="pandas.DataFrame",
            visualizations=[Visualization(type="html", uri="file:///f/viz.html")],
        )
    )
    [stored] = await repo.get_artifact_versions([version.id])
    assert stored is not None
    assert stored.visualizations == [Visualization(type="html", uri="file:///f/viz.html")]
    assert stored.data_type == "pandas.DataFrame"


async def test_a_failure_part_way_leaves_nothing_behind(
    store: GraphStore, repo: LineageRepository
) -> None:
    async def half_done(tx: Transaction) -> None:
        row = {"id": pipeline_id_for("half"), "name": "half", "created": "2026", "docstring": None}
        await tx.run(q.MERGE_PIPELINES, {"rows": [row]})
        raise RuntimeError("the writer died")

    with pytest.raises(RuntimeError, match="the writer died"):
        await store.write(half_done)
    assert await repo.get_pipelines_by_name(["half"]) == [None]

    rec = await Recorder.start(repo, "p", "run")
    step = await rec.step("load", outputs=["data"])
    with pytest.raises(NotFoundError, match="no artifact version with id 'missing'"):
        await repo.link_step_io(
            step.id, inputs={"x": rec.version_id("load.data")}, outputs={"y": "missing"}
        )
    assert await repo.inputs_of_steps([step.id]) == [[]]


async def test_delete_run_keeps_versions_for_prune(repo: LineageRepository) -> None:
    keep = await Recorder.start(repo, "p", "keep")
    await keep.step("load", outputs=["data"])
    gone = await Recorder.start(repo, "p", "gone")
    await gone.step("load", outputs=["data"])
    await gone.step("train", inputs={"x": "load.data"}, outputs=["model"])
    await repo.log_metadata(NodeKind.STEP, gone.steps["train"].id, {"loss": 0.1})
    await repo.delete_run(gone.run.id)

    assert await repo.get_runs([gone.run.id]) == [None]
    assert await repo.get_steps([gone.steps["train"].id]) == [None]
    assert (await repo.get_runs([keep.run.id]))[0] is not None
    orphans = {v.id for v in await repo.unreferenced_versions()}
    assert orphans == {gone.version_id("load.data"), gone.version_id("train.model")}
    assert await repo.upstream_version_ids([gone.version_id("train.model")], 3) == [[]]

    referenced = keep.version_id("load.data")
    deleted = await repo.delete_unreferenced_versions([*orphans, referenced])
    assert set(deleted) == orphans
    assert (await repo.get_artifact_versions([referenced]))[0] is not None
    assert await repo.get_artifacts_by_name(["model"]) == [None]
    assert (await repo.get_artifacts_by_name(["data"]))[0] is not None
    with pytest.raises(NotFoundError):
        await repo.delete_run(gone.run.id)


async def test_finish_step_writes_outputs_links_and_status_in_one_go(
    repo: LineageRepository,
) -> None:
    rec = await Recorder.start(repo, "p", "run")
    loader = await rec.step("load", outputs=["raw"])
    raw = rec.version_id("load.raw")
    trainer = await repo.create_step(NewStep(run_id=rec.run.id, name="train"), inputs={"x": raw})
    done = await repo.finish_step(
        trainer.id,
        outputs={
            "model": NewArtifactVersion(
                name="model", uri="u1", metadata={"acc": 0.9}, tags=["best"]
            ),
            "report": NewArtifactVersion(name="report", uri="u2", version="release"),
            "passthrough": raw,
        },
        status="completed",
    )
    step, produced = done.step, done.outputs
    assert step.status.value == "completed" and step.end_time is not None
    assert sorted(v.name for v in done.created) == ["model", "report"]
    versions = await repo.get_artifact_versions([produced["model"], produced["report"]])
    assert [(v.name, v.version) for v in versions if v] == [("model", "1"), ("report", "release")]
    assert produced["passthrough"] == raw
    [up] = await repo.upstream_version_ids([produced["model"]], 1)
    assert up == [raw]
    assert await repo.upstream_step_ids([trainer.id]) == [[loader.id]]
    assert await repo.tags_of(NodeKind.ARTIFACT_VERSION, [produced["model"]]) == [["best"]]
    [[acc]] = await repo.metadata_of(NodeKind.ARTIFACT_VERSION, [produced["model"]])
    assert acc.value == 0.9


async def test_finish_step_conflict_changes_nothing(repo: LineageRepository) -> None:
    rec = await Recorder.start(repo, "p", "run")
    await repo.create_artifact_version(NewArtifactVersion(name="report", uri="u", version="v1"))
    step = await repo.create_step(NewStep(run_id=rec.run.id, name="train"))
    for outputs in (
        {
            "a": NewArtifactVersion(name="model", uri="m"),
            "b": NewArtifactVersion(name="report", uri="r", version="v1"),
        },
        {
            "a": NewArtifactVersion(name="x", uri="1", version="dup"),
            "b": NewArtifactVersion(name="x", uri="2", version="dup"),
        },
    ):
        with pytest.raises(ConflictError, match="already has a version"):
            await repo.finish_step(step.id, outputs=outputs)  # type: ignore[arg-type]
    [stored] = await repo.get_steps([step.id])
    assert stored is not None and stored.status.value == "running" and stored.end_time is None
    assert await repo.outputs_of_steps([step.id]) == [[]]
    assert await repo.get_artifacts_by_name(["model", "x"]) == [None, None]
    assert (
        await repo.create_artifact_version(NewArtifactVersion(name="model", uri="m"))
    ).version == "1"
    with pytest.raises(NotFoundError, match="no step with id"):
        await repo.finish_step("nope", outputs={})


def test_derived_ids_are_those_earlier_versions_wrote() -> None:
    """Stores written before hold these ids: a pipeline, an artifact and a column are found
    by the same id whatever lineageql version derives it (UUID 5 of the JSON parts)."""
    assert pipeline_id_for("training") == "323f5a50-9b78-5899-a978-192380dda00b"
    version = "0b9e2f4c-6a41-4c7e-9d3a-5f1e8c2b7a90"
    assert column_id_for(version, "prix_€") == "011f5473-dd72-5b2d-965d-ddab901f22ae"
