"""The lineage repository: every read and write the API and the SDK make, on any store.

Reads are batch-first: they take a list of keys and answer in key order (``None`` or ``[]``
for a key with nothing stored), which is what a DataLoader needs; each is one store round
trip. Each write is one transaction: it either happens whole or leaves nothing behind.
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import Any, TypeVar

from lineageql.errors import AmbiguousError, BadInputError, ConflictError, NotFoundError
from lineageql.graph import queries as q
from lineageql.graph.listing import (
    ArtifactFilter,
    IdWindow,
    ListingQuery,
    Page,
    PageRequest,
    PipelineFilter,
    RunFilter,
    VersionFilter,
    artifacts_query,
    check_page_size,
    decode_position,
    encode_cursor,
    pipelines_query,
    runs_query,
    versions_query,
)
from lineageql.graph.read_cache import KeyedCache
from lineageql.graph.records import (
    ArtifactRecord,
    ArtifactVersionRecord,
    ExecutionStatus,
    IOLink,
    LineageEdge,
    LineageGraph,
    MetadataRecord,
    MetadataType,
    NewArtifactVersion,
    NewRun,
    NewStep,
    PipelineRecord,
    PipelineVersionRecord,
    Record,
    RunRecord,
    SaveType,
    StepRecord,
    Visualization,
    artifact_id_for,
    check_name,
    metadata_id_for,
    metadata_type_of,
    new_id,
    pipeline_id_for,
    pipeline_version_id_for,
    to_json,
    utc_now,
)
from lineageql.graph.store import GraphStore, Row, Transaction

R = TypeVar("R", bound=Record)

DEFAULT_LINEAGE_DEPTH = 3
MAX_LINEAGE_DEPTH = 50
MAX_LINEAGE_NODES = 5_000
"""Artifact versions one lineage answer holds at most; beyond, it says ``truncated``."""
MAX_PREFIX_CANDIDATES = 10


class NodeKind(StrEnum):
    """The kinds of node that carry tags or metadata, by their graph label."""

    PIPELINE = "Pipeline"
    RUN = "PipelineRun"
    STEP = "Step"
    ARTIFACT = "Artifact"
    ARTIFACT_VERSION = "ArtifactVersion"


class Direction(StrEnum):
    UPSTREAM = "UPSTREAM"
    DOWNSTREAM = "DOWNSTREAM"
    BOTH = "BOTH"


@dataclass(frozen=True)
class FinishedStep:
    """What finishing a step wrote: the step, each output's version id, the new versions."""

    step: StepRecord
    outputs: dict[str, str]
    created: list[ArtifactVersionRecord]


