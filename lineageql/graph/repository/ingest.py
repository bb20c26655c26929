"""Lineage events of other systems' runs (``RunEventChange``), each applied in one
transaction so that replays and any arrival order end in the same graph.

- A step's status only moves forward: a running event never undoes a finished step, and of
  two finishing events the later one (by event time) wins.
- Creation and start times are the earliest event times seen.
- Inputs are consumed at the artifact's latest version (an external version is created for
  a dataset seen for the first time); an input already linked under that name is kept.
- Outputs become new versions produced by the step once it has completed; an output already
  produced under that name is kept.
- The run takes the status of the step that stands for it once that step has finished;
  until then, its steps' outcome (failed if any failed, completed when all completed).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from lineageql.graph import queries as q
from lineageql.graph.repository.base import NodeKind
from lineageql.graph.repository.rows import run_record, step_record, version_record
from lineageql.graph.repository.writes import (
    Writes,
    create_run_in,
    create_step_in,
    create_versions_in,
    link_in,
    metadata_rows,
    write_metadata_in,
)
from lineageql.graph.store import Transaction
from lineageql.records import (
    DatasetChange,
    ExecutionStatus,
    NewArtifactVersion,
    NewRun,
    NewStep,
    RunEventChange,
    RunRecord,
    SaveType,
    StepRecord,
)

FINISHED = (ExecutionStatus.COMPLETED, ExecutionStatus.FAILED)


class IngestWrites(Writes):
    """Lineage events from other systems (OpenLineage), applied idempotently."""

    async def record_run_event(self, change: RunEventChange) -> None:
        """Apply one event in one transaction (all of it, or nothing on an error)."""
        await self.record_run_events([change])

    async def record_run_events(self, changes: Sequence[RunEventChange]) -> None:
        """Apply events in order in one transaction, as if each had its own: all of them,
        or none on an error."""
        for change in changes:
            _check(change)

        async def work(tx: Transaction) -> None:
            for change in changes:
                await _apply(tx, change)

        if changes:
            await self.store.write(work)


def _check(change: RunEventChange) -> None:
    """Refuse bad metadata before a transaction starts."""
    for values in (change.run_metadata, change.step_metadata):
        metadata_rows(values)
    for dataset in (*change.inputs, *change.outputs):
        metadata_rows(dataset.metadata)


async def _apply(tx: Transaction, change: RunEventChange) -> None:
    run = await _run_of(tx, change)
    before, fresh = await _step_of(tx, change)
    step = await _advance(tx, before, change)
    linked = await _consume(tx, step, change.inputs, fresh)
    if step.status is ExecutionStatus.COMPLETED and change.outputs:
        linked = await _produce(tx, step, change.outputs) or linked
    if linked:
        await tx.run(q.DERIVE_FROM_STEP, {"step_id": step.id})
    for kind, owner, values in (
        (NodeKind.RUN, run.id, change.run_metadata),
        (NodeKind.STEP, step.id, change.step_metadata),
    ):
        if values:
            await write_metadata_in(tx, kind, [(owner, metadata_rows(values))], change.event_time)
    # A running step of a running run changes nothing the run's status depends on.
    unsettled = step.status in FINISHED or run.status is not ExecutionStatus.RUNNING
    if (step is not before or fresh) and unsettled:
        await _settle_run(tx, run, change)


async def _run_of(tx: Transaction, change: RunEventChange) -> RunRecord:
    """The pipeline run, created on the first event that names it; its times moved to the
    earliest event."""
    rows = await tx.run(q.RUNS_BY_ID, {"keys": [change.run_id]})
    if not rows:
        new = NewRun(
            pipeline_name=change.pipeline_name,
            name=change.run_name,
            status=ExecutionStatus.RUNNING,
            start_time=change.event_time,
        )
        return await create_run_in(tx, new, change.run_id, change.event_time)
    run = run_record(rows[0])
    await _earliest(tx, q.SET_RUN_TIMES, run, change.event_time)
    return run


async def _step_of(tx: Transaction, change: RunEventChange) -> tuple[StepRecord, bool]:
    """The step, and whether this event created it."""
    rows = await tx.run(q.STEPS_BY_ID, {"keys": [change.step_id]})
    if not rows:
        new = NewStep(
            run_id=change.run_id,
            name=change.step_name,
            status=ExecutionStatus.RUNNING,
            start_time=change.event_time,
        )
        return await create_step_in(tx, new, change.step_id, change.event_time, {}), True
    step = step_record(rows[0])
    await _earliest(tx, q.SET_STEP_TIMES, step, change.event_time)
    return step, False


async def _earliest(tx: Transaction, query: str, node: RunRecord | StepRecord, at: str) -> None:
    """Move the node's creation and start times back to ``at`` if it is earlier."""
    if at < node.created:
        start = min(node.start_time or at, at)
        await tx.run(query, {"id": node.id, "created": at, "start_time": start})


