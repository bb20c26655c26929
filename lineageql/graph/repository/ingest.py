"""Lineage events of other systems' runs (``RunEventChange``), applied idempotently: replays
and any arrival order end in the same graph (the rules are in ``event_batch``).

A batch of events is one transaction of a fixed number of statements whatever its size:
read the runs, steps, links and latest versions the events touch, apply the events in
memory (``EventBatch``), then write what changed, one statement per kind of change.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from lineageql.errors import ConflictError
from lineageql.graph import queries as q
from lineageql.graph.repository.base import NodeKind
from lineageql.graph.repository.event_batch import EventBatch, RunState, StepState, StoredPart
from lineageql.graph.repository.job_graph import set_namespaces_in
from lineageql.graph.repository.rows import joined
from lineageql.graph.repository.touches import structure
from lineageql.graph.repository.writes import (
    Writes,
    create_metadata_in,
    create_versions_in,
    metadata_rows,
    upsert_metadata_in,
)
from lineageql.graph.store import Touched, Transaction
from lineageql.records import (
    ExecutionStatus,
    RunEventChange,
    artifact_id_for,
    pipeline_id_for,
    to_json,
)


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

        async def work(tx: Transaction) -> EventBatch:
            batch = EventBatch(await _stored_part(tx, changes))
            for change in changes:
                batch.apply(change)
            await _write(tx, batch)
            return batch

        if changes:
            await self.store.write(work, _touched_by)


def _touched_by(batch: EventBatch) -> Touched:
    """Every run, step and version the batch wrote or linked (with the pipelines, names and
    artifacts they are found by); UPSTREAM when it linked an input to a step it did not
    create or derived a version it did not create (what existing versions came from)."""
    new_steps = {step.id for step in batch.steps if step.new}
    new_versions = {version_id for version_id, _ in batch.versions}
    keys: set[str] = set()
    for run in batch.runs:
        keys |= {run.id, run.name, pipeline_id_for(run.pipeline_name)}
    for step in batch.steps:
        keys |= {step.id, step.run_id}
    for version_id, new in batch.versions:
        keys |= {version_id, new.name, artifact_id_for(new.name)}
    for link in (*batch.inputs, *batch.outputs):
        keys |= {link["step_id"], link["artifact_version_id"]}
    for output, source in batch.derived:
        keys |= {output, source}
    for link in batch.column_links:
        keys |= {link["column_id"], link["source_id"], link["source_version_id"]}
    upstream = (
        any(link["step_id"] not in new_steps for link in batch.inputs)
        or any(output not in new_versions for output, _ in batch.derived)
        or any(link["artifact_version_id"] not in new_versions for link in batch.outputs)
    )
    return structure(keys, upstream=upstream)


def _check(change: RunEventChange) -> None:
    """Refuse bad metadata before a transaction starts."""
    for values in (change.run_metadata, change.step_metadata):
        metadata_rows(values)
    for dataset in (*change.inputs, *change.outputs):
        metadata_rows(dataset.metadata)


async def _stored_part(tx: Transaction, changes: Sequence[RunEventChange]) -> StoredPart:
    """The runs and steps the events name, every step of those runs, the existing steps'
    links, and the latest version and namespace of each dataset the events name."""
    run_rows = await tx.run(q.RUNS_WITH_STEPS, {"keys": sorted({c.run_id for c in changes})})
    runs = {
        row["id"]: RunState(
            **_state(row),
            pipeline_name="",
            reported=_status(row["reported_status"]),
            read={f: row[f] for f in q.RUN_STATE_FIELDS},
        )
        # A run comes once per step: one state for each.
        for row in {row["id"]: row for row in run_rows}.values()
    }
    step_rows = [
        joined(row, q.JOINED_STEP) for row in run_rows if row[q.JOINED_STEP + "id"] is not None
    ]
    elsewhere = sorted({c.step_id for c in changes} - {row["id"] for row in step_rows})
    if elsewhere:
        step_rows = [*step_rows, *await tx.run(q.STEPS_BY_ID, {"keys": elsewhere})]
    steps = {
        row["id"]: StepState(
            **_state(row),
            run_id=row["run_id"],
            step_name=row["step_name"],
            error_message=None,
            read={f: row[f] for f in STEP_READ_FIELDS},
        )
        for row in step_rows
    }
    linked = sorted({c.step_id for c in changes if c.inputs or c.outputs} & set(steps))
    if linked:
        for row in await tx.run(q.LINKS_OF_STEPS, {"keys": linked}):
            step = steps[row["key"]]
            links = step.inputs if row["direction"] == "CONSUMED" else step.outputs
            links[row["name"]] = row["artifact_version_id"]
    names = sorted(
        {d.name for c in changes for d in (*c.inputs, *c.outputs)}
        | {
            source.dataset
            for c in changes
            for d in c.outputs
            for sources in d.column_sources.values()
            for source in sources
        }
    )
    keys = [artifact_id_for(name) for name in names]
    rows = await tx.run(q.LATEST_VERSIONS_OF_ARTIFACTS, {"keys": keys}) if keys else []
    latest = {row["name"]: row["id"] for row in rows}
    placed = {row["name"] for row in rows if row["namespace"] is not None}
    names = sorted({c.pipeline_name for c in changes if c.pipeline_namespace is not None})
    pipelines = await tx.run(q.PIPELINES_BY_ID, {"keys": [pipeline_id_for(n) for n in names]})
    namespaces = {row["name"]: row["namespace"] for row in pipelines}
    return StoredPart(
        runs=runs,
        steps=steps,
        latest=latest,
        pipeline_namespaces=namespaces,
        placed_datasets=placed,
    )


STEP_READ_FIELDS = ("status", "created", "start_time", "end_time")
"""The state fields of a step ingest reads (not its error message: an event's replaces it)."""


def _status(value: str | None) -> ExecutionStatus | None:
    return ExecutionStatus(value) if value is not None else None


def _state(row: dict[str, Any]) -> dict[str, Any]:
    """What runs and steps share: id, name, status and times."""
    return {
        "id": row["id"],
        "name": row["name"],
        "status": ExecutionStatus(row["status"]),
        "created": row["created"],
        "start_time": row["start_time"],
        "end_time": row["end_time"],
    }


async def _write(tx: Transaction, batch: EventBatch) -> None:
    """Write what ``batch`` changed: new runs and steps, changed ones, new versions, links,
    DERIVED_FROM pairs, metadata."""
    new_runs = [run for run in batch.runs if run.new]
    if new_runs:
        taken = await tx.run(q.RUN_NAMES_TAKEN, {"names": [run.name for run in new_runs]})
        if taken:
            raise ConflictError(f"a pipeline run named {taken[0]['name']!r} already exists")
        # Pipelines the stored part found exist already, and keep a namespace once given.
        known = batch.stored.pipeline_namespaces
        pipelines: dict[str, dict[str, str | None]] = {}
        for run in new_runs:
            if run.pipeline_name in known:
                continue
            pipelines.setdefault(
                run.pipeline_name,
                {
                    "id": pipeline_id_for(run.pipeline_name),
                    "name": run.pipeline_name,
                    "created": run.created,
                    "docstring": None,
                },
            )
        if pipelines:
            await tx.run(q.MERGE_PIPELINES, {"rows": list(pipelines.values())})
        namespaces = {
            name: namespace
            for name, namespace in batch.pipeline_namespaces.items()
            if known.get(name) is None
        }
        await set_namespaces_in(tx, namespaces, [])
        await tx.run(q.CREATE_RUNS, {"rows": [_new_run_row(run) for run in new_runs]})
    changed_runs = [run for run in batch.runs if run.changed and not run.new]
    await _set_changed(
        tx, [(_run_row(r), r.read) for r in changed_runs], q.RUN_STATE_FIELDS, q.set_run_states
    )
    new_steps = [_new_step_row(step) for step in batch.steps if step.new]
    if new_steps:
        await tx.run(q.CREATE_STEPS, {"rows": new_steps})
    changed_steps = [step for step in batch.steps if step.changed and not step.new]
    await _set_changed(
        tx, [(_step_row(s), s.read) for s in changed_steps], q.STEP_STATE_FIELDS, q.set_step_states
    )
    if batch.versions:
        ids = [version_id for version_id, _ in batch.versions]
        await create_versions_in(tx, [new for _, new in batch.versions], ids)
    # The batch adds only links its steps lack, and derives pairs from new versions that no
    # edge can reach yet; pairs between versions that existed before may be there already.
    if batch.inputs:
        await tx.run(q.NEW_INPUT_LINKS, {"rows": batch.inputs})
    if batch.outputs:
        await tx.run(q.NEW_OUTPUT_LINKS, {"rows": batch.outputs})
    created = {version_id for version_id, _ in batch.versions}
    for query, new in ((q.NEW_DERIVED_PAIRS, True), (q.DERIVE_PAIRS, False)):
        pairs = [{"output": o, "input": i} for o, i in batch.derived if (o in created) is new]
        if pairs:
            await tx.run(query, {"rows": pairs})
    placed = batch.stored.placed_datasets
    await set_namespaces_in(tx, {}, [d for d in batch.datasets.values() if d.name not in placed])
    if batch.column_links:
        wanted = sorted(batch.source_columns)
        present = {row["id"] for row in await tx.run(q.EXISTING_COLUMNS, {"keys": wanted})}
        missing = [batch.source_columns[key] for key in wanted if key not in present]
        if missing:
            await tx.run(q.CREATE_COLUMNS, {"rows": missing})
        await tx.run(q.LINK_COLUMNS, {"rows": batch.column_links})
    new_owners = {run.id for run in new_runs} | {step["id"] for step in new_steps}
    for kind in (NodeKind.RUN, NodeKind.STEP):
        rows = [
            row
            for (owner_kind, _), entries in batch.metadata.items()
            if owner_kind is kind
            for row in entries.values()
        ]
        await create_metadata_in(tx, kind, [r for r in rows if r["owner_id"] in new_owners])
        await upsert_metadata_in(tx, kind, [r for r in rows if r["owner_id"] not in new_owners])


async def _set_changed(
    tx: Transaction,
    rows: list[tuple[dict[str, Any], dict[str, Any]]],
    fields: tuple[str, ...],
    statement: Callable[[tuple[str, ...]], str],
) -> None:
    """Set on each node (its row beside its state as read) the fields that any of them
    changed, and only those."""
    changed = tuple(f for f in fields if any(row[f] != read.get(f) for row, read in rows))
    if changed:
        sent = [{"id": row["id"], **{f: row[f] for f in changed}} for row, _ in rows]
        await tx.run(statement(changed), {"rows": sent})


def _run_row(run: RunState) -> dict[str, Any]:
    return {
        "id": run.id,
        "status": run.status.value,
        "created": run.created,
        "start_time": run.start_time,
        "end_time": run.end_time,
        "reported_status": run.reported.value if run.reported is not None else None,
    }


def _new_run_row(run: RunState) -> dict[str, Any]:
    return {
        **_run_row(run),
        "pipeline_id": pipeline_id_for(run.pipeline_name),
        "name": run.name,
        "config": to_json({}, "config"),
        "settings": to_json({}, "settings"),
        "git_sha": None,
        "docstring": None,
        "pipeline_version_id": None,
    }


def _step_row(step: StepState) -> dict[str, Any]:
    return {
        "id": step.id,
        "status": step.status.value,
        "created": step.created,
        "start_time": step.start_time,
        "end_time": step.end_time,
        "error_message": step.error_message,
    }


def _new_step_row(step: StepState) -> dict[str, Any]:
    return {
        **_step_row(step),
        "run_id": step.run_id,
        "name": step.name,
        "step_name": step.step_name,
        "cache_key": None,
        "parameters": to_json({}, "parameters"),
        "settings": to_json({}, "settings"),
        "docstring": None,
        "source_hash": None,
    }