class LineageRepository:
    """Typed, batched access to the lineage graph in one store."""

    def __init__(self, store: GraphStore) -> None:
        self.store = store
        self._versions: KeyedCache[ArtifactVersionRecord | None] = KeyedCache(store)
        self._hops = {way: KeyedCache[list[str]](store) for way in Direction}
        self._rows: dict[str, KeyedCache[list[Row]]] = {}
        self._lineages: KeyedCache[LineageGraph] = KeyedCache(store)

    # -- pipelines -------------------------------------------------------------------

    async def get_pipelines(self, ids: Sequence[str]) -> list[PipelineRecord | None]:
        return await self._by_keys(q.PIPELINES_BY_ID, ids, _pipeline)

    async def get_pipelines_by_name(self, names: Sequence[str]) -> list[PipelineRecord | None]:
        """By the id each name derives, a key lookup on both stores."""
        found = await self.get_pipelines([pipeline_id_for(name) for name in names])
        return [
            r if r is not None and r.name == n else None for r, n in zip(found, names, strict=True)
        ]

    async def list_pipelines(
        self, spec: PipelineFilter | None = None, page: PageRequest | None = None
    ) -> Page[PipelineRecord]:
        return await self._page(pipelines_query(spec or PipelineFilter()), page, _pipeline)

    async def run_counts(self, pipeline_ids: Sequence[str]) -> list[int]:
        rows = await self._rows_by_key(q.RUN_COUNTS, pipeline_ids)
        return [int(group[0]["count"]) if group else 0 for group in rows]

    async def get_pipeline_versions(self, ids: Sequence[str]) -> list[PipelineVersionRecord | None]:
        return await self._by_keys(q.PIPELINE_VERSIONS_BY_ID, ids, _pipeline_version_record)

    async def versions_of_pipelines(
        self, pipeline_ids: Sequence[str]
    ) -> list[list[PipelineVersionRecord]]:
        """Each pipeline's versions, newest first."""
        groups = await self._rows_by_key(q.VERSIONS_OF_PIPELINES, pipeline_ids)
        return [[_pipeline_version_record(row) for row in group] for group in groups]

    async def run_ids_of_pipeline_versions(self, version_ids: Sequence[str]) -> list[list[str]]:
        """Each pipeline version's run ids, newest first."""
        groups = await self._rows_by_key(q.RUN_IDS_OF_PIPELINE_VERSIONS, version_ids)
        return [[row["id"] for row in group] for group in groups]

    # -- runs ------------------------------------------------------------------------

    async def create_run(self, new: NewRun) -> RunRecord:
        """Record a run of ``new.pipeline_name``, creating the pipeline on its first run."""
        config = to_json(new.config, "config")
        settings = to_json(new.settings, "settings")
        tags = [check_name(tag, "tags") for tag in new.tags]
        now = utc_now()

        async def work(tx: Transaction) -> RunRecord:
            if await tx.run(q.RUN_NAME_TAKEN, {"name": new.name}):
                raise ConflictError(f"a pipeline run named {new.name!r} already exists")
            pipeline_id = pipeline_id_for(new.pipeline_name)
            await tx.run(
                q.MERGE_PIPELINE,
                {
                    "id": pipeline_id,
                    "name": new.pipeline_name,
                    "created": now,
                    "docstring": new.pipeline_docstring,
                },
            )
            version_id = None
            if new.structure_hash is not None:
                version_id = await _pipeline_version(tx, pipeline_id, new.structure_hash, now)
            rows = await tx.run(
                q.CREATE_RUN,
                {
                    "pipeline_id": pipeline_id,
                    "pipeline_version_id": version_id,
                    "id": new_id(),
                    "name": new.name,
                    "status": new.status.value,
                    "created": now,
                    "start_time": new.start_time,
                    "config": config,
                    "settings": settings,
                    "git_sha": new.git_sha,
                    "docstring": new.docstring,
                },
            )
            run = _run(rows[0])
            await tx.run(q.NAME_RUN, {"id": run.id, "name": run.name})
            if tags:
                await tx.run(q.add_tags(NodeKind.RUN.value), {"id": run.id, "tags": tags})
            return run

        return await self.store.write(work)

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
            "status": _status(status),
            "start_time": start_time,
            "end_time": end_time,
        }

        async def work(tx: Transaction) -> RunRecord:
            rows = await tx.run(q.UPDATE_RUN, params)
            if not rows:
                raise NotFoundError(f"no pipeline run with id {run_id!r}")
            return _run(rows[0])

        return await self.store.write(work)

    async def get_runs(self, ids: Sequence[str]) -> list[RunRecord | None]:
        return await self._by_keys(q.RUNS_BY_ID, ids, _run)

    async def get_runs_by_name(self, names: Sequence[str]) -> list[RunRecord | None]:
        return await self._by_keys(q.RUNS_BY_NAME, names, _run)

    async def find_run(self, id_name_or_prefix: str) -> RunRecord:
        """The run with this id or name, or the only run whose name starts with it."""
        key = check_name(id_name_or_prefix, "run")
        for found in (await self.get_runs([key]))[0], (await self.get_runs_by_name([key]))[0]:
            if found is not None:
                return found
        return await self.find_run_by_prefix(key)

    async def find_run_by_prefix(self, prefix: str) -> RunRecord:
        """The only run whose name starts with ``prefix``."""
        rows = await self.store.read(
            q.RUNS_BY_NAME_PREFIX,
            {"prefix": check_name(prefix, "namePrefix"), "limit": MAX_PREFIX_CANDIDATES + 1},
        )
        if not rows:
            raise NotFoundError(
                f"no pipeline run has the id, name or name prefix {prefix!r}. Run ids are "
                "UUIDs and run names look like 'my_pipeline-2024_01_31-12_00_00_000000'; "
                "list recent runs with `lineageql pipeline runs list`"
            )
        if len(rows) > 1:
            names = [row["name"] for row in rows[:MAX_PREFIX_CANDIDATES]]
            more = " and more" if len(rows) > MAX_PREFIX_CANDIDATES else ""
            raise AmbiguousError(
                f"the prefix {prefix!r} matches several runs: {', '.join(names)}{more}; "
                "give a longer prefix, the full name or the id",
                names,
            )
        return _run(rows[0])

    async def list_runs(
        self, spec: RunFilter | None = None, page: PageRequest | None = None
    ) -> Page[RunRecord]:
        return await self._page(runs_query(spec or RunFilter()), page, _run)

    async def run_ids_of_pipelines(
        self, pipeline_ids: Sequence[str], statuses: Sequence[ExecutionStatus] = ()
    ) -> list[list[str]]:
        """Each pipeline's run ids, newest first, optionally only those in ``statuses``."""
        groups = await self._rows_by_key(
            q.RUN_IDS_OF_PIPELINES, pipeline_ids, statuses=[s.value for s in statuses]
        )
        return [[row["id"] for row in group] for group in groups]

    async def run_pages(
        self,
        pipeline_ids: Sequence[str],
        first: int,
        after: str | None = None,
        statuses: Sequence[ExecutionStatus] = (),
    ) -> list[IdWindow]:
        """One page of each pipeline's run ids, newest first, optionally only runs in
        ``statuses``; ``after`` is a cursor of the same list (the position's run id)."""
        check_page_size(first)
        wanted = [s.value for s in statuses]
        after_id, after_created = "", ""
        if after is not None:
            after_id = decode_position(after)
            [cursor_run] = await self.get_runs([after_id])
            if (
                cursor_run is None
                or cursor_run.pipeline_id not in pipeline_ids
                or (wanted and cursor_run.status.value not in wanted)
            ):
                raise BadInputError("is not a cursor of this list", "after")
            after_created = cursor_run.created
        pages = []
        for pipeline_id in pipeline_ids:
            params = {"pipeline_id": pipeline_id, "statuses": wanted}
            rows = await self.store.read(
                q.RUN_PAGE,
                {
                    **params,
                    "after_id": after_id,
                    "after_created": after_created,
                    "limit": first + 1,
                },
            )
            [total] = await self.store.read(q.RUN_TOTAL, params)
            ids = [row["id"] for row in rows]
            pages.append(IdWindow(ids[:first], len(ids) > first, int(total["total"])))
        return pages

    async def last_runs(
        self, pipeline_ids: Sequence[str], *, successful: bool = False
    ) -> list[RunRecord | None]:
        """Each pipeline's newest run (or newest completed or cached one)."""
        statuses = [ExecutionStatus.COMPLETED, ExecutionStatus.CACHED] if successful else []
        pages = await self.run_pages(pipeline_ids, 1, None, statuses)
        firsts = [page.shown[0] if page.shown else None for page in pages]
        wanted = [run_id for run_id in firsts if run_id is not None]
        found = dict(zip(wanted, await self.get_runs(wanted), strict=True)) if wanted else {}
        return [found.get(run_id) if run_id else None for run_id in firsts]

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

    # -- steps -----------------------------------------------------------------------

    async def create_step(self, new: NewStep, inputs: dict[str, str] | None = None) -> StepRecord:
        """Record a step of a run, and the artifact versions it consumes (input name to
        version id); its name (invocation id) is unique within the run."""
        new = new.with_defaults()
        inputs = inputs or {}
        for name in inputs:
            check_name(name, "inputs")
        parameters = to_json(new.parameters, "parameters")
        settings = to_json(new.settings, "settings")

        async def work(tx: Transaction) -> StepRecord:
            found = await tx.run(q.STEP_NAME_TAKEN, {"run_id": new.run_id, "name": new.name})
            if not found:
                raise NotFoundError(f"no pipeline run with id {new.run_id!r}")
            if found[0]["step_id"] is not None:
                raise ConflictError(f"the run already has a step named {new.name!r}")
            now = utc_now()
            rows = await tx.run(
                q.CREATE_STEP,
                {
                    "run_id": new.run_id,
                    "id": new_id(),
                    "name": new.name,
                    "step_name": new.step_name,
                    "status": new.status.value,
                    "created": now,
                    "start_time": new.start_time or now,
                    "cache_key": new.cache_key,
                    "parameters": parameters,
                    "settings": settings,
                    "docstring": new.docstring,
                },
            )
            step = _step(rows[0])
            if inputs:
                await _check_existing_versions(tx, list(inputs.values()))
                await _link(tx, q.LINK_INPUTS, step.id, inputs)
            return step

        return await self.store.write(work)

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
            "status": _status(status),
            "start_time": start_time,
            "end_time": end_time,
            "error_message": error_message,
        }

        async def work(tx: Transaction) -> StepRecord:
            rows = await tx.run(q.UPDATE_STEP, params)
            if not rows:
                raise NotFoundError(f"no step with id {step_id!r}")
            return _step(rows[0])

        return await self.store.write(work)

    async def find_cached_step(self, cache_key: str) -> StepRecord | None:
        """The newest completed step with ``cache_key``, whose outputs a cached step reuses."""
        rows = await self.store.read(
            q.CACHED_STEP, {"cache_key": check_name(cache_key, "cacheKey")}
        )
        return _step(rows[0]) if rows else None

    async def get_steps(self, ids: Sequence[str]) -> list[StepRecord | None]:
        return await self._by_keys(q.STEPS_BY_ID, ids, _step)

    async def steps_of_runs(self, run_ids: Sequence[str]) -> list[list[StepRecord]]:
        """Each run's steps in execution order."""
        return [
            [_step(row) for row in group]
            for group in await self._rows_by_key(q.STEPS_OF_RUNS, run_ids)
        ]

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
            await _check_existing_versions(tx, [*inputs.values(), *outputs.values()])
            await _link(tx, q.LINK_INPUTS, step_id, inputs)
            await _link(tx, q.LINK_OUTPUTS, step_id, outputs)
            await tx.run(q.DERIVE_FROM_STEP, {"step_id": step_id})

        await self.store.write(work)

    async def outputs_of_steps(self, step_ids: Sequence[str]) -> list[list[IOLink]]:
        return await self._io(q.IO_OF_STEPS["PRODUCED"], step_ids)

    async def inputs_of_steps(self, step_ids: Sequence[str]) -> list[list[IOLink]]:
        return await self._io(q.IO_OF_STEPS["CONSUMED"], step_ids)

    async def producers_of(self, version_ids: Sequence[str]) -> list[list[str]]:
        """The ids of the steps that produced each artifact version (cached reuses too)."""
        groups = await self._rows_by_key(q.STEPS_TOUCHING["PRODUCED"], version_ids)
        return [[row["step_id"] for row in group] for group in groups]

    async def consumers_of(self, version_ids: Sequence[str]) -> list[list[str]]:
        """The ids of the steps that consumed each artifact version."""
        groups = await self._rows_by_key(q.STEPS_TOUCHING["CONSUMED"], version_ids)
        return [[row["step_id"] for row in group] for group in groups]

    # -- artifacts -------------------------------------------------------------------

    async def create_artifact_version(self, new: NewArtifactVersion) -> ArtifactVersionRecord:
        """Store a new version of ``new.name``: numbered ``"1"``, ``"2"``, ... unless
        ``new.version`` gives a custom one, which must not exist yet."""
        _check_versions([new])

        async def work(tx: Transaction) -> ArtifactVersionRecord:
            [record] = await _create_versions(tx, [new])
            return record

        return await self.store.write(work)

    async def finish_step(
        self,
        step_id: str,
        *,
        outputs: dict[str, NewArtifactVersion | str] | None = None,
        status: ExecutionStatus | str = ExecutionStatus.COMPLETED,
        end_time: str | None = None,
        error_message: str | None = None,
    ) -> FinishedStep:
        """End a step in one transaction: store its new output versions, link them (and any
        existing version ids given) as its outputs, and set its status and end time."""
        outputs = outputs or {}
        for name in outputs:
            check_name(name, "outputs")
        new = {name: out for name, out in outputs.items() if isinstance(out, NewArtifactVersion)}
        existing = {name: out for name, out in outputs.items() if isinstance(out, str)}
        _check_versions(list(new.values()))
        params = {
            "id": step_id,
            "status": _status(status),
            "start_time": None,
            "end_time": end_time or utc_now(),
            "error_message": error_message,
        }

        async def work(tx: Transaction) -> FinishedStep:
            rows = await tx.run(q.UPDATE_STEP, params)
            if not rows:
                raise NotFoundError(f"no step with id {step_id!r}")
            await _check_existing_versions(tx, list(existing.values()))
            created = await _create_versions(tx, list(new.values()))
            produced = {**existing, **{n: v.id for n, v in zip(new, created, strict=True)}}
            await _link(tx, q.LINK_OUTPUTS, step_id, produced)
            await tx.run(q.DERIVE_FROM_STEP, {"step_id": step_id})
            return FinishedStep(step=_step(rows[0]), outputs=produced, created=created)

        return await self.store.write(work)

    async def get_artifacts(self, ids: Sequence[str]) -> list[ArtifactRecord | None]:
        return await self._by_keys(q.ARTIFACTS_BY_ID, ids, _artifact)

    async def get_artifacts_by_name(self, names: Sequence[str]) -> list[ArtifactRecord | None]:
        """By the id each name derives, a key lookup on both stores."""
        found = await self.get_artifacts([artifact_id_for(name) for name in names])
        return [
            r if r is not None and r.name == n else None for r, n in zip(found, names, strict=True)
        ]

    async def list_artifacts(
        self, spec: ArtifactFilter | None = None, page: PageRequest | None = None
    ) -> Page[ArtifactRecord]:
        return await self._page(artifacts_query(spec or ArtifactFilter()), page, _artifact)

    async def get_artifact_versions(self, ids: Sequence[str]) -> list[ArtifactVersionRecord | None]:
        async def read(keys: list[str]) -> dict[str, ArtifactVersionRecord | None]:
            found = await self._by_keys(q.VERSIONS_BY_ID, keys, _version)
            return dict(zip(keys, found, strict=True))

        found = await self._versions.get_many(ids, read) if ids else {}
        return [found[i] for i in ids]

    async def version_ids_of_artifacts(self, artifact_ids: Sequence[str]) -> list[list[str]]:
        """Each artifact's version ids, newest first."""
        groups = await self._rows_by_key(q.VERSIONS_OF_ARTIFACTS, artifact_ids)
        return [[row["id"] for row in group] for group in groups]

    async def find_artifact_version(
        self, name: str, version: str | None = None
    ) -> ArtifactVersionRecord:
        """Version ``version`` of the artifact ``name``, or its newest version."""
        check_name(name, "name")
        if version is None:
            rows = await self.store.read(q.LATEST_VERSION_BY_NAME, {"name": name})
        else:
            rows = await self.store.read(
                q.VERSION_BY_NAME, {"name": name, "version": check_name(version, "version")}
            )
        if not rows:
            which = f"version {version!r} of" if version is not None else "version of"
            raise NotFoundError(
                f"no {which} artifact {name!r}; list artifacts with `lineageql artifact list`"
            )
        return _version(rows[0])

    async def list_artifact_versions(
        self, spec: VersionFilter | None = None, page: PageRequest | None = None
    ) -> Page[ArtifactVersionRecord]:
        return await self._page(versions_query(spec or VersionFilter()), page, _version)

    async def unreferenced_versions(self) -> list[ArtifactVersionRecord]:
        """Artifact versions that no step of any run produced or consumed."""
        return [_version(row) for row in await self.store.read(q.UNREFERENCED_VERSIONS)]

    async def delete_unreferenced_versions(self, ids: Sequence[str]) -> list[str]:
        """Delete those of ``ids`` that no run references; return the ids deleted.

        A version that a run references is never deleted, even when asked for by id.
        """

        async def work(tx: Transaction) -> list[str]:
            rows = await tx.run(q.DELETE_UNREFERENCED_VERSIONS, {"keys": list(ids)})
            await tx.run(q.DELETE_EMPTY_ARTIFACTS)
            return [row["id"] for row in rows]

        return await self.store.write(work) if ids else []

    # -- tags and metadata -----------------------------------------------------------

    async def add_tags(self, kind: NodeKind, node_id: str, tags: Sequence[str]) -> None:
        await self._tag_write(kind, node_id, tags, q.add_tags(kind.value))

    async def remove_tags(self, kind: NodeKind, node_id: str, tags: Sequence[str]) -> None:
        await self._tag_write(kind, node_id, tags, q.remove_tags(kind.value))

    async def tags_of(self, kind: NodeKind, ids: Sequence[str]) -> list[list[str]]:
        groups = await self._rows_by_key(q.tags_of(kind.value), ids)
        return [[row["tag"] for row in group] for group in groups]

    async def log_metadata(self, kind: NodeKind, owner_id: str, values: dict[str, Any]) -> None:
        """Set metadata entries on a run, step or artifact version; a key logged again
        takes the new value."""
        rows = _metadata_rows(values)

        async def work(tx: Transaction) -> None:
            if not await tx.run(q.node_exists(kind.value), {"id": owner_id}):
                raise NotFoundError(f"no {_kind_name(kind)} with id {owner_id!r}")
            await _write_metadata(tx, kind, [(owner_id, rows)], utc_now())

        await self.store.write(work)

    async def metadata_of(self, kind: NodeKind, ids: Sequence[str]) -> list[list[MetadataRecord]]:
        groups = await self._rows_by_key(q.metadata_of(kind.value), ids)
        return [
            [
                MetadataRecord.model_construct(
                    owner_id=row["key"],
                    key=row["meta_key"],
                    type=MetadataType(row["type"]),
                    value=json.loads(row["value"]),
                    created=row["created"],
                )
                for row in group
            ]
            for group in groups
        ]

    # -- lineage ---------------------------------------------------------------------

    async def lineage(
        self,
        version_id: str,
        direction: Direction = Direction.UPSTREAM,
        depth: int = DEFAULT_LINEAGE_DEPTH,
    ) -> LineageGraph:
        """The versions within ``depth`` steps of ``version_id`` along the data flow, the
        steps between them, and their PRODUCED/CONSUMED edges."""
        _check_depth(depth)
        if (await self.get_artifact_versions([version_id]))[0] is None:
            raise NotFoundError(f"no artifact version with id {version_id!r}")
        key = f"{version_id}|{direction.value}|{depth}"

        async def read(keys: list[str]) -> dict[str, LineageGraph]:
            return {key: await self._lineage(version_id, direction, depth)}

        return (await self._lineages.get_many([key], read))[key]

    async def _lineage(self, version_id: str, direction: Direction, depth: int) -> LineageGraph:
        directions = (
            [Direction.UPSTREAM, Direction.DOWNSTREAM]
            if direction is Direction.BOTH
            else [direction]
        )
        depths: dict[str, int] = {version_id: 0}
        step_depths: dict[str, int] = {}
        edges: dict[tuple[str, str, str, str], None] = {}
        truncated = False
        for way in directions:
            layers, beyond = await self._walk_bounded(version_id, way, depth)
            truncated = truncated or beyond
            reached = {version_id: 0}
            for distance, layer in enumerate(layers, 1):
                for node in layer:
                    reached.setdefault(node, distance)
            for node, distance in reached.items():
                depths[node] = min(distance, depths.get(node, distance))
            frontier = [node for node, distance in reached.items() if distance < depth]
            toward_start = "PRODUCED" if way is Direction.UPSTREAM else "CONSUMED"
            for row in await self.store.read(
                q.lineage_edges(way.value), {"frontier": frontier, "ids": list(reached)}
            ):
                step, version = row["step_id"], row["artifact_version_id"]
                if row["kind"] == toward_start:
                    distance = reached[version] + 1
                    step_depths[step] = min(distance, step_depths.get(step, distance))
                edges[(row["kind"], step, version, row["name"])] = None
        # Sorted, so the answer does not depend on the order the store returned rows in.
        return LineageGraph(
            artifact_depths=depths,
            step_ids=sorted(step_depths, key=lambda step: (step_depths[step], step)),
            step_depths=step_depths,
            truncated=truncated,
            edges=[
                LineageEdge(kind=kind, step_id=step, artifact_version_id=version, name=name)
                for kind, step, version, name in sorted(edges)
            ],
        )

    async def _walk_bounded(
        self, version_id: str, direction: Direction, depth: int
    ) -> tuple[list[list[str]], bool]:
        """The walk's layers, cut at MAX_LINEAGE_NODES versions, and whether more lies beyond
        the depth limit or the cut (one more hop is read to tell)."""
        layers = [layer[0] for layer in await self._walk([version_id], direction, depth + 1)]
        beyond = len(layers) > depth and bool(layers[depth])
        layers = layers[:depth]
        kept: list[list[str]] = []
        total = 1
        for layer in layers:
            if total + len(layer) > MAX_LINEAGE_NODES:
                kept.append(layer[: MAX_LINEAGE_NODES - total])
                return kept, True
            total += len(layer)
            kept.append(layer)
        return kept, beyond

    async def upstream_version_ids(
        self, version_ids: Sequence[str], depth: int = DEFAULT_LINEAGE_DEPTH
    ) -> list[list[str]]:
        """For each version, the versions it was derived from within ``depth`` steps."""
        return await self._reach(version_ids, Direction.UPSTREAM, depth)

    async def downstream_version_ids(
        self, version_ids: Sequence[str], depth: int = DEFAULT_LINEAGE_DEPTH
    ) -> list[list[str]]:
        """For each version, the versions derived from it within ``depth`` steps."""
        return await self._reach(version_ids, Direction.DOWNSTREAM, depth)

    async def upstream_step_ids(
        self, step_ids: Sequence[str], depth: int = DEFAULT_LINEAGE_DEPTH
    ) -> list[list[str]]:
        """For each step, the steps whose outputs it consumed, transitively to ``depth``."""
        return await self._step_reach(step_ids, Direction.UPSTREAM, depth)

    async def downstream_step_ids(
        self, step_ids: Sequence[str], depth: int = DEFAULT_LINEAGE_DEPTH
    ) -> list[list[str]]:
        """For each step, the steps that consumed its outputs, transitively to ``depth``."""
        return await self._step_reach(step_ids, Direction.DOWNSTREAM, depth)

    # -- helpers ---------------------------------------------------------------------

    async def _walk(
        self, origins: Sequence[str], direction: Direction, depth: int
    ) -> list[list[list[str]]]:
        """Breadth-first along DERIVED_FROM, one batched query per hop for all origins.

        Returns one entry per hop taken: for each origin, the ids of the versions first
        reached then, in id order.
        """
        seen = [{origin} for origin in origins]
        frontier = [[origin] for origin in origins]
        layers: list[list[list[str]]] = []
        for _ in range(depth):
            origins_of: dict[str, list[int]] = defaultdict(list)
            for index, nodes in enumerate(frontier):
                for node in nodes:
                    origins_of[node].append(index)
            if not origins_of:
                break
            reached: list[list[str]] = [[] for _ in origins]
            neighbours = await self._hops[direction].get_many(
                list(origins_of), lambda ids: self._hop(direction, ids)
            )
            for source, indexes in origins_of.items():
                for node in neighbours[source]:
                    for index in indexes:
                        if node not in seen[index]:
                            seen[index].add(node)
                            reached[index].append(node)
            # Sorted, so an answer does not depend on which other origins shared the batch.
            for found in reached:
                found.sort()
            layers.append(reached)
            frontier = reached
        return layers

    async def _hop(self, direction: Direction, ids: list[str]) -> dict[str, list[str]]:
        """Each version's neighbours one step along DERIVED_FROM, in one query."""
        hop = q.DERIVED_HOP_WIDE if len(ids) >= q.WIDE_FRONTIER else q.DERIVED_HOP
        found: dict[str, list[str]] = {key: [] for key in ids}
        for row in await self.store.read(hop[direction.value], {"ids": ids}):
            found[row["source"]].append(row["id"])
        return found

    async def _reach(
        self, version_ids: Sequence[str], direction: Direction, depth: int
    ) -> list[list[str]]:
        _check_depth(depth)
        layers = await self._walk(version_ids, direction, depth)
        return [
            [node for layer in layers for node in layer[index]] for index in range(len(version_ids))
        ]

    async def _step_reach(
        self, step_ids: Sequence[str], direction: Direction, depth: int
    ) -> list[list[str]]:
        """Steps next to each step along the data flow, to ``depth`` step hops.

        Upstream: the producers of what the step consumed and of everything those versions
        were derived from within ``depth - 1`` hops; downstream mirrors it.
        """
        _check_depth(depth)
        upstream = direction is Direction.UPSTREAM
        touched = await (self.inputs_of_steps if upstream else self.outputs_of_steps)(step_ids)
        starts = [[link.artifact_version_id for link in links] for links in touched]
        flat = [version for versions in starts for version in versions]
        beyond = iter(await self._reach(flat, direction, depth - 1) if depth > 1 else [])
        versions_per_step = [
            set(versions).union(*(next(beyond, []) for _ in versions)) for versions in starts
        ]
        every = sorted(set().union(*versions_per_step)) if versions_per_step else []
        neighbours = await (self.producers_of if upstream else self.consumers_of)(every)
        steps_of = dict(zip(every, neighbours, strict=True))
        return [
            sorted({step for version in found for step in steps_of[version]} - {step_id})
            for step_id, found in zip(step_ids, versions_per_step, strict=True)
        ]

    async def _io(self, query: str, step_ids: Sequence[str]) -> list[list[IOLink]]:
        groups = await self._rows_by_key(query, step_ids)
        return [
            [
                IOLink(
                    step_id=row["key"],
                    name=row["name"],
                    artifact_version_id=row["artifact_version_id"],
                )
                for row in group
            ]
            for group in groups
        ]

    async def _tag_write(
        self, kind: NodeKind, node_id: str, tags: Sequence[str], query: str
    ) -> None:
        names = [check_name(tag, "tags") for tag in tags]

        async def work(tx: Transaction) -> None:
            if not await tx.run(q.node_exists(kind.value), {"id": node_id}):
                raise NotFoundError(f"no {_kind_name(kind)} with id {node_id!r}")
            if names:
                await tx.run(query, {"id": node_id, "tags": names})

        await self.store.write(work)

    async def _rows_by_key(self, query: str, keys: Sequence[str], **params: Any) -> list[list[Row]]:
        """Run a keyed query once for all ``keys`` and group its rows by key, in key order.

        Without other parameters, the rows are kept per key (see ``read_cache``); only the
        keys not kept yet are read.
        """
        if not keys:
            return []

        async def read(wanted: list[str]) -> dict[str, list[Row]]:
            grouped: dict[str, list[Row]] = {key: [] for key in wanted}
            for row in await self.store.read(query, {"keys": wanted, **params}):
                grouped[row["key"]].append(row)
            return grouped

        if params:
            found = await read(list(dict.fromkeys(keys)))
        else:
            cache = self._rows.get(query)
            if cache is None:
                cache = self._rows[query] = KeyedCache(self.store)
            found = await cache.get_many(keys, read)
        return [found[key] for key in keys]

    async def _by_keys(
        self, query: str, keys: Sequence[str], convert: Callable[[Row], R]
    ) -> list[R | None]:
        groups = await self._rows_by_key(query, keys)
        return [convert(group[0]) if group else None for group in groups]

    async def _page(
        self, listing: ListingQuery, page: PageRequest | None, convert: Callable[[Row], R]
    ) -> Page[R]:
        page = page or PageRequest()
        rows_query, count_query, params = listing.texts(page)
        rows = await self.store.read(rows_query, params)
        total = await self.store.read(count_query, listing.params)
        shown = rows[: page.first]
        cursors = [encode_cursor(row["sort_value"], row["id"]) for row in shown]
        return Page(
            items=[convert(row) for row in shown],
            total_count=int(total[0]["total"]) if total else 0,
            has_next_page=len(rows) > page.first,
            end_cursor=cursors[-1] if cursors else None,
            cursors=cursors,
        )


