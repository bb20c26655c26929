"""The GraphQL object types. Fields that fan out resolve through this request's loaders."""

from __future__ import annotations

import base64
from collections.abc import Awaitable, Callable, Sequence
from datetime import datetime
from enum import Enum
from typing import TypeVar

import strawberry
from strawberry.scalars import JSON

from lineageql.errors import BadInputError, NotFoundError
from lineageql.graph import NodeKind
from lineageql.graph.listing import DEFAULT_PAGE_SIZE, check_page_size
from lineageql.graph.records import (
    ArtifactRecord,
    ArtifactVersionRecord,
    ExecutionStatus,
    IOLink,
    MetadataRecord,
    PipelineRecord,
    PipelineVersionRecord,
    RunRecord,
    SaveType,
    StepRecord,
    parse_time,
)
from lineageql.graph.repository import DEFAULT_LINEAGE_DEPTH
from lineageql.schema.connections import Connection, Edge, PageInfo
from lineageql.schema.context import Info

Status = strawberry.enum(ExecutionStatus, name="ExecutionStatus")
ArtifactSaveType = strawberry.enum(SaveType, name="ArtifactSaveType")


def _time(text: str | None) -> datetime | None:
    return parse_time(text) if text else None


T = TypeVar("T")
NodeT = TypeVar("NodeT")


def _present(found: Sequence[T | None]) -> list[T]:
    return [item for item in found if item is not None]


@strawberry.type
class MetadataEntry:
    key: str
    value: JSON
    type: str

    @classmethod
    def of(cls, record: MetadataRecord) -> MetadataEntry:
        return cls(key=record.key, value=JSON(record.value), type=record.type.value)


async def _metadata(info: Info, kind: NodeKind, owner_id: str) -> list[MetadataEntry]:
    return [MetadataEntry.of(r) for r in await info.context.loaders.metadata[kind].load(owner_id)]


@strawberry.type
class Pipeline:
    record: strawberry.Private[PipelineRecord]

    @strawberry.field
    def id(self) -> strawberry.ID:
        return strawberry.ID(self.record.id)

    @strawberry.field
    def name(self) -> str:
        return self.record.name

    @strawberry.field
    def docstring(self) -> str | None:
        return self.record.docstring

    @strawberry.field
    def created(self) -> datetime:
        return parse_time(self.record.created)

    @strawberry.field
    async def run_count(self, info: Info) -> int:
        return await info.context.loaders.run_count.load(self.record.id)

    @strawberry.field(description="Runs of this pipeline, newest first.")
    async def runs(
        self,
        info: Info,
        first: int = DEFAULT_PAGE_SIZE,
        after: str | None = None,
        status: Status | None = None,  # type: ignore[valid-type]
    ) -> Connection[PipelineRun]:
        check_page_size(first)
        run_ids = await info.context.loaders.run_ids_of_pipeline.load(self.record.id)
        if status is not None:
            runs = _present(await info.context.loaders.run.load_many(run_ids))
            run_ids = [run.id for run in runs if run.status is status]
        return await _id_list_connection(
            run_ids, first, after, info.context.loaders.run.load_many, PipelineRun
        )

    @strawberry.field
    async def last_run(self, info: Info) -> PipelineRun | None:
        return await _newest_run(info, self.record.id, successful=False)

    @strawberry.field
    async def last_successful_run(self, info: Info) -> PipelineRun | None:
        return await _newest_run(info, self.record.id, successful=True)

    @strawberry.field
    async def tags(self, info: Info) -> list[str]:
        return await info.context.loaders.tags[NodeKind.PIPELINE].load(self.record.id)

    @strawberry.field(description="Structures this pipeline ran with, newest first.")
    async def versions(self, info: Info) -> list[PipelineVersion]:
        found = await info.context.loaders.versions_of_pipeline.load(self.record.id)
        return [PipelineVersion(record=record) for record in found]


@strawberry.type(description="One structure of a pipeline: its steps, their code and wiring.")
class PipelineVersion:
    record: strawberry.Private[PipelineVersionRecord]

    @strawberry.field
    def version(self) -> int:
        return self.record.version

    @strawberry.field
    def structure_hash(self) -> str:
        return self.record.structure_hash

    @strawberry.field
    def created(self) -> datetime:
        return parse_time(self.record.created)

    @strawberry.field(description="Runs of this version, newest first.")
    async def runs(
        self, info: Info, first: int = DEFAULT_PAGE_SIZE, after: str | None = None
    ) -> Connection[PipelineRun]:
        run_ids = await info.context.loaders.run_ids_of_pipeline_version.load(self.record.id)
        return await _id_list_connection(
            run_ids, first, after, info.context.loaders.run.load_many, PipelineRun
        )


