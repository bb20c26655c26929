"""The demo history: a few runs of an iris training pipeline, recorded into a store.

Until the SDK lands this records through the repository directly, the way the SDK will:
a data loader producing four splits, and a trainer consuming two of them.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from lineageql.graph import Direction, LineageRepository, NodeKind
from lineageql.graph.records import (
    ExecutionStatus,
    LineageGraph,
    NewArtifactVersion,
    NewRun,
    NewStep,
    RunRecord,
    StorageSize,
    utc_now,
)

PIPELINE = "training_pipeline"
SPLITS = ("X_train", "X_test", "y_train", "y_test")


@dataclass(frozen=True)
class DemoResult:
    """What the demo recorded: its runs, and the lineage of the last trained model."""

    runs: list[RunRecord]
    model_lineage: LineageGraph


async def record_demo(
    repo: LineageRepository, gammas: tuple[float, ...] = (0.001, 0.005)
) -> DemoResult:
    """Record one run per gamma and return the runs and the last model's upstream lineage."""
    runs = []
    model_id = ""
    for gamma in gammas:
        name = f"{PIPELINE}-{datetime.now(UTC):%Y_%m_%d-%H_%M_%S_%f}"
        run = await repo.create_run(
            NewRun(
                pipeline_name=PIPELINE,
                name=name,
                status=ExecutionStatus.RUNNING,
                start_time=utc_now(),
                config={"parameters": {"gamma": gamma}},
                pipeline_docstring="Train an SVC on the iris data set.",
            )
        )
        loader = await repo.create_step(NewStep(run_id=run.id, name="training_data_loader"))
        splits = {}
        for split in SPLITS:
            version = await repo.create_artifact_version(
                NewArtifactVersion(
                    name=split,
                    uri=f"demo://{name}/{split}",
                    data_type="pandas.DataFrame",
                    metadata={"storage_size": StorageSize(4096)},
                )
            )
            splits[split] = version.id
        await repo.link_step_io(loader.id, outputs=splits)
        await repo.update_step(loader.id, status=ExecutionStatus.COMPLETED, end_time=utc_now())

        trainer = await repo.create_step(
            NewStep(run_id=run.id, name="svc_trainer", parameters={"gamma": gamma})
        )
        model = await repo.create_artifact_version(
            NewArtifactVersion(name="trained_model", uri=f"demo://{name}/model", type="model")
        )
        model_id = model.id
        await repo.link_step_io(
            trainer.id,
            inputs={"X_train": splits["X_train"], "y_train": splits["y_train"]},
            outputs={"trained_model": model.id},
        )
        await repo.log_metadata(NodeKind.STEP, trainer.id, {"training_acc": 0.9 + gamma})
        await repo.update_step(trainer.id, status=ExecutionStatus.COMPLETED, end_time=utc_now())
        runs.append(
            await repo.update_run(run.id, status=ExecutionStatus.COMPLETED, end_time=utc_now())
        )
    lineage = await repo.lineage(model_id, Direction.UPSTREAM, 3)
    return DemoResult(runs=runs, model_lineage=lineage)