def _check_depth(depth: int) -> None:
    if isinstance(depth, bool) or not isinstance(depth, int) or not 1 <= depth <= MAX_LINEAGE_DEPTH:
        raise BadInputError(f"must be an integer from 1 to {MAX_LINEAGE_DEPTH}", "depth")


def _status(status: ExecutionStatus | str | None) -> str | None:
    if status is None:
        return None
    try:
        return ExecutionStatus(status).value
    except ValueError as error:
        allowed = ", ".join(s.value for s in ExecutionStatus)
        raise BadInputError(f"{status!r} is not one of {allowed}", "status") from error


def _kind_name(kind: NodeKind) -> str:
    return {
        NodeKind.PIPELINE: "pipeline",
        NodeKind.RUN: "pipeline run",
        NodeKind.STEP: "step",
        NodeKind.ARTIFACT: "artifact",
        NodeKind.ARTIFACT_VERSION: "artifact version",
    }[kind]


def _metadata_rows(values: dict[str, Any]) -> list[dict[str, Any]]:
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


async def _write_metadata(
    tx: Transaction, kind: NodeKind, owned: list[tuple[str, list[dict[str, Any]]]], now: str
) -> None:
    """Upsert metadata rows, given per owner id, inside an open transaction."""
    rows = [
        {**row, "owner_id": owner, "id": metadata_id_for(owner, row["key"]), "created": now}
        for owner, owner_rows in owned
        for row in owner_rows
    ]
    for numeric in (True, False):
        batch = [row for row in rows if (row["number"] is not None) is numeric]
        if batch:
            await tx.run(q.upsert_metadata(kind.value, numeric), {"rows": batch})


