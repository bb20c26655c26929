"""Writes: runs, steps, artifact versions, links, tags and metadata."""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from lineageql.errors import BadInputError, ConflictError, NotFoundError
from lineageql.graph import queries as q
from lineageql.graph.repository.base import (
    NodeKind,
    kind_name,
    status_value,
)
from lineageql.graph.repository.keyed_reads import KeyedReads
from lineageql.graph.repository.rows import (
    run_record,
    step_record,
    version_record,
)
from lineageql.graph.repository.touches import (
    annotated,
    changed,
    run_keys,
    step_keys,
    structure,
    version_keys,
)
from lineageql.graph.store import Touched, Transaction
from lineageql.records import (
    ArtifactVersionRecord,
    ExecutionStatus,
    MetadataType,
    NewArtifactVersion,
    NewColumn,
    NewRun,
    NewStep,
    RunRecord,
    StepRecord,
    artifact_id_for,
    check_metadata_size,
    check_name,
    check_tags,
    column_id_for,
    metadata_id_for,
    metadata_type_of,
    new_id,
    pipeline_id_for,
    pipeline_version_id_for,
    successive_times,
    to_json,
    utc_now,
)


@dataclass(frozen=True)
class FinishedStep:
    """What finishing a step wrote: the step, each output's version id, the new versions."""

    step: StepRecord
    outputs: dict[str, str]
    created: list[ArtifactVersionRecord]