async def _advance(tx: Transaction, step: StepRecord, change: RunEventChange) -> StepRecord:
    """The step with the event's status, unless the step is already further along."""
    status = change.status
    if status is None or (status not in FINISHED and step.status in FINISHED):
        return step
    if (
        status in FINISHED
        and step.status in FINISHED
        and step.end_time is not None
        and step.end_time > change.event_time
    ):
        return step
    if status == step.status and status not in FINISHED:
        return step
    rows = await tx.run(
        q.UPDATE_STEP,
        {
            "id": step.id,
            "status": status.value,
            "start_time": None,
            "end_time": change.event_time if status in FINISHED else None,
            "error_message": change.error_message,
        },
    )
    return step_record(rows[0])


async def _linked(tx: Transaction, direction: str, step: StepRecord) -> set[str]:
    rows = await tx.run(q.IO_OF_STEPS[direction], {"keys": [step.id]})
    return {row["name"] for row in rows}


async def _consume(
    tx: Transaction, step: StepRecord, inputs: list[DatasetChange], fresh: bool
) -> bool:
    """Link the inputs not linked yet (a step created just now has none); whether there
    were any."""
    if not inputs:
        return False
    done = set() if fresh else await _linked(tx, "CONSUMED", step)
    wanted = [d for d in inputs if d.name not in done]
    links: dict[str, str] = {}
    unseen: list[DatasetChange] = []
    for dataset in wanted:
        rows = await tx.run(q.LATEST_VERSION_BY_NAME, {"name": dataset.name, "as_of": ""})
        if rows:
            links[dataset.name] = version_record(rows[0]).id
        else:
            unseen.append(dataset)
    created = await create_versions_in(
        tx, [_version(dataset, SaveType.EXTERNAL) for dataset in unseen]
    )
    links.update({d.name: v.id for d, v in zip(unseen, created, strict=True)})
    await link_in(tx, q.LINK_INPUTS, step.id, links)
    return bool(links)


async def _produce(tx: Transaction, step: StepRecord, outputs: list[DatasetChange]) -> bool:
    """Create and link the outputs not produced yet; whether there were any."""
    done = await _linked(tx, "PRODUCED", step)
    fresh = [d for d in outputs if d.name not in done]
    created = await create_versions_in(
        tx, [_version(dataset, SaveType.STEP_OUTPUT) for dataset in fresh]
    )
    links = {d.name: v.id for d, v in zip(fresh, created, strict=True)}
    await link_in(tx, q.LINK_OUTPUTS, step.id, links)
    return bool(links)


def _version(dataset: DatasetChange, save_type: SaveType) -> NewArtifactVersion:
    return NewArtifactVersion(
        name=dataset.name,
        uri=dataset.uri,
        type="dataset",
        save_type=save_type,
        metadata=dataset.metadata,
    )


async def _settle_run(tx: Transaction, run: RunRecord, change: RunEventChange) -> None:
    """Give the run the status its steps call for (see the module's docstring)."""
    steps = [step_record(row) for row in await tx.run(q.STEPS_OF_RUNS, {"keys": [run.id]})]
    own = next((s for s in steps if s.id == change.run_step_id), None)
    status: ExecutionStatus
    end: str | None
    if own is not None and own.status in FINISHED:
        status, end = own.status, own.end_time
    elif any(s.status is ExecutionStatus.FAILED for s in steps):
        status, end = ExecutionStatus.FAILED, max(s.end_time or "" for s in steps) or None
    elif steps and all(s.status is ExecutionStatus.COMPLETED for s in steps):
        status, end = ExecutionStatus.COMPLETED, max(s.end_time or "" for s in steps) or None
    else:
        status, end = ExecutionStatus.RUNNING, None
    # ``run`` is as this transaction left it: only this function changes a run's status.
    if (run.status, run.end_time) != (status, end):
        params: dict[str, Any] = {
            "id": run.id,
            "status": status.value,
            "start_time": None,
            "end_time": end,
        }
        await tx.run(q.UPDATE_RUN, params)