def _check_versions(news: Sequence[NewArtifactVersion]) -> None:
    """Validate tags and metadata before a transaction starts."""
    for new in news:
        for tag in new.tags:
            check_name(tag, "tags")
        _metadata_rows(new.metadata)


async def _check_existing_versions(tx: Transaction, ids: Sequence[str]) -> None:
    wanted = sorted(set(ids))
    if wanted:
        rows = await tx.run(q.EXISTING_VERSIONS, {"keys": wanted})
        missing = sorted(set(wanted) - {row["id"] for row in rows})
        if missing:
            raise NotFoundError(f"no artifact version with id {missing[0]!r}")


async def _link(tx: Transaction, query: str, step_id: str, links: dict[str, str]) -> None:
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


async def _create_versions(
    tx: Transaction, news: Sequence[NewArtifactVersion]
) -> list[ArtifactVersionRecord]:
    """Create artifact versions in an open transaction, numbering the automatic ones.

    A few statements serve any number of versions: reserve numbers on each artifact, check
    custom versions, create, then tags and metadata.
    """
    if not news:
        return []
    now = utc_now()
    increments: dict[str, int] = defaultdict(int)
    for new in news:
        increments[new.name] += 0 if new.version else 1
    locked = await tx.run(
        q.LOCK_ARTIFACTS,
        {
            "rows": [
                {"id": artifact_id_for(name), "name": name, "created": now, "increment": count}
                for name, count in increments.items()
            ]
        },
    )
    counters = {row["id"]: int(row["counter"]) for row in locked}
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
    for new in news:
        artifact_id = artifact_id_for(new.name)
        version = new.version
        if version is None:
            version = str(next_number[artifact_id])
            next_number[artifact_id] += 1
        rows.append(
            {
                "artifact_id": artifact_id,
                "id": new_id(),
                "name": new.name,
                "version": version,
                "type": new.type,
                "data_type": new.data_type,
                "uri": new.uri,
                "materializer": new.materializer,
                "save_type": new.save_type.value,
                "created": now,
                "visualizations": json.dumps([v.model_dump() for v in new.visualizations]),
            }
        )
    created = {row["id"]: _version(row) for row in await tx.run(q.CREATE_VERSIONS, {"rows": rows})}
    records = [created[row["id"]] for row in rows]
    for record, new in zip(records, news, strict=True):
        if new.tags:
            query = q.add_tags(NodeKind.ARTIFACT_VERSION.value)
            await tx.run(query, {"id": record.id, "tags": list(new.tags)})
    owned = [(r.id, _metadata_rows(n.metadata)) for r, n in zip(records, news, strict=True)]
    await _write_metadata(tx, NodeKind.ARTIFACT_VERSION, owned, now)
    return records