class Writes(KeyedReads):
    """Writes, each one transaction: it happens whole or leaves nothing behind."""

    async def create_run(self, new: NewRun) -> RunRecord:
        """Record a run of ``new.pipeline_name``, creating the pipeline on its first run."""
        check_run(new)

        async def work(tx: Transaction) -> RunRecord:
            return await create_run_in(tx, new, new_id(), utc_now())

        return await self.store.write(work, lambda run: structure(run_keys(run)))

    async def update_run(
        self,
        run_id: str,
        *,
        status: ExecutionStatus | str | None = None,
        start_time: str | None = None,
        end_time: str | None = None,
    ) -> RunRecord:
        """Change a run's status or times; fields left ``None`` keep their value."""
        params = {
            "id": run_id,
            "status": status_value(status),
            "start_time": start_time,
            "end_time": end_time,
        }

        async def work(tx: Transaction) -> RunRecord:
            rows = await tx.run(q.UPDATE_RUN, params)
            if not rows:
                raise NotFoundError(f"no pipeline run with id {run_id!r}")
            return run_record(rows[0])

        return await self.store.write(work, lambda run: changed(run_keys(run)))

    async def delete_run(self, run_id: str) -> None:
        """Delete a run, its steps and their metadata; artifact versions stay (see prune)."""

        async def work(tx: Transaction) -> None:
            if not await tx.run(q.RUNS_BY_ID, {"keys": [run_id]}):
                raise NotFoundError(f"no pipeline run with id {run_id!r}")
            for query in (
                q.DELETE_RUN_DERIVED_EDGES,
                *q.DELETE_RUN_METADATA,
                q.DELETE_RUN_STEPS,
                q.DELETE_RUN_NAME,
            ):
                await tx.run(query, {"id": run_id})
            await tx.run(q.DELETE_RUN, {"id": run_id})

        await self.store.write(work)

    async def create_step(self, new: NewStep, inputs: dict[str, str] | None = None) -> StepRecord:
        """Record a step of a run, and the artifact versions it consumes (input name to
        version id); its name (invocation id) is unique within the run."""
        new = check_step(new, inputs or {})

        async def work(tx: Transaction) -> StepRecord:
            return await create_step_in(tx, new, new_id(), utc_now(), inputs or {})

        consumed = set((inputs or {}).values())
        return await self.store.write(work, lambda step: structure(step_keys(step) | consumed))

    async def update_step(
        self,
        step_id: str,
        *,
        status: ExecutionStatus | str | None = None,
        start_time: str | None = None,
        end_time: str | None = None,
        error_message: str | None = None,
    ) -> StepRecord:
        """Change a step's status, times or error message."""
        params = {
            "id": step_id,
            "status": status_value(status),
            "start_time": start_time,
            "end_time": end_time,
            "error_message": error_message,
        }

        async def work(tx: Transaction) -> StepRecord:
            rows = await tx.run(q.UPDATE_STEP, params)
            if not rows:
                raise NotFoundError(f"no step with id {step_id!r}")
            return step_record(rows[0])

        return await self.store.write(work, lambda step: changed(step_keys(step)))

    async def link_step_io(
        self,
        step_id: str,
        *,
        inputs: dict[str, str] | None = None,
        outputs: dict[str, str] | None = None,
    ) -> None:
        """Join a step to the artifact versions it consumed and produced, by name."""
        inputs, outputs = inputs or {}, outputs or {}
        for name in (*inputs, *outputs):
            check_name(name, "name")

        async def work(tx: Transaction) -> None:
            if not await tx.run(q.STEPS_BY_ID, {"keys": [step_id]}):
                raise NotFoundError(f"no step with id {step_id!r}")
            await check_existing_versions(tx, [*inputs.values(), *outputs.values()])
            await link_in(tx, q.LINK_INPUTS, step_id, inputs)
            await link_in(tx, q.LINK_OUTPUTS, step_id, outputs)
            await tx.run(q.DERIVE_FROM_STEP, {"step_id": step_id})

        await self.store.write(work)

    async def create_artifact_version(self, new: NewArtifactVersion) -> ArtifactVersionRecord:
        """Store a new version of ``new.name``: numbered ``"1"``, ``"2"``, ... unless
        ``new.version`` gives a custom one, which must not exist yet."""
        check_versions([new])

        async def work(tx: Transaction) -> ArtifactVersionRecord:
            [record] = await create_versions_in(tx, [new])
            return record

        return await self.store.write(work, lambda version: structure(version_keys(version)))

    async def finish_step(
        self,
        step_id: str,
        *,
        outputs: dict[str, NewArtifactVersion | str] | None = None,
        status: ExecutionStatus | str = ExecutionStatus.COMPLETED,
        end_time: str | None = None,
        error_message: str | None = None,
        loaded: dict[str, str] | None = None,
    ) -> FinishedStep:
        """End a step in one transaction: link the versions it ``loaded`` while running as
        inputs, store its new output versions, link them (and any existing version ids
        given) as its outputs, and set its status and end time."""
        outputs = check_outputs(outputs or {})
        loaded = loaded or {}
        for name in loaded:
            check_name(name, "loadedInputs")
        params = {
            "id": step_id,
            "status": status_value(status),
            "start_time": None,
            "end_time": end_time or utc_now(),
            "error_message": error_message,
        }

        async def work(tx: Transaction) -> FinishedStep:
            rows = await tx.run(q.UPDATE_STEP, params)
            if not rows:
                raise NotFoundError(f"no step with id {step_id!r}")
            if loaded:
                await check_existing_versions(tx, list(loaded.values()))
                await link_in(tx, q.LINK_INPUTS, step_id, loaded)
            produced, created = await produce_outputs_in(tx, step_id, outputs)
            derived = await tx.run(q.DERIVE_FROM_STEP, {"step_id": step_id})
            sources.update(row["id"] for row in derived)
            return FinishedStep(step=step_record(rows[0]), outputs=produced, created=created)

        sources: set[str] = set(loaded.values())
        return await self.store.write(
            work, lambda finished: _finished(finished, sources, outputs.values())
        )

    async def record_step(
        self,
        new: NewStep,
        inputs: dict[str, str] | None = None,
        outputs: dict[str, NewArtifactVersion | str] | None = None,
        *,
        end_time: str | None = None,
        error_message: str | None = None,
    ) -> FinishedStep:
        """Record a step that has already ended (``new.status`` is final) in one transaction:
        what ``create_step`` and then ``finish_step`` would write, with each output derived
        from each input."""
        inputs = inputs or {}
        new = check_step(new, inputs)
        outputs = check_outputs(outputs or {})

        async def work(tx: Transaction) -> FinishedStep:
            now = utc_now()
            step = await create_step_in(
                tx,
                new,
                new_id(),
                now,
                inputs,
                end_time=end_time or now,
                error_message=error_message,
            )
            produced, created = await produce_outputs_in(tx, step.id, outputs)
            pairs = {(o, i) for o in produced.values() for i in inputs.values() if o != i}
            if pairs:
                rows = [{"output": o, "input": i} for o, i in sorted(pairs)]
                await tx.run(q.DERIVE_PAIRS, {"rows": rows})
            return FinishedStep(step=step, outputs=produced, created=created)

        consumed = set(inputs.values())
        return await self.store.write(
            work, lambda finished: _finished(finished, consumed, outputs.values())
        )

    async def delete_unreferenced_versions(self, ids: Sequence[str]) -> list[str]:
        """Delete those of ``ids`` that no run references; return the ids deleted.

        A version that a run references is never deleted, even when asked for by id.
        """

        async def work(tx: Transaction) -> list[str]:
            rows = await tx.run(q.DELETE_UNREFERENCED_VERSIONS, {"keys": list(ids)})
            artifacts = sorted({row["artifact_id"] for row in rows})
            if artifacts:
                await tx.run(q.SET_LATEST_VERSIONS, {"keys": artifacts})
            await tx.run(q.DELETE_EMPTY_ARTIFACTS)
            return [row["id"] for row in rows]

        return await self.store.write(work) if ids else []

    async def add_tags(self, kind: NodeKind, node_id: str, tags: Sequence[str]) -> None:
        await self._tag_write(kind, node_id, tags, q.add_tags(kind.value))

    async def remove_tags(self, kind: NodeKind, node_id: str, tags: Sequence[str]) -> None:
        await self._tag_write(kind, node_id, tags, q.remove_tags(kind.value))

    async def log_metadata(self, kind: NodeKind, owner_id: str, values: dict[str, Any]) -> None:
        """Set metadata entries on a run, step or artifact version; a key logged again
        takes the new value."""
        rows = metadata_rows(values)

        async def work(tx: Transaction) -> None:
            if not await tx.run(q.node_exists(kind.value), {"id": owner_id}):
                raise NotFoundError(f"no {kind_name(kind)} with id {owner_id!r}")
            await write_metadata_in(tx, kind, [(owner_id, rows)], utc_now())

        await self.store.write(work, annotated(owner_id))

    async def _tag_write(
        self, kind: NodeKind, node_id: str, tags: Sequence[str], query: str
    ) -> None:
        names = check_tags(tags)

        async def work(tx: Transaction) -> None:
            if not await tx.run(q.node_exists(kind.value), {"id": node_id}):
                raise NotFoundError(f"no {kind_name(kind)} with id {node_id!r}")
            if names:
                await tx.run(query, {"id": node_id, "tags": names})

        await self.store.write(work, annotated(node_id))


