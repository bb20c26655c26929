"""Lineage events applied in batches (as the OpenLineage endpoint groups them) end in the same
graph as the same events applied one at a time, on both stores."""

from __future__ import annotations

import random
import uuid
from typing import Any

import pytest

from lineageql.errors import ConflictError
from lineageql.graph import LineageRepository
from lineageql.graph.store import Transaction
from lineageql.openlineage import run_step_id
from lineageql.records import (
    DatasetChange,
    ExecutionStatus,
    NewArtifactVersion,
    NewRun,
    RunEventChange,
)
from tests.graphql_client import execute

DAGS = 12


def dag_events(copy: str, index: int) -> list[RunEventChange]:
    """One DAG run of copy ``copy``: extract reads a shared raw file and writes a table,
    transform reads that table and writes a report; every third run's transform fails,
    and every run's extract is told twice (a replay) with facets that change."""
    dag = str(uuid.uuid5(uuid.NAMESPACE_URL, f"{copy}/{index}"))
    extract, transform = (str(uuid.uuid5(uuid.UUID(dag), task)) for task in ("e", "t"))
    raw = DatasetChange(name=f"{copy}:s3://raw/orders.csv", uri="s3://raw/orders.csv")
    table = DatasetChange(
        name=f"{copy}:pg://db/orders_{index % 3}",
        uri="pg://db/orders",
        metadata={"schema": {"fields": [{"name": "id", "type": "int"}]}},
    )
    report = DatasetChange(name=f"{copy}:pg://db/report", uri="pg://db/report")
    fails = index % 3 == 0

    def event(
        step: str, name: str, minute: int, status: ExecutionStatus | None, **more: Any
    ) -> RunEventChange:
        return RunEventChange(
            pipeline_name=f"{copy}-etl",
            run_id=dag,
            run_name=dag,
            step_id=step,
            step_name=name,
            run_step_id=run_step_id(dag),
            event_time=f"2026-11-20T06:{minute:02d}:{index:02d}.000000Z",
            status=status,
            **more,
        )

    running, done, failed = (
        ExecutionStatus.RUNNING,
        ExecutionStatus.COMPLETED,
        ExecutionStatus.FAILED,
    )
    dag_step = run_step_id(dag)
    extract_done = event(
        extract, "extract", 2, done, inputs=[raw], outputs=[table], step_metadata={"rows": 10}
    )
    return [
        event(dag_step, "etl", 0, running, run_metadata={"owner": "data"}),
        event(extract, "extract", 1, running, inputs=[raw], step_metadata={"rows": 0}),
        extract_done,
        extract_done,
        event(transform, "transform", 3, running, inputs=[table]),
        event(extract, "extract", 3, None, step_metadata={"checked": True}),
        event(
            transform,
            "transform",
            4,
            failed if fails else done,
            inputs=[table],
            outputs=[] if fails else [report],
            error_message="boom" if fails else None,
        ),
        event(dag_step, "etl", 5, failed if fails else done),
    ]


def interleaved(copy: str) -> list[RunEventChange]:
    """The DAG runs' events as several schedulers would send them: interleaved, each run's
    in its own order."""
    queues = [dag_events(copy, index) for index in range(DAGS)]
    order = random.Random(7)
    events: list[RunEventChange] = []
    while any(queues):
        queue = order.choice([q for q in queues if q])
        events.append(queue.pop(0))
    return events


SNAPSHOT = """query($prefix: String!) {
  pipelineRuns(first: 100, filter: {pipelineName: $prefix}) { edges { node {
    status created startTime endTime runMetadata { key value }
    steps { name status startTime endTime errorMessage runMetadata { key value }
      inputs { name artifactVersion { name version saveType } }
      outputs { name artifactVersion { name version saveType runMetadata { key value }
        upstream(depth: 1) { name version } } } } } } }
}"""


async def snapshot(repo: LineageRepository, copy: str) -> list[Any]:
    """Every run of ``copy`` with its steps, links, versions and metadata, named without
    the copy's prefix and ordered by creation time."""
    answer = await execute(repo, SNAPSHOT, prefix=f"{copy}-etl")
    assert "errors" not in answer, answer
    runs = [edge["node"] for edge in answer["data"]["pipelineRuns"]["edges"]]
    assert len(runs) == DAGS
    return [unprefixed(run, copy) for run in sorted(runs, key=lambda run: run["created"])]