async def _newest_run(info: Info, pipeline_id: str, *, successful: bool) -> PipelineRun | None:
    run_ids = await info.context.loaders.run_ids_of_pipeline.load(pipeline_id)
    if not successful:
        first = await info.context.loaders.run.load(run_ids[0]) if run_ids else None
        return PipelineRun(record=first) if first else None
    for run in _present(await info.context.loaders.run.load_many(run_ids)):
        if run.status.is_successful:
            return PipelineRun(record=run)
    return None


async def _id_list_connection(
    ids: list[str],
    first: int,
    after: str | None,
    load_many: Callable[[list[str]], Awaitable[list[T | None]]],
    wrap: Callable[..., NodeT],
) -> Connection[NodeT]:
    """A page of an id list a loader gave, the cursor being the position's id."""
    check_page_size(first)
    start = 0
    if after is not None:
        last = _decode_position(after)
        if last not in ids:
            raise BadInputError("is not a cursor of this list", "after")
        start = ids.index(last) + 1
    shown = ids[start : start + first]
    records = await load_many(shown)
    edges = [
        Edge(cursor=_encode_position(node_id), node=wrap(record=record))
        for node_id, record in zip(shown, records, strict=True)
        if record is not None
    ]
    return Connection(
        edges=edges,
        page_info=PageInfo(
            has_next_page=start + first < len(ids),
            end_cursor=edges[-1].cursor if edges else None,
        ),
        total_count=len(ids),
    )


def _encode_position(node_id: str) -> str:
    return base64.urlsafe_b64encode(node_id.encode()).decode()


def _decode_position(cursor: str) -> str:
    try:
        return base64.urlsafe_b64decode(cursor.encode()).decode()
    except ValueError as error:
        raise BadInputError("is not a cursor this API handed out", "after") from error


@strawberry.type
class PipelineRun:
    record: strawberry.Private[RunRecord]

    @strawberry.field
    def id(self) -> strawberry.ID:
        return strawberry.ID(self.record.id)

    @strawberry.field
    def name(self) -> str:
        return self.record.name

    @strawberry.field
    def status(self) -> Status:  # type: ignore[valid-type]
        return self.record.status

    @strawberry.field
    def created(self) -> datetime:
        return parse_time(self.record.created)

    @strawberry.field
    def start_time(self) -> datetime | None:
        return _time(self.record.start_time)

    @strawberry.field
    def end_time(self) -> datetime | None:
        return _time(self.record.end_time)

    @strawberry.field
    def config(self) -> JSON:
        return JSON(self.record.config)

    @strawberry.field
    def settings(self) -> JSON:
        return JSON(self.record.settings)

    @strawberry.field
    def git_sha(self) -> str | None:
        return self.record.git_sha

    @strawberry.field
    def docstring(self) -> str | None:
        return self.record.docstring

    @strawberry.field
    async def tags(self, info: Info) -> list[str]:
        return await info.context.loaders.tags[NodeKind.RUN].load(self.record.id)

    @strawberry.field
    async def run_metadata(self, info: Info) -> list[MetadataEntry]:
        return await _metadata(info, NodeKind.RUN, self.record.id)

    @strawberry.field
    async def pipeline(self, info: Info) -> Pipeline:
        found = await info.context.loaders.pipeline.load(self.record.pipeline_id)
        if found is None:
            raise NotFoundError(f"the pipeline of run {self.record.name!r} is gone")
        return Pipeline(record=found)

    @strawberry.field(description="The pipeline structure this run had, if it recorded one.")
    async def pipeline_version(self, info: Info) -> PipelineVersion | None:
        if self.record.pipeline_version_id is None:
            return None
        found = await info.context.loaders.pipeline_version.load(self.record.pipeline_version_id)
        return PipelineVersion(record=found) if found else None

    @strawberry.field(description="Steps in execution order.")
    async def steps(self, info: Info) -> list[Step]:
        return [
            Step(record=s) for s in await info.context.loaders.steps_of_run.load(self.record.id)
        ]

    @strawberry.field(description="The step with this invocation id, if the run has one.")
    async def step(self, info: Info, name: str) -> Step | None:
        for found in await info.context.loaders.steps_of_run.load(self.record.id):
            if found.name == name:
                return Step(record=found)
        return None