def reuses(outputs: Iterable[NewArtifactVersion | str]) -> bool:
    """Whether an output is an existing version (given by id): a cached step reusing it
    becomes another of its producers, so what came before it changes."""
    return any(isinstance(output, str) for output in outputs)


def _finished(
    finished: FinishedStep, sources: set[str], outputs: Iterable[NewArtifactVersion | str]
) -> Touched:
    """What ending a step touched: the step and its run, its outputs (and their artifacts),
    and the versions its outputs were derived from."""
    keys = step_keys(finished.step) | set(finished.outputs.values()) | sources
    for version in finished.created:
        keys |= version_keys(version)
    return structure(keys, upstream=reuses(outputs))


def check_run(new: NewRun) -> None:
    """Validate what a run carries before a transaction starts."""
    to_json(new.config, "config")
    to_json(new.settings, "settings")
    check_tags(new.tags)


async def create_run_in(tx: Transaction, new: NewRun, run_id: str, now: str) -> RunRecord:
    """Create run ``run_id`` (and its pipeline on its first run) in an open transaction."""
    if await tx.run(q.RUN_NAME_TAKEN, {"name": new.name}):
        raise ConflictError(f"a pipeline run named {new.name!r} already exists")
    pipeline_id = pipeline_id_for(new.pipeline_name)
    pipeline = {
        "id": pipeline_id,
        "name": new.pipeline_name,
        "created": now,
        "docstring": new.pipeline_docstring,
    }
    await tx.run(q.MERGE_PIPELINES, {"rows": [pipeline]})
    version_id = None
    if new.structure_hash is not None:
        version_id = await _pipeline_version(tx, pipeline_id, new.structure_hash, now)
    row = {
        "pipeline_id": pipeline_id,
        "pipeline_version_id": version_id,
        "id": run_id,
        "name": new.name,
        "status": new.status.value,
        "created": now,
        "start_time": new.start_time,
        "end_time": None,
        "config": to_json(new.config, "config"),
        "settings": to_json(new.settings, "settings"),
        "git_sha": new.git_sha,
        "docstring": new.docstring,
        "reported_status": None,
    }
    await tx.run(q.CREATE_RUNS, {"rows": [row]})
    # The run as stored, without reading it back.
    run = run_record(row)
    if new.tags:
        await tx.run(q.add_tags(NodeKind.RUN.value), {"id": run.id, "tags": list(new.tags)})
    return run


