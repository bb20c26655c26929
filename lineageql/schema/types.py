"""The GraphQL object types.

Scalar fields are plain attributes copied from the record when the object is made (the
cheapest fields graphql-core can resolve); fields that fan out resolve through this
request's loaders.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from datetime import datetime
from enum import Enum
from typing import TypeVar

import strawberry
from strawberry.scalars import JSON

from lineageql.arguments import stored_time
from lineageql.errors import BadInputError, NotFoundError
from lineageql.graph import NodeKind
from lineageql.graph.listing import (
    DEFAULT_PAGE_SIZE,
    IdWindow,
    encode_position,
)
from lineageql.graph.repository import DEFAULT_LINEAGE_DEPTH
from lineageql.records import (
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
    split_producers,
)
from lineageql.schema.connections import Connection, Edge, PageInfo
from lineageql.schema.context import Info

Status = strawberry.enum(ExecutionStatus, name="ExecutionStatus")
ArtifactSaveType = strawberry.enum(SaveType, name="ArtifactSaveType")

T = TypeVar("T")
NodeT = TypeVar("NodeT")


def _time(text: str | None) -> datetime | None:
    return parse_time(text) if text else None


def present(found: Sequence[T | None]) -> list[T]:
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
    id: strawberry.ID
    name: str
    docstring: str | None
    created: datetime

    @classmethod
    def of(cls, record: PipelineRecord) -> Pipeline:
        return cls(
            record=record,
            id=strawberry.ID(record.id),
            name=record.name,
            docstring=record.docstring,
            created=parse_time(record.created),
        )

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
        statuses: list[ExecutionStatus] = [ExecutionStatus(status)] if status else []
        [window] = await info.context.repo.run_pages([self.record.id], first, after, statuses)
        return await _window_connection(window, info.context.loaders.run.load_many, PipelineRun.of)

    @strawberry.field(description="The newest run (of those created at or before asOf).")
    async def last_run(self, info: Info, as_of: datetime | None = None) -> PipelineRun | None:
        return await _newest_run(info, self.record.id, successful=False, as_of=as_of)

    @strawberry.field(
        description="The newest completed or cached run (of those created at or before asOf)."
    )
    async def last_successful_run(
        self, info: Info, as_of: datetime | None = None
    ) -> PipelineRun | None:
        return await _newest_run(info, self.record.id, successful=True, as_of=as_of)

    @strawberry.field
    async def tags(self, info: Info) -> list[str]:
        return await info.context.loaders.tags[NodeKind.PIPELINE].load(self.record.id)

    @strawberry.field(description="Structures this pipeline ran with, newest first.")
    async def versions(self, info: Info) -> list[PipelineVersion]:
        found = await info.context.loaders.versions_of_pipeline.load(self.record.id)
        return [PipelineVersion.of(record) for record in found]


@strawberry.type(description="One structure of a pipeline: its steps, their code and wiring.")
class PipelineVersion:
    record: strawberry.Private[PipelineVersionRecord]
    version: int
    structure_hash: str
    created: datetime

    @classmethod
    def of(cls, record: PipelineVersionRecord) -> PipelineVersion:
        return cls(
            record=record,
            version=record.version,
            structure_hash=record.structure_hash,
            created=parse_time(record.created),
        )

    @strawberry.field(description="Runs of this version, newest first.")
    async def runs(
        self, info: Info, first: int = DEFAULT_PAGE_SIZE, after: str | None = None
    ) -> Connection[PipelineRun]:
        run_ids = await info.context.loaders.run_ids_of_pipeline_version.load(self.record.id)
        return await _id_list_connection(
            run_ids, first, after, info.context.loaders.run.load_many, PipelineRun.of
        )


async def _newest_run(
    info: Info, pipeline_id: str, *, successful: bool, as_of: datetime | None
) -> PipelineRun | None:
    [found] = await info.context.repo.last_runs(
        [pipeline_id], successful=successful, as_of=stored_time(as_of)
    )
    return PipelineRun.of(found) if found else None


async def _id_list_connection(
    ids: list[str],
    first: int,
    after: str | None,
    load_many: Callable[[list[str]], Awaitable[list[T | None]]],
    wrap: Callable[[T], NodeT],
) -> Connection[NodeT]:
    """A page of an id list a loader gave, the cursor being the position's id."""
    return await _window_connection(IdWindow.of(ids, first, after), load_many, wrap)


