"""Whole runs written at once: runs, steps, new versions, links, metadata and tags of many
runs in one transaction, with a few batched statements for all of them.

The same checks as the single writes apply, before the transaction starts where they can:
names, metadata values, custom versions, and that every input names an existing version or
an earlier step's output. Any failure leaves nothing behind.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from lineageql.errors import BadInputError, ConflictError
from lineageql.graph import queries as q
from lineageql.graph.repository.base import NodeKind
from lineageql.graph.repository.rows import run_record
from lineageql.graph.repository.touches import structure
from lineageql.graph.repository.writes import (
    Writes,
    check_existing_versions,
    check_run,
    check_versions,
    create_run_in,
    create_versions_in,
    metadata_rows,
    reuses,
    write_metadata_in,
)
from lineageql.graph.store import Transaction
from lineageql.records import (
    NewArtifactVersion,
    OutputRef,
    RecordedRun,
    RecordedStep,
    RunRecord,
    check_name,
    new_id,
    successive_times,
    to_json,
    utc_now,
)

MAX_RUNS_PER_CALL = 500


class BulkWrites(Writes):
    """``record_runs``: whole runs, for importers, benchmarks and bulk loads."""

    async def record_runs(self, runs: Sequence[RecordedRun]) -> list[RunRecord]:
        """Write ``runs`` whole in one transaction; the runs as stored."""
        if len(runs) > MAX_RUNS_PER_CALL:
            raise BadInputError(
                f"at most {MAX_RUNS_PER_CALL} runs per call, got {len(runs)}", "runs"
            )
        _check(runs)
        now = utc_now()

        async def work(tx: Transaction) -> list[RunRecord]:
            taken = await tx.run(q.RUN_NAMES_TAKEN, {"names": [r.run.name for r in runs]})
            if taken:
                raise ConflictError(f"a pipeline run named {taken[0]['name']!r} already exists")
            times = successive_times(now)
            records = [
                await create_run_in(
                    tx, r.run, r.id or new_id(), r.created or r.run.start_time or next(times)
                )
                for r in runs
            ]
            step_ids = [[step.id or new_id() for step in r.steps] for r in runs]
            await tx.run(q.CREATE_STEPS, {"rows": _step_rows(runs, records, step_ids, now)})
            await _write_io(tx, runs, step_ids)
            ended = [(rec.id, r.end_time) for rec, r in zip(records, runs, strict=True)]
            for run_id, end_time in ended:
                if end_time is not None:
                    await tx.run(
                        q.UPDATE_RUN,
                        {"id": run_id, "status": None, "start_time": None, "end_time": end_time},
                    )
            run_meta = [
                (rec.id, metadata_rows(r.metadata))
                for rec, r in zip(records, runs, strict=True)
                if r.metadata
            ]
            await write_metadata_in(tx, NodeKind.RUN, run_meta, now, new_owners=True)
            step_meta = [
                (step_id, metadata_rows(step.metadata))
                for r, ids in zip(runs, step_ids, strict=True)
                for step, step_id in zip(r.steps, ids, strict=True)
                if step.metadata
            ]
            await write_metadata_in(tx, NodeKind.STEP, step_meta, now, new_owners=True)
            rows = await tx.run(q.RUNS_BY_ID, {"keys": [rec.id for rec in records]})
            stored = {row["id"]: run_record(row) for row in rows}
            return [stored[rec.id] for rec in records]

        outputs = (output for r in runs for step in r.steps for output in step.outputs.values())
        touched = structure(None, upstream=reuses(outputs))
        return await self.store.write(work, touched) if runs else []


def _check(runs: Sequence[RecordedRun]) -> None:
    names = [r.run.name for r in runs]
    doubled = next((n for n in names if names.count(n) > 1), None)
    if doubled is not None:
        raise BadInputError(f"{doubled!r} is given twice", "runs.name")
    for r in runs:
        check_run(r.run)
        metadata_rows(r.metadata)
        seen: dict[str, set[str]] = {}
        for step in r.steps:
            if step.name in seen:
                raise BadInputError(
                    f"run {r.run.name!r} has two steps named {step.name!r}", "steps.name"
                )
            to_json(step.parameters, "parameters")
            to_json(step.settings, "settings")
            metadata_rows(step.metadata)
            for name, source in step.inputs.items():
                check_name(name, "inputs")
                if isinstance(source, OutputRef) and source.output not in seen.get(
                    source.step, set()
                ):
                    raise BadInputError(
                        f"step {step.name!r} reads {source.step}.{source.output}, which no "
                        "earlier step of the run produces",
                        "inputs",
                    )
            for name in step.outputs:
                check_name(name, "outputs")
            check_versions([v for v in step.outputs.values() if isinstance(v, NewArtifactVersion)])
            seen[step.name] = set(step.outputs)


def _step_rows(
    runs: Sequence[RecordedRun],
    records: Sequence[RunRecord],
    step_ids: Sequence[Sequence[str]],
    now: str,
) -> list[dict[str, Any]]:
    """Each step's row; creation times a microsecond apart keep the steps' order (an
    importer's own times where it gives them)."""
    created = successive_times(now)
    return [
        {
            "id": step_id,
            "run_id": record.id,
            "name": step.name,
            "step_name": step.step_name or step.name,
            "status": step.status.value,
            "created": (at := step.created or next(created)),
            "start_time": step.start_time or at,
            "end_time": step.end_time,
            "cache_key": step.cache_key,
            "parameters": to_json(step.parameters, "parameters"),
            "settings": to_json(step.settings, "settings"),
            "docstring": step.docstring,
            "error_message": step.error_message,
            "source_hash": step.source_hash,
        }
        for r, record, ids in zip(runs, records, step_ids, strict=True)
        for step, step_id in zip(r.steps, ids, strict=True)
    ]


async def _write_io(
    tx: Transaction, runs: Sequence[RecordedRun], step_ids: Sequence[Sequence[str]]
) -> None:
    """Create every new output version at once, then link every input and output, and each
    output to the inputs of its step (DERIVED_FROM)."""
    steps: list[tuple[RecordedStep, str]] = [
        (step, step_id)
        for r, ids in zip(runs, step_ids, strict=True)
        for step, step_id in zip(r.steps, ids, strict=True)
    ]
    wanted = [
        (step_id, name, new)
        for step, step_id in steps
        for name, new in step.outputs.items()
        if isinstance(new, NewArtifactVersion)
    ]
    created = await create_versions_in(tx, [new for _, _, new in wanted])
    produced: dict[tuple[str, str], str] = {
        (step_id, name): version.id
        for (step_id, name, _), version in zip(wanted, created, strict=True)
    }
    existing = [
        v
        for step, _ in steps
        for v in [*step.outputs.values(), *step.inputs.values()]
        if isinstance(v, str)
    ]
    await check_existing_versions(tx, existing)
    outputs: list[dict[str, str]] = []
    inputs: list[dict[str, str]] = []
    derived: set[tuple[str, str]] = set()
    for r, ids in zip(runs, step_ids, strict=True):
        by_name = dict(zip((s.name for s in r.steps), ids, strict=True))
        for step, step_id in zip(r.steps, ids, strict=True):
            wrote = {
                name: out if isinstance(out, str) else produced[(step_id, name)]
                for name, out in step.outputs.items()
            }
            read = {
                name: source
                if isinstance(source, str)
                else _output_version(r, by_name, produced, source)
                for name, source in step.inputs.items()
            }
            outputs += [_link_row(step_id, name, v) for name, v in wrote.items()]
            inputs += [_link_row(step_id, name, v) for name, v in read.items()]
            derived |= {(o, i) for o in wrote.values() for i in read.values() if o != i}
    if inputs:
        await tx.run(q.LINK_INPUTS, {"rows": inputs})
    if outputs:
        await tx.run(q.LINK_OUTPUTS, {"rows": outputs})
    if derived:
        pairs = [{"output": o, "input": i} for o, i in sorted(derived)]
        await tx.run(q.DERIVE_PAIRS, {"rows": pairs})


def _link_row(step_id: str, name: str, version_id: str) -> dict[str, str]:
    return {"step_id": step_id, "name": name, "artifact_version_id": version_id}


def _output_version(
    run: RecordedRun,
    step_ids: dict[str, str],
    produced: dict[tuple[str, str], str],
    source: OutputRef,
) -> str:
    step = next(s for s in run.steps if s.name == source.step)
    out = step.outputs[source.output]
    return out if isinstance(out, str) else produced[(step_ids[source.step], source.output)]
