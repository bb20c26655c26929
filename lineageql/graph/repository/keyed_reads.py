"""Keyed reads: records by id or name, each node's children, tags and metadata.

Each takes a list of keys and answers in key order, one store round trip for all of them
(what a DataLoader needs)."""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import TypeVar

from lineageql.errors import AmbiguousError, BadInputError, NotFoundError
from lineageql.graph import queries as q
from lineageql.graph.listing import (
    IdWindow,
    check_page_size,
    decode_position,
)
from lineageql.graph.repository.base import (
    MAX_PREFIX_CANDIDATES,
    NodeKind,
    RepositoryBase,
)
from lineageql.graph.repository.rows import (
    artifact_record,
    joined_versions,
    pipeline_record,
    pipeline_version_record,
    run_record,
    step_record,
    version_record,
)
from lineageql.graph.store import Topic
from lineageql.records import (
    ArtifactRecord,
    ArtifactVersionRecord,
    ExecutionStatus,
    IOLink,
    MetadataRecord,
    MetadataType,
    PipelineRecord,
    PipelineVersionRecord,
    RunProgress,
    RunRecord,
    StepRecord,
    artifact_id_for,
    check_name,
    pipeline_id_for,
)


class KeyedReads(RepositoryBase):
    """Batched reads by key."""

    async def get_pipelines(self, ids: Sequence[str]) -> list[PipelineRecord | None]:
        return await self._by_keys(q.PIPELINES_BY_ID, ids, pipeline_record)

    async def get_pipelines_by_name(self, names: Sequence[str]) -> list[PipelineRecord | None]:
        """By the id each name derives, a key lookup on both stores."""
        return _named(names, await self.get_pipelines([pipeline_id_for(n) for n in names]))

    async def run_counts(self, pipeline_ids: Sequence[str]) -> list[int]:
        rows = await self._rows_by_key(q.RUN_COUNTS, pipeline_ids)
        return [int(group[0]["count"]) if group else 0 for group in rows]

    async def get_pipeline_versions(self, ids: Sequence[str]) -> list[PipelineVersionRecord | None]:
        return await self._by_keys(q.PIPELINE_VERSIONS_BY_ID, ids, pipeline_version_record)

    async def versions_of_pipelines(
        self, pipeline_ids: Sequence[str]
    ) -> list[list[PipelineVersionRecord]]:
        """Each pipeline's versions, newest first."""
        groups = await self._rows_by_key(q.VERSIONS_OF_PIPELINES, pipeline_ids)
        return [[pipeline_version_record(row) for row in group] for group in groups]

    async def run_ids_of_pipeline_versions(self, version_ids: Sequence[str]) -> list[list[str]]:
        """Each pipeline version's run ids, newest first."""
        groups = await self._rows_by_key(q.RUN_IDS_OF_PIPELINE_VERSIONS, version_ids)
        return [[row["id"] for row in group] for group in groups]

    async def get_runs(self, ids: Sequence[str]) -> list[RunRecord | None]:
        return await self._by_keys(q.RUNS_BY_ID, ids, run_record)

    async def get_runs_by_name(self, names: Sequence[str]) -> list[RunRecord | None]:
        return await self._by_keys(q.RUNS_BY_NAME, names, run_record)

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
        return run_record(rows[0])

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
        as_of: str | None = None,
    ) -> list[IdWindow]:
        """One page of each pipeline's run ids, newest first, optionally only runs in
        ``statuses`` and created at or before ``as_of``; ``after`` is a cursor of the same
        list (the position's run id)."""
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

        async def read(keys: list[str]) -> dict[str, tuple[list[str], int]]:
            found = {}
            for key in keys:
                pipeline_id = key.partition("|")[0]
                params = {"pipeline_id": pipeline_id, "statuses": wanted, "as_of": as_of or ""}
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
                found[key] = ([row["id"] for row in rows], int(total["total"]))
            return found

        page = "|".join([str(first), after_id, ",".join(wanted), as_of or ""])
        keys = [f"{pipeline_id}|{page}" for pipeline_id in pipeline_ids]
        found = await self._run_pages.get_many(keys, read)
        return [
            IdWindow(ids[:first], len(ids) > first, total)
            for ids, total in (found[key] for key in keys)
        ]

    async def last_runs(
        self, pipeline_ids: Sequence[str], *, successful: bool = False, as_of: str | None = None
    ) -> list[RunRecord | None]:
        """Each pipeline's newest run (or newest completed or cached one), of those created
        at or before ``as_of`` when given."""
        statuses = [ExecutionStatus.COMPLETED, ExecutionStatus.CACHED] if successful else []
        pages = await self.run_pages(pipeline_ids, 1, None, statuses, as_of)
        firsts = [page.shown[0] if page.shown else None for page in pages]
        wanted = [run_id for run_id in firsts if run_id is not None]
        found = dict(zip(wanted, await self.get_runs(wanted), strict=True)) if wanted else {}
        return [found.get(run_id) if run_id else None for run_id in firsts]

    async def run_progress(self, run_id: str) -> RunProgress | None:
        """The run's status and end, and each step's status and output count (one read), to
        tell when a live view must change; None for an unknown run."""
        rows = await self.store.read(q.RUN_PROGRESS, {"id": run_id})
        if not rows:
            return None
        steps = sorted(
            (row["step_id"], row["step_status"], int(row["outputs"]))
            for row in rows
            if row["step_id"] is not None
        )
        return RunProgress(
            status=ExecutionStatus(rows[0]["status"]), end_time=rows[0]["end_time"], steps=steps
        )

    async def recent_run_statuses(self, pipeline_id: str, limit: int) -> dict[str, str]:
        """The statuses of a pipeline's newest ``limit`` runs, by run id (one read)."""
        rows = await self.store.read(
            q.RECENT_RUN_STATUSES, {"pipeline_id": pipeline_id, "limit": limit}
        )
        return {row["id"]: row["status"] for row in rows}

    async def declared_artifact_ids(
        self, pipeline_ids: Sequence[str], direction: str
    ) -> list[list[str]]:
        """Each pipeline's declared INPUT or OUTPUT artifacts' ids (from JobEvents)."""
        groups = await self._rows_by_key(q.DECLARED_OF_PIPELINES[direction], pipeline_ids)
        return [[row["id"] for row in group] for group in groups]

    async def find_cached_step(self, cache_key: str) -> StepRecord | None:
        """The newest completed step with ``cache_key``, whose outputs a cached step reuses."""
        rows = await self.store.read(
            q.CACHED_STEP, {"cache_key": check_name(cache_key, "cacheKey")}
        )
        return step_record(rows[0]) if rows else None

    async def get_steps(self, ids: Sequence[str]) -> list[StepRecord | None]:
        return await self._by_keys(q.STEPS_BY_ID, ids, step_record)

    async def steps_of_runs(self, run_ids: Sequence[str]) -> list[list[StepRecord]]:
        """Each run's steps in execution order."""
        return [
            [step_record(row) for row in group]
            for group in await self._rows_by_key(q.STEPS_OF_RUNS, run_ids)
        ]

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

    async def get_artifacts(self, ids: Sequence[str]) -> list[ArtifactRecord | None]:
        return await self._by_keys(q.ARTIFACTS_BY_ID, ids, artifact_record)

    async def get_artifacts_by_name(self, names: Sequence[str]) -> list[ArtifactRecord | None]:
        """By the id each name derives, a key lookup on both stores."""
        return _named(names, await self.get_artifacts([artifact_id_for(n) for n in names]))

    async def get_artifact_versions(self, ids: Sequence[str]) -> list[ArtifactVersionRecord | None]:
        async def read(keys: list[str]) -> dict[str, ArtifactVersionRecord | None]:
            found = await self._by_keys(q.VERSIONS_BY_ID, keys, version_record)
            return dict(zip(keys, found, strict=True))

        found = await self._versions.get_many(ids, read) if ids else {}
        return [found[i] for i in ids]

    async def version_ids_of_artifacts(self, artifact_ids: Sequence[str]) -> list[list[str]]:
        """Each artifact's version ids, newest first."""
        groups = await self._rows_by_key(q.VERSIONS_OF_ARTIFACTS, artifact_ids)
        return [[row["id"] for row in group] for group in groups]

    async def latest_version_ids(self, artifact_ids: Sequence[str]) -> list[str | None]:
        """Each artifact's latest version id (None for an artifact without versions)."""
        groups = await self._rows_by_key(q.LATEST_VERSIONS_OF_ARTIFACTS, artifact_ids)
        return [str(group[0]["id"]) if group else None for group in groups]

    async def find_artifact_version(
        self, name: str, version: str | None = None, as_of: str | None = None
    ) -> ArtifactVersionRecord:
        """Version ``version`` of the artifact ``name``, or its newest version (the newest
        created at or before ``as_of``, a stored timestamp, when given)."""
        check_name(name, "name")
        if version is not None and as_of is not None:
            raise BadInputError("picks a version itself: give version or asOf, not both", "asOf")
        if version is None and as_of is None:
            rows = await self.store.read(q.NOTED_LATEST_VERSION, {"id": artifact_id_for(name)})
        elif version is None:
            rows = await self.store.read(q.LATEST_VERSION_BY_NAME, {"name": name, "as_of": as_of})
        else:
            rows = await self.store.read(
                q.VERSION_BY_NAME, {"name": name, "version": check_name(version, "version")}
            )
        if not rows:
            which = f"version {version!r} of" if version is not None else "version of"
            if as_of is not None:
                which = f"version created at or before {as_of} of"
            raise NotFoundError(
                f"no {which} artifact {name!r}; list artifacts with `lineageql artifact list`"
            )
        return version_record(rows[0])

    async def tags_of(self, kind: NodeKind, ids: Sequence[str]) -> list[list[str]]:
        groups = await self._rows_by_key(q.tags_of(kind.value), ids, topic=Topic.ANNOTATIONS)
        return [[row["tag"] for row in group] for group in groups]

    async def metadata_of(self, kind: NodeKind, ids: Sequence[str]) -> list[list[MetadataRecord]]:
        groups = await self._rows_by_key(q.metadata_of(kind.value), ids, topic=Topic.ANNOTATIONS)
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

    async def _io(self, query: str, step_ids: Sequence[str]) -> list[list[IOLink]]:
        """Each step's links; the versions they carry along are kept for the next read."""
        read_at = self._versions.generation()
        groups = await self._rows_by_key(
            query, step_ids, fresh=lambda rows: self._versions.prime(read_at, joined_versions(rows))
        )
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


N = TypeVar("N", PipelineRecord, ArtifactRecord)


def _named(names: Sequence[str], found: Sequence[N | None]) -> list[N | None]:
    """Records looked up by the ids ``names`` derive, kept only where the name matches."""
    return [r if r is not None and r.name == n else None for r, n in zip(found, names, strict=True)]