async def _window_connection(
    window: IdWindow,
    load_many: Callable[[list[str]], Awaitable[list[T | None]]],
    wrap: Callable[[T], NodeT],
) -> Connection[NodeT]:
    """The connection of one page of ids, the cursor being the position's id."""
    records = await load_many(window.shown)
    edges = [
        Edge(cursor=encode_position(node_id), node=wrap(record))
        for node_id, record in zip(window.shown, records, strict=True)
        if record is not None
    ]
    return Connection(
        edges=edges,
        page_info=PageInfo(
            has_next_page=window.has_next_page,
            end_cursor=edges[-1].cursor if edges else None,
        ),
        total_count=window.total_count,
    )


@strawberry.type
class PipelineRun:
    record: strawberry.Private[RunRecord]
    id: strawberry.ID
    name: str
    status: Status  # type: ignore[valid-type]
    created: datetime
    start_time: datetime | None
    end_time: datetime | None
    config: JSON
    settings: JSON
    git_sha: str | None
    docstring: str | None

    @classmethod
    def of(cls, record: RunRecord) -> PipelineRun:
        return cls(
            record=record,
            id=strawberry.ID(record.id),
            name=record.name,
            status=record.status,
            created=parse_time(record.created),
            start_time=_time(record.start_time),
            end_time=_time(record.end_time),
            config=JSON(record.config),
            settings=JSON(record.settings),
            git_sha=record.git_sha,
            docstring=record.docstring,
        )

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
        return Pipeline.of(found)

    @strawberry.field(description="The pipeline structure this run had, if it recorded one.")
    async def pipeline_version(self, info: Info) -> PipelineVersion | None:
        if self.record.pipeline_version_id is None:
            return None
        found = await info.context.loaders.pipeline_version.load(self.record.pipeline_version_id)
        return PipelineVersion.of(found) if found else None

    @strawberry.field(description="Steps in execution order.")
    async def steps(self, info: Info) -> list[Step]:
        return [Step.of(s) for s in await info.context.loaders.steps_of_run.load(self.record.id)]

    @strawberry.field(description="The step with this invocation id, if the run has one.")
    async def step(self, info: Info, name: str) -> Step | None:
        for found in await info.context.loaders.steps_of_run.load(self.record.id):
            if found.name == name:
                return Step.of(found)
        return None


@strawberry.type
class StepArtifact:
    """One named input or output of a step."""

    name: str
    artifact_version: ArtifactVersion


async def _step_artifacts(info: Info, links: list[IOLink]) -> list[StepArtifact]:
    """The links with their artifact versions, loaded in one batch."""
    ids = [link.artifact_version_id for link in links]
    found = await info.context.loaders.version.load_many(ids)
    artifacts = []
    for link, version in zip(links, found, strict=True):
        if version is None:
            raise NotFoundError(f"artifact version {link.artifact_version_id!r} is gone")
        artifacts.append(StepArtifact(name=link.name, artifact_version=ArtifactVersion.of(version)))
    return artifacts


def _single(links: list[IOLink], which: str, step: str) -> list[IOLink]:
    """``links`` if there is at most one, else a BadInputError naming them."""
    if len(links) > 1:
        names = ", ".join(link.name for link in links)
        raise BadInputError(
            f"step {step!r} has several {which}s ({names}); ask for `{which}s` and pick by name",
            which,
        )
    return links