def _json(row: Row, column: str) -> Any:
    text = row.get(column)
    return json.loads(text) if text and text != "{}" else {}


# Rows read back from the store were validated when they were written, so they become
# records without validating again (pydantic validation was the largest cost of a nested
# read after the store itself); enums and nested records are built explicitly.


def _pipeline(row: Row) -> PipelineRecord:
    return PipelineRecord.model_construct(
        id=row["id"], name=row["name"], docstring=row["docstring"], created=row["created"]
    )


def _pipeline_version_record(row: Row) -> PipelineVersionRecord:
    return PipelineVersionRecord.model_construct(
        id=row["id"],
        pipeline_id=row["pipeline_id"],
        version=int(row["version"]),
        structure_hash=row["structure_hash"],
        created=row["created"],
    )


def _run(row: Row) -> RunRecord:
    return RunRecord.model_construct(
        id=row["id"],
        name=row["name"],
        pipeline_id=row["pipeline_id"],
        status=ExecutionStatus(row["status"]),
        created=row["created"],
        start_time=row["start_time"],
        end_time=row["end_time"],
        config=_json(row, "config"),
        settings=_json(row, "settings"),
        git_sha=row["git_sha"],
        docstring=row["docstring"],
        pipeline_version_id=row["pipeline_version_id"],
    )