def check_step(new: NewStep, inputs: dict[str, str]) -> NewStep:
    """Validate what a step carries before a transaction starts; the step with defaults."""
    for name in inputs:
        check_name(name, "inputs")
    to_json(new.parameters, "parameters")
    to_json(new.settings, "settings")
    return new.with_defaults()


async def create_step_in(
    tx: Transaction,
    new: NewStep,
    step_id: str,
    now: str,
    inputs: dict[str, str],
    *,
    end_time: str | None = None,
    error_message: str | None = None,
) -> StepRecord:
    """Create step ``step_id`` of run ``new.run_id``, consuming ``inputs``, in an open
    transaction (with an end time and error message for a step that has ended)."""
    new = new.with_defaults()
    found = await tx.run(q.STEP_NAME_TAKEN, {"run_id": new.run_id, "name": new.name})
    if not found:
        raise NotFoundError(f"no pipeline run with id {new.run_id!r}")
    if found[0]["step_id"] is not None:
        raise ConflictError(f"the run already has a step named {new.name!r}")
    row = {
        "run_id": new.run_id,
        "id": step_id,
        "name": new.name,
        "step_name": new.step_name,
        "status": new.status.value,
        "created": now,
        "start_time": new.start_time or now,
        "end_time": end_time,
        "cache_key": new.cache_key,
        "parameters": to_json(new.parameters, "parameters"),
        "settings": to_json(new.settings, "settings"),
        "docstring": new.docstring,
        "error_message": error_message,
        "source_hash": new.source_hash,
    }
    await tx.run(q.CREATE_STEPS, {"rows": [row]})
    # The step as stored, without reading it back (its columns cost 0.3 ms to return).
    step = step_record(row)
    if inputs:
        await check_existing_versions(tx, list(inputs.values()))
        await link_in(tx, q.LINK_INPUTS, step.id, inputs)
    return step


def metadata_rows(values: dict[str, Any]) -> list[dict[str, Any]]:
    check_metadata_size(values)
    rows = []
    for key, value in values.items():
        check_name(key, "metadata key")
        kind = metadata_type_of(value, f"metadata.{key}")
        number = (
            float(value)
            if kind in (MetadataType.INT, MetadataType.FLOAT, MetadataType.STORAGE_SIZE)
            else None
        )
        rows.append(
            {
                "key": key,
                "type": kind.value,
                "value": to_json(value, f"metadata.{key}"),
                "number": number,
            }
        )
    return rows


async def write_metadata_in(
    tx: Transaction,
    kind: NodeKind,
    owned: list[tuple[str, list[dict[str, Any]]]],
    now: str,
    *,
    new_owners: bool = False,
) -> None:
    """Upsert metadata rows, given per owner id, inside an open transaction; with
    ``new_owners`` (owners this transaction created), create them without looking."""
    rows = [
        {**row, "owner_id": owner, "id": metadata_id_for(owner, row["key"]), "created": now}
        for owner, owner_rows in owned
        for row in owner_rows
    ]
    if new_owners:
        await create_metadata_in(tx, kind, rows)
    else:
        await upsert_metadata_in(tx, kind, rows)


async def upsert_metadata_in(tx: Transaction, kind: NodeKind, rows: list[dict[str, Any]]) -> None:
    """Upsert whole metadata rows (each with its owner, id and creation time) inside an
    open transaction; of two rows with one id, the later wins. An entry logged again with
    the value it has is left as it is, creation time included."""
    latest = list({row["id"]: row for row in rows}.values())
    if not latest:
        return
    found = await tx.run(q.EXISTING_METADATA, {"keys": [row["id"] for row in latest]})
    stored = {row["id"]: (row["type"], row["value"]) for row in found}
    await create_metadata_in(tx, kind, [row for row in latest if row["id"] not in stored])
    changed = [
        row
        for row in latest
        if row["id"] in stored and stored[row["id"]] != (row["type"], row["value"])
    ]
    for numeric, batch in _by_numeric(changed):
        await tx.run(q.set_metadata(numeric), {"rows": batch})