@strawberry.type
class Step:
    record: strawberry.Private[StepRecord]
    id: strawberry.ID
    name: str = strawberry.field(description="The invocation id, unique within the run.")
    step_name: str
    status: Status  # type: ignore[valid-type]
    start_time: datetime | None
    end_time: datetime | None
    cache_key: str | None
    parameters: JSON
    settings: JSON
    docstring: str | None
    error_message: str | None
    source_hash: str | None

    @classmethod
    def of(cls, record: StepRecord) -> Step:
        return cls(
            record=record,
            id=strawberry.ID(record.id),
            name=record.name,
            step_name=record.step_name,
            status=record.status,
            start_time=_time(record.start_time),
            end_time=_time(record.end_time),
            cache_key=record.cache_key,
            parameters=JSON(record.parameters),
            settings=JSON(record.settings),
            docstring=record.docstring,
            error_message=record.error_message,
            source_hash=record.source_hash,
        )

    @strawberry.field
    async def run_metadata(self, info: Info) -> list[MetadataEntry]:
        return await _metadata(info, NodeKind.STEP, self.record.id)

    @strawberry.field
    async def run(self, info: Info) -> PipelineRun:
        found = await info.context.loaders.run.load(self.record.run_id)
        if found is None:
            raise NotFoundError(f"the run of step {self.record.name!r} is gone")
        return PipelineRun.of(found)

    @strawberry.field
    async def inputs(self, info: Info) -> list[StepArtifact]:
        links = await info.context.loaders.inputs_of_step.load(self.record.id)
        return await _step_artifacts(info, links)

    @strawberry.field
    async def outputs(self, info: Info) -> list[StepArtifact]:
        links = await info.context.loaders.outputs_of_step.load(self.record.id)
        return await _step_artifacts(info, links)

    @strawberry.field(description="The only input; an error when the step has several.")
    async def input(self, info: Info) -> StepArtifact | None:
        links = await info.context.loaders.inputs_of_step.load(self.record.id)
        found = await _step_artifacts(info, _single(links, "input", self.record.name))
        return found[0] if found else None

    @strawberry.field(description="The only output; an error when the step has several.")
    async def output(self, info: Info) -> StepArtifact | None:
        links = await info.context.loaders.outputs_of_step.load(self.record.id)
        found = await _step_artifacts(info, _single(links, "output", self.record.name))
        return found[0] if found else None

    @strawberry.field(description="Steps whose outputs this step consumed.")
    async def upstream_steps(self, info: Info, depth: int = 1) -> list[Step]:
        found = await info.context.loaders.upstream_steps.load((self.record.id, depth))
        return [Step.of(record) for record in found]

    @strawberry.field(description="Steps that consumed this step's outputs.")
    async def downstream_steps(self, info: Info, depth: int = 1) -> list[Step]:
        found = await info.context.loaders.downstream_steps.load((self.record.id, depth))
        return [Step.of(record) for record in found]


@strawberry.type
class Visualization:
    type: str
    uri: str