def _step(row: Row) -> StepRecord:
    return StepRecord.model_construct(
        id=row["id"],
        run_id=row["run_id"],
        name=row["name"],
        step_name=row["step_name"],
        status=ExecutionStatus(row["status"]),
        created=row["created"],
        start_time=row["start_time"],
        end_time=row["end_time"],
        cache_key=row["cache_key"],
        parameters=_json(row, "parameters"),
        settings=_json(row, "settings"),
        docstring=row["docstring"],
        error_message=row["error_message"],
    )


def _artifact(row: Row) -> ArtifactRecord:
    return ArtifactRecord.model_construct(id=row["id"], name=row["name"], created=row["created"])


def _version(row: Row) -> ArtifactVersionRecord:
    shown = row["visualizations"]
    return ArtifactVersionRecord.model_construct(
        id=row["id"],
        artifact_id=row["artifact_id"],
        name=row["name"],
        version=row["version"],
        type=row["type"],
        data_type=row["data_type"],
        uri=row["uri"],
        materializer=row["materializer"],
        save_type=SaveType(row["save_type"]),
        created=row["created"],
        visualizations=[
            Visualization.model_construct(type=v["type"], uri=v["uri"])
            for v in (json.loads(shown) if shown and shown != "[]" else [])
        ],
    )