async def create_metadata_in(tx: Transaction, kind: NodeKind, rows: list[dict[str, Any]]) -> None:
    """Create metadata rows whose ids are not stored yet (such as those of an owner the
    transaction created) inside an open transaction."""
    for numeric, batch in _by_numeric(rows):
        await tx.run(q.create_metadata(kind.value, numeric), {"rows": batch})


def _by_numeric(rows: list[dict[str, Any]]) -> list[tuple[bool, list[dict[str, Any]]]]:
    """Numeric metadata rows and the others, apart (see ``queries.create_metadata``);
    a group with no rows is left out."""
    groups = [
        (numeric, [r for r in rows if (r["number"] is not None) is numeric])
        for numeric in (True, False)
    ]
    return [(numeric, batch) for numeric, batch in groups if batch]


def check_outputs(
    outputs: dict[str, NewArtifactVersion | str],
) -> dict[str, NewArtifactVersion | str]:
    """Validate a step's outputs (names, new versions) before a transaction starts."""
    for name in outputs:
        check_name(name, "outputs")
    check_versions([out for out in outputs.values() if isinstance(out, NewArtifactVersion)])
    return outputs


async def produce_outputs_in(
    tx: Transaction, step_id: str, outputs: dict[str, NewArtifactVersion | str]
) -> tuple[dict[str, str], list[ArtifactVersionRecord]]:
    """Store a step's new output versions and link them, and the existing version ids
    given, as its outputs, in an open transaction; each output's version id, and the
    versions created."""
    fresh = {name: out for name, out in outputs.items() if isinstance(out, NewArtifactVersion)}
    existing = {name: out for name, out in outputs.items() if isinstance(out, str)}
    await check_existing_versions(tx, list(existing.values()))
    created = await create_versions_in(tx, list(fresh.values()))
    produced = {**existing, **{n: v.id for n, v in zip(fresh, created, strict=True)}}
    await link_in(tx, q.LINK_OUTPUTS, step_id, produced)
    return produced, created


def check_versions(news: Sequence[NewArtifactVersion]) -> None:
    """Validate tags and metadata before a transaction starts."""
    for new in news:
        check_tags(new.tags)
        metadata_rows(new.metadata)


async def check_existing_versions(tx: Transaction, ids: Sequence[str]) -> None:
    wanted = sorted(set(ids))
    if wanted:
        rows = await tx.run(q.EXISTING_VERSIONS, {"keys": wanted})
        missing = sorted(set(wanted) - {row["id"] for row in rows})
        if missing:
            raise NotFoundError(f"no artifact version with id {missing[0]!r}")


async def link_in(tx: Transaction, query: str, step_id: str, links: dict[str, str]) -> None:
    rows = [
        {"step_id": step_id, "name": name, "artifact_version_id": version_id}
        for name, version_id in links.items()
    ]
    if rows:
        await tx.run(query, {"rows": rows})


async def _pipeline_version(
    tx: Transaction, pipeline_id: str, structure_hash: str, now: str
) -> str:
    """The id of the pipeline's version with this structure, numbering it if it is new."""
    check_name(structure_hash, "structureHash")
    [locked] = await tx.run(q.LOCK_PIPELINE_VERSIONS, {"pipeline_id": pipeline_id})
    version_id = pipeline_version_id_for(pipeline_id, structure_hash)
    if not await tx.run(q.PIPELINE_VERSION_BY_ID, {"id": version_id}):
        await tx.run(
            q.CREATE_PIPELINE_VERSION,
            {
                "pipeline_id": pipeline_id,
                "id": version_id,
                "version": int(locked["counter"]) + 1,
                "structure_hash": structure_hash,
                "created": now,
            },
        )
    return version_id