@strawberry.type
class StepArtifact:
    """One named input or output of a step."""

    name: str
    link: strawberry.Private[IOLink]

    @strawberry.field
    async def artifact_version(self, info: Info) -> ArtifactVersion:
        found = await info.context.loaders.version.load(self.link.artifact_version_id)
        if found is None:
            raise NotFoundError(f"artifact version {self.link.artifact_version_id!r} is gone")
        return ArtifactVersion(record=found)


def _single(links: list[IOLink], which: str, step: str) -> StepArtifact | None:
    if len(links) > 1:
        names = ", ".join(link.name for link in links)
        raise BadInputError(
            f"step {step!r} has several {which}s ({names}); ask for `{which}s` and pick by name",
            which,
        )
    return StepArtifact(name=links[0].name, link=links[0]) if links else None


@strawberry.type
class Step:
    record: strawberry.Private[StepRecord]

    @strawberry.field
    def id(self) -> strawberry.ID:
        return strawberry.ID(self.record.id)

    @strawberry.field(description="The invocation id, unique within the run.")
    def name(self) -> str:
        return self.record.name

    @strawberry.field
    def step_name(self) -> str:
        return self.record.step_name

    @strawberry.field
    def status(self) -> Status:  # type: ignore[valid-type]
        return self.record.status

    @strawberry.field
    def start_time(self) -> datetime | None:
        return _time(self.record.start_time)

    @strawberry.field
    def end_time(self) -> datetime | None:
        return _time(self.record.end_time)

    @strawberry.field
    def cache_key(self) -> str | None:
        return self.record.cache_key

    @strawberry.field
    def parameters(self) -> JSON:
        return JSON(self.record.parameters)

    @strawberry.field
    def settings(self) -> JSON:
        return JSON(self.record.settings)

    @strawberry.field
    def docstring(self) -> str | None:
        return self.record.docstring

    @strawberry.field
    def error_message(self) -> str | None:
        return self.record.error_message

    @strawberry.field
    async def run_metadata(self, info: Info) -> list[MetadataEntry]:
        return await _metadata(info, NodeKind.STEP, self.record.id)

    @strawberry.field
    async def run(self, info: Info) -> PipelineRun:
        found = await info.context.loaders.run.load(self.record.run_id)
        if found is None:
            raise NotFoundError(f"the run of step {self.record.name!r} is gone")
        return PipelineRun(record=found)

    @strawberry.field
    async def inputs(self, info: Info) -> list[StepArtifact]:
        links = await info.context.loaders.inputs_of_step.load(self.record.id)
        return [StepArtifact(name=link.name, link=link) for link in links]

    @strawberry.field
    async def outputs(self, info: Info) -> list[StepArtifact]:
        links = await info.context.loaders.outputs_of_step.load(self.record.id)
        return [StepArtifact(name=link.name, link=link) for link in links]

    @strawberry.field(description="The only input; an error when the step has several.")
    async def input(self, info: Info) -> StepArtifact | None:
        links = await info.context.loaders.inputs_of_step.load(self.record.id)
        return _single(links, "input", self.record.name)

    @strawberry.field(description="The only output; an error when the step has several.")
    async def output(self, info: Info) -> StepArtifact | None:
        links = await info.context.loaders.outputs_of_step.load(self.record.id)
        return _single(links, "output", self.record.name)

    @strawberry.field(description="Steps whose outputs this step consumed.")
    async def upstream_steps(self, info: Info, depth: int = 1) -> list[Step]:
        ids = await info.context.loaders.upstream_steps.load((self.record.id, depth))
        return [Step(record=s) for s in _present(await info.context.loaders.step.load_many(ids))]

    @strawberry.field(description="Steps that consumed this step's outputs.")
    async def downstream_steps(self, info: Info, depth: int = 1) -> list[Step]:
        ids = await info.context.loaders.downstream_steps.load((self.record.id, depth))
        return [Step(record=s) for s in _present(await info.context.loaders.step.load_many(ids))]


@strawberry.type
class Visualization:
    type: str
    uri: str