@strawberry.type
class ArtifactVersion:
    record: strawberry.Private[ArtifactVersionRecord]
    id: strawberry.ID
    name: str
    version: str
    type: str
    data_type: str | None
    uri: str
    materializer: str | None
    save_type: ArtifactSaveType  # type: ignore[valid-type]
    created: datetime
    visualizations: list[Visualization]

    @classmethod
    def of(cls, record: ArtifactVersionRecord) -> ArtifactVersion:
        return cls(
            record=record,
            id=strawberry.ID(record.id),
            name=record.name,
            version=record.version,
            type=record.type,
            data_type=record.data_type,
            uri=record.uri,
            materializer=record.materializer,
            save_type=record.save_type,
            created=parse_time(record.created),
            visualizations=[Visualization(type=v.type, uri=v.uri) for v in record.visualizations],
        )

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
        return Artifact.of(found)

    @strawberry.field(
        description="The step that ran and wrote this version; null for a version no step "
        "produced (saved, registered or external data)."
    )
    async def produced_by(self, info: Info) -> Step | None:
        executed, _ = split_producers(await info.context.loaders.producers.load(self.record.id))
        return Step.of(executed) if executed else None

    @strawberry.field(description="Cached steps that reused this version instead of running.")
    async def reused_by(self, info: Info) -> list[Step]:
        _, reused = split_producers(await info.context.loaders.producers.load(self.record.id))
        return [Step.of(s) for s in reused]

    @strawberry.field
    async def consumed_by(self, info: Info) -> list[Step]:
        return [Step.of(s) for s in await info.context.loaders.consumers.load(self.record.id)]

    @strawberry.field(description="Versions this one was derived from, within depth steps.")
    async def upstream(
        self, info: Info, depth: int = DEFAULT_LINEAGE_DEPTH
    ) -> list[ArtifactVersion]:
        found = await info.context.loaders.upstream_versions.load((self.record.id, depth))
        return [ArtifactVersion.of(record) for record in found]

    @strawberry.field(description="Versions derived from this one, within depth steps.")
    async def downstream(
        self, info: Info, depth: int = DEFAULT_LINEAGE_DEPTH
    ) -> list[ArtifactVersion]:
        found = await info.context.loaders.downstream_versions.load((self.record.id, depth))
        return [ArtifactVersion.of(record) for record in found]


@strawberry.type
class Artifact:
    record: strawberry.Private[ArtifactRecord]
    id: strawberry.ID
    name: str
    created: datetime

    @classmethod
    def of(cls, record: ArtifactRecord) -> Artifact:
        return cls(
            record=record,
            id=strawberry.ID(record.id),
            name=record.name,
            created=parse_time(record.created),
        )

    @strawberry.field
    async def tags(self, info: Info) -> list[str]:
        return await info.context.loaders.tags[NodeKind.ARTIFACT].load(self.record.id)

    @strawberry.field(description="Versions, newest first.")
    async def versions(
        self, info: Info, first: int = DEFAULT_PAGE_SIZE, after: str | None = None
    ) -> Connection[ArtifactVersion]:
        ids = await info.context.loaders.version_ids_of_artifact.load(self.record.id)
        return await _id_list_connection(
            ids, first, after, info.context.loaders.version.load_many, ArtifactVersion.of
        )

    @strawberry.field
    async def latest_version(self, info: Info) -> ArtifactVersion | None:
        ids = await info.context.loaders.version_ids_of_artifact.load(self.record.id)
        found = await info.context.loaders.version.load(ids[0]) if ids else None
        return ArtifactVersion.of(found) if found else None


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
    source: strawberry.ID = strawberry.field(
        description="Where the data comes from: the step for PRODUCED, the version for CONSUMED."
    )
    target: strawberry.ID = strawberry.field(
        description="Where the data goes: the version for PRODUCED, the step for CONSUMED."
    )


@strawberry.type
class LineageArtifactNode:
    depth: int
    artifact_version: ArtifactVersion


@strawberry.enum
class LineageNodeKind(Enum):
    ARTIFACT_VERSION = "ARTIFACT_VERSION"
    STEP = "STEP"


@strawberry.interface(description="A node of a lineage graph: an artifact version or a step.")
class LineageNode:
    id: strawberry.ID
    kind: LineageNodeKind
    name: str
    depth: int = strawberry.field(description="Distance in steps from the start version.")


@strawberry.type
class LineageVersionNode(LineageNode):
    version: str
    artifact_version: ArtifactVersion


@strawberry.type
class LineageStepNode(LineageNode):
    status: Status  # type: ignore[valid-type]
    step: Step


@strawberry.type
class Lineage:
    """Artifact versions and steps around a start version, with the edges to draw."""

    nodes: list[LineageNode] = strawberry.field(
        description="Versions, then steps, each once; edges join them by id."
    )
    edges: list[LineageEdge]
    artifact_versions: list[LineageArtifactNode]
    steps: list[Step]
    truncated: bool = strawberry.field(
        description="More lineage lies beyond the depth limit or the size bound."
    )