async def create_versions_in(
    tx: Transaction, news: Sequence[NewArtifactVersion], ids: Sequence[str] | None = None
) -> list[ArtifactVersionRecord]:
    """Create artifact versions in an open transaction, numbering the automatic ones; with
    ``ids``, the versions get those ids.

    A few statements serve any number of versions: reserve numbers on each artifact, check
    custom versions, create, then tags and metadata. Creation times are a microsecond apart
    in the order given, so the last of an artifact's new versions is its latest.
    """
    if not news:
        return []
    now = utc_now()
    created_times = successive_times(now)
    increments: dict[str, int] = defaultdict(int)
    floors: dict[str, int] = defaultdict(int)
    for new in news:
        increments[new.name] += 0 if new.version else 1
        floors[new.name] = max(floors[new.name], new.imported_number or 0)
    mixed = next((name for name in increments if increments[name] and floors[name]), None)
    if mixed is not None:
        raise BadInputError(
            f"artifact {mixed!r} gets imported numbered versions and automatic ones in one "
            "write; write them apart",
            "version",
        )
    stamps = [
        (new.created or next(created_times), ids[index] if ids is not None else new.id or new_id())
        for index, new in enumerate(news)
    ]
    newest: dict[str, tuple[str, str]] = {}
    for new, stamp in zip(news, stamps, strict=True):
        newest[new.name] = max(newest.get(new.name, stamp), stamp)
    locked = await tx.run(
        q.LOCK_ARTIFACTS,
        {
            "rows": [
                artifact_lock_row(name, now, count, newest[name])
                for name, count in increments.items()
            ]
        },
    )
    counters = {row["id"]: int(row["counter"]) for row in locked}
    raised = [
        {"id": artifact_id_for(name), "floor": floor} for name, floor in floors.items() if floor
    ]
    if raised:
        await tx.run(q.RAISE_VERSION_COUNTERS, {"rows": raised})
    custom = [(new.name, new.version) for new in news if new.version]
    clash = next((pair for pair in custom if custom.count(pair) > 1), None)
    if clash is None and custom:
        taken = await tx.run(
            q.TAKEN_VERSIONS,
            {"rows": [{"id": artifact_id_for(name), "version": v} for name, v in custom]},
        )
        clash = (taken[0]["name"], taken[0]["version"]) if taken else None
    if clash is not None:
        raise ConflictError(
            f"artifact {clash[0]!r} already has a version {clash[1]!r}; custom versions are "
            "unique, so choose another or leave it out to number automatically"
        )
    next_number = {
        artifact_id_for(name): counters[artifact_id_for(name)] - count + 1
        for name, count in increments.items()
    }
    rows = []
    for new, (created_at, version_id) in zip(news, stamps, strict=True):
        artifact_id = artifact_id_for(new.name)
        version = new.version
        if version is None:
            version = str(next_number[artifact_id])
            next_number[artifact_id] += 1
        rows.append(
            {
                "artifact_id": artifact_id,
                "id": version_id,
                "name": new.name,
                "version": version,
                "type": new.type,
                "data_type": new.data_type,
                "uri": new.uri,
                "materializer": new.materializer,
                "save_type": new.save_type.value,
                "created": created_at,
                "visualizations": json.dumps([v.model_dump() for v in new.visualizations]),
            }
        )
    created = {
        row["id"]: version_record(row) for row in await tx.run(q.CREATE_VERSIONS, {"rows": rows})
    }
    records = [created[row["id"]] for row in rows]
    for record, new in zip(records, news, strict=True):
        if new.tags:
            query = q.add_tags(NodeKind.ARTIFACT_VERSION.value)
            await tx.run(query, {"id": record.id, "tags": list(new.tags)})
    owned = [(r.id, metadata_rows(n.metadata)) for r, n in zip(records, news, strict=True)]
    await write_metadata_in(tx, NodeKind.ARTIFACT_VERSION, owned, now, new_owners=True)
    columns = [
        column_row(record.id, column, position)
        for record, new in zip(records, news, strict=True)
        for position, column in enumerate(new.columns)
    ]
    if columns:
        await tx.run(q.CREATE_COLUMNS, {"rows": columns})
    return records


def artifact_lock_row(
    name: str, created: str, increment: int, newest: tuple[str, str] | None
) -> dict[str, Any]:
    """A row of LOCK_ARTIFACTS: the artifact ``name`` (created at ``created`` if new),
    ``increment`` version numbers to reserve, and the (creation time, id) of the newest
    version about to be created, if any."""
    return {
        "id": artifact_id_for(name),
        "name": name,
        "created": created,
        "increment": increment,
        "newest_created": newest[0] if newest else None,
        "newest_id": newest[1] if newest else None,
    }


def column_row(version_id: str, column: NewColumn, position: int | None) -> dict[str, Any]:
    """The stored row of a version's column (``position`` None: after the listed ones)."""
    return {
        "id": column_id_for(version_id, column.name),
        "version_id": version_id,
        "name": column.name,
        "type": column.type,
        "description": column.description,
        "position": position if position is not None else UNLISTED_POSITION,
    }


UNLISTED_POSITION = 1_000_000
"""The position of a column a producer named without listing it in a schema."""