def unprefixed(value: Any, copy: str) -> Any:
    """``value`` with the copy's prefix taken off every string in it."""
    if isinstance(value, str):
        return value.replace(f"{copy}:", "").replace(f"{copy}-", "")
    if isinstance(value, list):
        return [unprefixed(item, copy) for item in value]
    if isinstance(value, dict):
        return {key: unprefixed(item, copy) for key, item in value.items()}
    return value


async def test_batches_end_as_events_applied_one_at_a_time(repo: LineageRepository) -> None:
    for change in interleaved("alone"):
        await repo.record_run_event(change)
    together = interleaved("batched")
    sizes = random.Random(11)
    start = 0
    while start < len(together):
        size = sizes.randint(2, 25)
        await repo.record_run_events(together[start : start + size])
        start += size
    alone, batched = await snapshot(repo, "alone"), await snapshot(repo, "batched")
    assert batched == alone
    failed = [run for run in alone if run["status"] == "FAILED"]
    assert len(failed) == DAGS // 3
    extract = next(s for s in alone[1]["steps"] if s["name"] == "extract")
    assert {m["key"] for m in extract["runMetadata"]} == {"rows", "checked"}
    [table] = extract["outputs"]
    assert table["artifactVersion"]["upstream"] == [{"name": "s3://raw/orders.csv", "version": "1"}]


async def test_a_batch_with_a_conflict_stores_none_of_its_events(
    repo: LineageRepository,
) -> None:
    first = dag_events("conflict", 1)
    await repo.record_run_events(first[:2])
    other = str(uuid.uuid4())
    await repo.create_run(NewRun(pipeline_name="scripts", name=other))
    before = await snapshot_of_one(repo)
    # A new run under a name another run has cannot be stored; nor is the rest.
    clash = first[1].model_copy(
        update={"run_id": str(uuid.uuid4()), "run_name": other, "step_id": str(uuid.uuid4())}
    )
    with pytest.raises(ConflictError, match=f"a pipeline run named '{other}' already exists"):
        await repo.record_run_events([*first[2:5], clash])
    assert await snapshot_of_one(repo) == before


EVERYTHING = """{
  pipelineRuns(first: 100) { edges { node { status endTime runMetadata { key value }
    steps { name status endTime runMetadata { key value } inputs { name } outputs { name } } } } }
  artifactVersions(first: 100) { totalCount }
}"""


async def snapshot_of_one(repo: LineageRepository) -> Any:
    answer = await execute(repo, EVERYTHING)
    assert "errors" not in answer, answer
    assert answer["data"]["pipelineRuns"]["edges"]
    return answer["data"]


async def test_events_consume_the_newest_version_however_versions_came_and_went(
    repo: LineageRepository,
) -> None:
    """An input is consumed at the artifact's newest version by creation time, the one the
    read path finds as its latest: not one imported later with an older time, not one
    deleted since; and a store written before artifacts noted their newest version (the note
    cleared here) notes it when it opens."""

    async def version(created: str) -> str:
        new = NewArtifactVersion(name="pg://db/orders", uri="pg://db/orders", created=created)
        return (await repo.create_artifact_version(new)).id

    async def consumed() -> str:
        run = str(uuid.uuid4())
        change = RunEventChange(
            pipeline_name="reports",
            run_id=run,
            run_name=run,
            step_id=str(uuid.uuid4()),
            step_name="report",
            run_step_id=run_step_id(run),
            event_time="2026-11-20T07:00:00.000000Z",
            status=ExecutionStatus.RUNNING,
            inputs=[DatasetChange(name="pg://db/orders", uri="pg://db/orders")],
        )
        await repo.record_run_event(change)
        [[step]] = await repo.steps_of_runs([run])
        [[link]] = await repo.inputs_of_steps([step.id])
        latest = await repo.find_artifact_version("pg://db/orders")
        assert latest.id == link.artifact_version_id
        return link.artifact_version_id

    newest = await version("2026-11-02T00:00:00.000000Z")
    await version("2026-11-01T00:00:00.000000Z")
    assert await consumed() == newest
    later = await version("2026-11-03T00:00:00.000000Z")
    assert await consumed() == later
    assert await repo.delete_unreferenced_versions([later]) == []
    unused = await version("2026-11-04T00:00:00.000000Z")
    assert await repo.delete_unreferenced_versions([unused]) == [unused]
    assert await consumed() == later

    async def forget(tx: Transaction) -> None:
        await tx.run(
            "MATCH (a:Artifact) SET a.latest_version_id = NULL, a.latest_version_created = NULL"
        )

    await repo.store.write(forget)
    await repo.store.migrate()
    assert await consumed() == later