@strawberry.type
class ArtifactVersion:
    record: strawberry.Private[ArtifactVersionRecord]

    @strawberry.field
    def id(self) -> strawberry.ID:
        return strawberry.ID(self.record.id)

    @strawberry.field
    def name(self) -> str:
        return self.record.name

    @strawberry.field
    def version(self) -> str:
        return self.record.version

    @strawberry.field
    def type(self) -> str:
        return self.record.type

    @strawberry.field
    def data_type(self) -> str | None:
        return self.record.data_type

    @strawberry.field
    def uri(self) -> str:
        return self.record.uri

    @strawberry.field
    def materializer(self) -> str | None:
        return self.record.materializer

    @strawberry.field
    def save_type(self) -> ArtifactSaveType:  # type: ignore[valid-type]
        return self.record.save_type

    @strawberry.field
    def created(self) -> datetime:
        return parse_time(self.record.created)

    @strawberry.field
    def visualizations(self) -> list[Visualization]:
        return [Visualization(type=v.type, uri=v.uri) for v in self.record.visualizations]

    @strawberry.field
    async def tags(self, info: Info) -> list[str]:
        return await info.context.loaders.tags[NodeKind.ARTIFACT_VERSION].load(self.record.id)

    @strawberry.field
    async def run_metadata(self, info: Info) -> list[MetadataEntry]:
        return await _metadata(info, NodeKind.ARTIFACT_VERSION, self.record.id)

    @strawberry.field
    async def artifact(self, info: Info) -> Artifact:
        found = await info.context.loaders.artifact.load(self.record.artifact_id)
        if found is None:
            raise NotFoundError(f"the artifact of version {self.record.id!r} is gone")
        return Artifact(record=found)

    @strawberry.field(description="The steps that produced this version (cached reuses too).")
    async def produced_by(self, info: Info) -> list[Step]:
        ids = await info.context.loaders.producers.load(self.record.id)
        return [Step(record=s) for s in _present(await info.context.loaders.step.load_many(ids))]

    @strawberry.field
    async def consumed_by(self, info: Info) -> list[Step]:
        ids = await info.context.loaders.consumers.load(self.record.id)
        return [Step(record=s) for s in _present(await info.context.loaders.step.load_many(ids))]

    @strawberry.field(description="Versions this one was derived from, within depth steps.")
    async def upstream(
        self, info: Info, depth: int = DEFAULT_LINEAGE_DEPTH
    ) -> list[ArtifactVersion]:
        ids = await info.context.loaders.upstream_versions.load((self.record.id, depth))
        return _versions(await info.context.loaders.version.load_many(ids))

    @strawberry.field(description="Versions derived from this one, within depth steps.")
    async def downstream(
        self, info: Info, depth: int = DEFAULT_LINEAGE_DEPTH
    ) -> list[ArtifactVersion]:
        ids = await info.context.loaders.downstream_versions.load((self.record.id, depth))
        return _versions(await info.context.loaders.version.load_many(ids))


def _versions(found: list[ArtifactVersionRecord | None]) -> list[ArtifactVersion]:
    return [ArtifactVersion(record=v) for v in _present(found)]


@strawberry.type
class Artifact:
    record: strawberry.Private[ArtifactRecord]

    @strawberry.field
    def id(self) -> strawberry.ID:
        return strawberry.ID(self.record.id)

    @strawberry.field
    def name(self) -> str:
        return self.record.name

    @strawberry.field
    def created(self) -> datetime:
        return parse_time(self.record.created)

    @strawberry.field
    async def tags(self, info: Info) -> list[str]:
        return await info.context.loaders.tags[NodeKind.ARTIFACT].load(self.record.id)

    @strawberry.field(description="Versions, newest first.")
    async def versions(
        self, info: Info, first: int = DEFAULT_PAGE_SIZE, after: str | None = None
    ) -> Connection[ArtifactVersion]:
        check_page_size(first)
        ids = await info.context.loaders.version_ids_of_artifact.load(self.record.id)
        return await _id_list_connection(
            ids, first, after, info.context.loaders.version.load_many, ArtifactVersion
        )

    @strawberry.field
    async def latest_version(self, info: Info) -> ArtifactVersion | None:
        ids = await info.context.loaders.version_ids_of_artifact.load(self.record.id)
        found = await info.context.loaders.version.load(ids[0]) if ids else None
        return ArtifactVersion(record=found) if found else None


@strawberry.enum
class LineageDirection(Enum):
    UPSTREAM = "UPSTREAM"
    DOWNSTREAM = "DOWNSTREAM"
    BOTH = "BOTH"


@strawberry.type
class LineageEdge:
    kind: str = strawberry.field(description="PRODUCED or CONSUMED.")
    step_id: strawberry.ID
    artifact_version_id: strawberry.ID
    name: str = strawberry.field(description="The output or input name.")


@strawberry.type
class LineageArtifactNode:
    depth: int
    artifact_version: ArtifactVersion


@strawberry.type
class Lineage:
    """Artifact versions and steps around a start version, with the edges to draw."""

    artifact_versions: list[LineageArtifactNode]
    steps: list[Step]
    edges: list[LineageEdge]
