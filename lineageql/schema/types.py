"""The GraphQL object types: the shape of each field (name, type, arguments, description).

What a field answers is declared once, in ``lineageql.readpath``: scalar fields are filled
from the record by the read path's getters when the object is made (``of``), and every other
field's resolver hands its record to that field's fetch through this request's
``FieldReads``. The planned executor answers most queries from the same table without these
objects; they serve mutations, subscriptions, and queries the planner passes back.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from enum import Enum
from typing import TYPE_CHECKING, Any, Self

import strawberry
from strawberry.scalars import JSON
from strawberry.utils.str_converters import to_camel_case

from lineageql.graph.listing import DEFAULT_PAGE_SIZE
from lineageql.graph.repository import DEFAULT_LINEAGE_DEPTH
from lineageql.model_records import (
    ModelArtifactKind,
    ModelRecord,
    ModelStage,
    ModelVersionRecord,
    StageChange,
)
from lineageql.readpath import TYPES
from lineageql.readpath.fields import DEFAULT_MODEL_VERSIONS
from lineageql.readpath.objects import (
    ColumnLineageValue,
    ColumnNodeValue,
    ConnectionValue,
    LineageGraphNode,
    LineageNodeValue,
    LineageValue,
    ModelArtifactValue,
    StepArtifactValue,
)
from lineageql.records import (
    ArtifactRecord,
    ArtifactVersionRecord,
    ColumnLink,
    ColumnRecord,
    ExecutionStatus,
    MetadataRecord,
    PipelineRecord,
    PipelineVersionRecord,
    RunRecord,
    SaveType,
    StepRecord,
)
from lineageql.records import LineageEdge as LineageEdgeRecord
from lineageql.records import Visualization as VisualizationRecord
from lineageql.schema.connections import Connection, Edge, PageInfo
from lineageql.schema.context import Info

Status = strawberry.enum(ExecutionStatus, name="ExecutionStatus")
ArtifactSaveType = strawberry.enum(SaveType, name="ArtifactSaveType")
Stage = strawberry.enum(
    ModelStage,
    name="ModelStage",
    description="STAGING and PRODUCTION are held by one version of a model at a time.",
)
ArtifactKind = strawberry.enum(
    ModelArtifactKind, name="ModelArtifactKind", description="What an artifact is to a model."
)


Getters = list[tuple[str, Callable[[Any], Any]]]
_GETTERS: dict[type, Getters] = {}


def _scalar_getters(cls: type) -> Getters:
    """(Python name, getter) of each of the type's fields made with the object."""
    getters = _GETTERS.get(cls)
    if getters is None:
        definition = cls.__strawberry_definition__  # type: ignore[attr-defined]
        scalars = TYPES[definition.name].scalars
        getters = _GETTERS[cls] = [
            (field.python_name, scalars[field.graphql_name or to_camel_case(field.python_name)])
            for field in definition.fields
            if field.base_resolver is None and field.python_name != "record"
        ]
    return getters


class FromRecord:
    """A GraphQL object over a record (or a read-path value) kept as ``record``."""

    if TYPE_CHECKING:  # each type declares it as strawberry.Private, hidden from GraphQL
        record: Any

    @classmethod
    def of(cls, record: Any) -> Self:
        values = {name: get(record) for name, get in _scalar_getters(cls)}
        return cls(record=record, **values)  # type: ignore[call-arg]


async def related(info: Info, parent: FromRecord, **args: Any) -> Any:
    """The resolver's answer: its field of ``parent``'s record, fetched through this
    request's field reads and made into GraphQL objects."""
    typename = type(parent).__strawberry_definition__.name  # type: ignore[attr-defined]
    value = await info.context.field_reads.load(typename, info.field_name, parent.record, args)
    return as_objects(value)


def as_objects(value: Any) -> Any:
    """A read-path answer as GraphQL objects: records wrapped in their types, connections
    and lists element by element, plain values as they are."""
    if isinstance(value, list):
        return [as_objects(item) for item in value]
    if isinstance(value, ConnectionValue):
        return Connection(
            edges=[Edge(cursor=e.cursor, node=as_objects(e.node)) for e in value.edges],
            page_info=PageInfo(
                has_next_page=value.page_info.has_next_page,
                end_cursor=value.page_info.end_cursor,
            ),
            total_count=value.total_count,
        )
    if isinstance(value, LineageGraphNode):
        node_type = (
            LineageVersionNode if value.typename == "LineageVersionNode" else LineageStepNode
        )
        return node_type.of(value)
    wrap = _OBJECT_TYPES.get(type(value))
    return wrap.of(value) if wrap is not None else value


@strawberry.type
class MetadataEntry(FromRecord):
    record: strawberry.Private[MetadataRecord]
    key: str
    value: JSON
    type: str


@strawberry.type
class Pipeline(FromRecord):
    record: strawberry.Private[PipelineRecord]
    id: strawberry.ID
    name: str
    docstring: str | None
    created: datetime
    namespace: str | None = strawberry.field(
        description="The OpenLineage namespace of its job; null for a pipeline the SDK ran."
    )

    @strawberry.field
    async def run_count(self, info: Info) -> int:
        return await related(info, self)  # type: ignore[no-any-return]

    @strawberry.field(description="Runs of this pipeline, newest first.")
    async def runs(
        self,
        info: Info,
        first: int = DEFAULT_PAGE_SIZE,
        after: str | None = None,
        status: Status | None = None,  # type: ignore[valid-type]
    ) -> Connection[PipelineRun]:
        return await related(info, self, first=first, after=after, status=status)  # type: ignore[no-any-return]

    @strawberry.field(description="The newest run (of those created at or before asOf).")
    async def last_run(self, info: Info, as_of: datetime | None = None) -> PipelineRun | None:
        return await related(info, self, as_of=as_of)  # type: ignore[no-any-return]

    @strawberry.field(
        description="The newest completed or cached run (of those created at or before asOf)."
    )
    async def last_successful_run(
        self, info: Info, as_of: datetime | None = None
    ) -> PipelineRun | None:
        return await related(info, self, as_of=as_of)  # type: ignore[no-any-return]

    @strawberry.field
    async def tags(self, info: Info) -> list[str]:
        return await related(info, self)  # type: ignore[no-any-return]

    @strawberry.field(description="Structures this pipeline ran with, newest first.")
    async def versions(self, info: Info) -> list[PipelineVersion]:
        return await related(info, self)  # type: ignore[no-any-return]

    @strawberry.field(description="Datasets the job declares it reads (OpenLineage JobEvent).")
    async def declared_inputs(self, info: Info) -> list[Artifact]:
        return await related(info, self)  # type: ignore[no-any-return]

    @strawberry.field(description="Datasets the job declares it writes (OpenLineage JobEvent).")
    async def declared_outputs(self, info: Info) -> list[Artifact]:
        return await related(info, self)  # type: ignore[no-any-return]


@strawberry.type(description="One structure of a pipeline: its steps, their code and wiring.")
class PipelineVersion(FromRecord):
    record: strawberry.Private[PipelineVersionRecord]
    version: int
    structure_hash: str
    created: datetime

    @strawberry.field(description="Runs of this version, newest first.")
    async def runs(
        self, info: Info, first: int = DEFAULT_PAGE_SIZE, after: str | None = None
    ) -> Connection[PipelineRun]:
        return await related(info, self, first=first, after=after)  # type: ignore[no-any-return]


@strawberry.type
class PipelineRun(FromRecord):
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

    @strawberry.field
    async def tags(self, info: Info) -> list[str]:
        return await related(info, self)  # type: ignore[no-any-return]

    @strawberry.field
    async def run_metadata(self, info: Info) -> list[MetadataEntry]:
        return await related(info, self)  # type: ignore[no-any-return]

    @strawberry.field
    async def pipeline(self, info: Info) -> Pipeline:
        return await related(info, self)  # type: ignore[no-any-return]

    @strawberry.field(description="The pipeline structure this run had, if it recorded one.")
    async def pipeline_version(self, info: Info) -> PipelineVersion | None:
        return await related(info, self)  # type: ignore[no-any-return]

    @strawberry.field(description="Steps in execution order.")
    async def steps(self, info: Info) -> list[Step]:
        return await related(info, self)  # type: ignore[no-any-return]

    @strawberry.field(description="The step with this invocation id, if the run has one.")
    async def step(self, info: Info, name: str) -> Step | None:
        return await related(info, self, name=name)  # type: ignore[no-any-return]


@strawberry.type
class StepArtifact(FromRecord):
    """One named input or output of a step."""

    record: strawberry.Private[StepArtifactValue]
    name: str

    @strawberry.field
    async def artifact_version(self, info: Info) -> ArtifactVersion:
        return await related(info, self)  # type: ignore[no-any-return]


@strawberry.type
class Step(FromRecord):
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

    @strawberry.field
    async def run_metadata(self, info: Info) -> list[MetadataEntry]:
        return await related(info, self)  # type: ignore[no-any-return]

    @strawberry.field
    async def run(self, info: Info) -> PipelineRun:
        return await related(info, self)  # type: ignore[no-any-return]

    @strawberry.field
    async def inputs(self, info: Info) -> list[StepArtifact]:
        return await related(info, self)  # type: ignore[no-any-return]

    @strawberry.field
    async def outputs(self, info: Info) -> list[StepArtifact]:
        return await related(info, self)  # type: ignore[no-any-return]

    @strawberry.field(description="The only input; an error when the step has several.")
    async def input(self, info: Info) -> StepArtifact | None:
        return await related(info, self)  # type: ignore[no-any-return]

    @strawberry.field(description="The only output; an error when the step has several.")
    async def output(self, info: Info) -> StepArtifact | None:
        return await related(info, self)  # type: ignore[no-any-return]

    @strawberry.field(description="Steps whose outputs this step consumed.")
    async def upstream_steps(self, info: Info, depth: int = 1) -> list[Step]:
        return await related(info, self, depth=depth)  # type: ignore[no-any-return]

    @strawberry.field(description="Steps that consumed this step's outputs.")
    async def downstream_steps(self, info: Info, depth: int = 1) -> list[Step]:
        return await related(info, self, depth=depth)  # type: ignore[no-any-return]


@strawberry.type
class Visualization(FromRecord):
    record: strawberry.Private[VisualizationRecord]
    type: str
    uri: str


@strawberry.type
class ArtifactVersion(FromRecord):
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

    @strawberry.field
    async def visualizations(self, info: Info) -> list[Visualization]:
        return await related(info, self)  # type: ignore[no-any-return]

    @strawberry.field
    async def tags(self, info: Info) -> list[str]:
        return await related(info, self)  # type: ignore[no-any-return]

    @strawberry.field
    async def run_metadata(self, info: Info) -> list[MetadataEntry]:
        return await related(info, self)  # type: ignore[no-any-return]

    @strawberry.field
    async def artifact(self, info: Info) -> Artifact:
        return await related(info, self)  # type: ignore[no-any-return]

    @strawberry.field(
        description="The step that ran and wrote this version; null for a version no step "
        "produced (saved, registered or external data)."
    )
    async def produced_by(self, info: Info) -> Step | None:
        return await related(info, self)  # type: ignore[no-any-return]

    @strawberry.field(description="Cached steps that reused this version instead of running.")
    async def reused_by(self, info: Info) -> list[Step]:
        return await related(info, self)  # type: ignore[no-any-return]

    @strawberry.field
    async def consumed_by(self, info: Info) -> list[Step]:
        return await related(info, self)  # type: ignore[no-any-return]

    @strawberry.field(description="Versions this one was derived from, within depth steps.")
    async def upstream(
        self, info: Info, depth: int = DEFAULT_LINEAGE_DEPTH
    ) -> list[ArtifactVersion]:
        return await related(info, self, depth=depth)  # type: ignore[no-any-return]

    @strawberry.field(description="Versions derived from this one, within depth steps.")
    async def downstream(
        self, info: Info, depth: int = DEFAULT_LINEAGE_DEPTH
    ) -> list[ArtifactVersion]:
        return await related(info, self, depth=depth)  # type: ignore[no-any-return]

    @strawberry.field(description="Its columns (a table's fields), in their order.")
    async def columns(self, info: Info) -> list[Column]:
        return await related(info, self)  # type: ignore[no-any-return]

    @strawberry.field(description="The model versions holding this version.")
    async def model_versions(self, info: Info) -> list[ModelVersion]:
        return await related(info, self)  # type: ignore[no-any-return]


@strawberry.type(description="A column of an artifact version.")
class Column(FromRecord):
    record: strawberry.Private[ColumnRecord]
    id: strawberry.ID
    name: str
    type: str | None
    description: str | None

    @strawberry.field
    async def artifact_version(self, info: Info) -> ArtifactVersion:
        return await related(info, self)  # type: ignore[no-any-return]

    @strawberry.field(description="Columns this one came from, within depth links.")
    async def upstream(self, info: Info, depth: int = 1) -> list[Column]:
        return await related(info, self, depth=depth)  # type: ignore[no-any-return]

    @strawberry.field(description="Columns that came from this one, within depth links.")
    async def downstream(self, info: Info, depth: int = 1) -> list[Column]:
        return await related(info, self, depth=depth)  # type: ignore[no-any-return]


@strawberry.type
class Artifact(FromRecord):
    record: strawberry.Private[ArtifactRecord]
    id: strawberry.ID
    name: str
    created: datetime
    namespace: str | None = strawberry.field(
        description="The OpenLineage namespace of its dataset; null for the SDK's artifacts."
    )

    @strawberry.field
    async def tags(self, info: Info) -> list[str]:
        return await related(info, self)  # type: ignore[no-any-return]

    @strawberry.field(description="Versions, newest first.")
    async def versions(
        self, info: Info, first: int = DEFAULT_PAGE_SIZE, after: str | None = None
    ) -> Connection[ArtifactVersion]:
        return await related(info, self, first=first, after=after)  # type: ignore[no-any-return]

    @strawberry.field
    async def latest_version(self, info: Info) -> ArtifactVersion | None:
        return await related(info, self)  # type: ignore[no-any-return]


@strawberry.type(description="A registered model: its card, tags and numbered versions.")
class Model(FromRecord):
    record: strawberry.Private[ModelRecord]
    id: strawberry.ID
    name: str
    created: datetime
    description: str | None
    license: str | None
    audience: str | None
    use_cases: str | None
    limitations: str | None
    trade_offs: str | None
    ethics: str | None

    @strawberry.field
    async def tags(self, info: Info) -> list[str]:
        return await related(info, self)  # type: ignore[no-any-return]

    @strawberry.field(description="Versions, newest first (only those in stage, if given).")
    async def versions(
        self,
        info: Info,
        first: int = DEFAULT_MODEL_VERSIONS,
        stage: Stage | None = None,  # type: ignore[valid-type]
    ) -> list[ModelVersion]:
        return await related(info, self, first=first, stage=stage)  # type: ignore[no-any-return]

    @strawberry.field
    async def latest_version(self, info: Info) -> ModelVersion | None:
        return await related(info, self)  # type: ignore[no-any-return]


@strawberry.type(description="One version of a model: what it holds, what made it, its stage.")
class ModelVersion(FromRecord):
    record: strawberry.Private[ModelVersionRecord]
    id: strawberry.ID
    number: int = strawberry.field(description="1, 2, ... in the order versions were made.")
    name: str = strawberry.field(description="Its name, such as 1.2.0; its number if unnamed.")
    stage: Stage  # type: ignore[valid-type]
    created: datetime
    description: str | None

    @strawberry.field
    async def model(self, info: Info) -> Model:
        return await related(info, self)  # type: ignore[no-any-return]

    @strawberry.field(description="Artifact versions it holds, with their kinds.")
    async def artifacts(
        self,
        info: Info,
        kind: ArtifactKind | None = None,  # type: ignore[valid-type]
    ) -> list[ModelArtifact]:
        return await related(info, self, kind=kind)  # type: ignore[no-any-return]

    @strawberry.field(description="Its newest artifact version of kind MODEL.")
    async def model_artifact(self, info: Info) -> ArtifactVersion | None:
        return await related(info, self)  # type: ignore[no-any-return]

    @strawberry.field(description="The runs that made it, newest first.")
    async def runs(self, info: Info) -> list[PipelineRun]:
        return await related(info, self)  # type: ignore[no-any-return]

    @strawberry.field(description="Every change of its stage, oldest first.")
    async def stage_history(self, info: Info) -> list[StageChangeEntry]:
        return await related(info, self)  # type: ignore[no-any-return]

    @strawberry.field
    async def tags(self, info: Info) -> list[str]:
        return await related(info, self)  # type: ignore[no-any-return]

    @strawberry.field
    async def run_metadata(self, info: Info) -> list[MetadataEntry]:
        return await related(info, self)  # type: ignore[no-any-return]


@strawberry.type(description="An artifact version a model version holds.")
class ModelArtifact(FromRecord):
    record: strawberry.Private[ModelArtifactValue]
    kind: ArtifactKind  # type: ignore[valid-type]

    @strawberry.field
    async def artifact_version(self, info: Info) -> ArtifactVersion:
        return await related(info, self)  # type: ignore[no-any-return]


@strawberry.type(name="StageChange", description="One change of a model version's stage.")
class StageChangeEntry(FromRecord):
    record: strawberry.Private[StageChange]
    from_stage: Stage  # type: ignore[valid-type]
    to_stage: Stage  # type: ignore[valid-type]
    at: datetime
    by: str | None = strawberry.field(
        description="Which token made it (a fingerprint), when the server requires tokens."
    )


@strawberry.enum
class LineageDirection(Enum):
    UPSTREAM = "UPSTREAM"
    DOWNSTREAM = "DOWNSTREAM"
    BOTH = "BOTH"


@strawberry.type
class LineageEdge(FromRecord):
    record: strawberry.Private[LineageEdgeRecord]
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
class LineageArtifactNode(FromRecord):
    record: strawberry.Private[LineageNodeValue]
    depth: int

    @strawberry.field
    async def artifact_version(self, info: Info) -> ArtifactVersion:
        return await related(info, self)  # type: ignore[no-any-return]


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
class LineageVersionNode(LineageNode, FromRecord):
    record: strawberry.Private[LineageGraphNode]
    version: str

    @strawberry.field
    async def artifact_version(self, info: Info) -> ArtifactVersion:
        return await related(info, self)  # type: ignore[no-any-return]

    @strawberry.field(
        description="Cached steps that reused this version instead of running: they are not "
        "drawn as producers; artifactVersion.reusedBy lists them."
    )
    async def reuse_count(self, info: Info) -> int:
        return await related(info, self)  # type: ignore[no-any-return]


@strawberry.type
class LineageStepNode(LineageNode, FromRecord):
    record: strawberry.Private[LineageGraphNode]
    status: Status  # type: ignore[valid-type]

    @strawberry.field
    async def step(self, info: Info) -> Step:
        return await related(info, self)  # type: ignore[no-any-return]


@strawberry.type
class Lineage(FromRecord):
    """Artifact versions and steps around a start version, with the edges to draw."""

    record: strawberry.Private[LineageValue]
    truncated: bool = strawberry.field(
        description="More lineage lies beyond the depth limit or the size bound."
    )

    @strawberry.field(description="Versions, then steps, each once; edges join them by id.")
    async def nodes(self, info: Info) -> list[LineageNode]:
        return await related(info, self)  # type: ignore[no-any-return]

    @strawberry.field
    async def edges(self, info: Info) -> list[LineageEdge]:
        return await related(info, self)  # type: ignore[no-any-return]

    @strawberry.field
    async def artifact_versions(self, info: Info) -> list[LineageArtifactNode]:
        return await related(info, self)  # type: ignore[no-any-return]

    @strawberry.field
    async def steps(self, info: Info) -> list[Step]:
        return await related(info, self)  # type: ignore[no-any-return]


@strawberry.type(description="A column in a column-lineage answer.")
class ColumnLineageNode(FromRecord):
    record: strawberry.Private[ColumnNodeValue]
    id: strawberry.ID
    depth: int = strawberry.field(description="Distance in links from the start column.")

    @strawberry.field
    async def column(self, info: Info) -> Column:
        return await related(info, self)  # type: ignore[no-any-return]


@strawberry.type(description="Data flowing from one column (source) into another (target).")
class ColumnLineageEdge(FromRecord):
    record: strawberry.Private[ColumnLink]
    source: strawberry.ID
    target: strawberry.ID
    transformation: str | None = strawberry.field(description="DIRECT or INDIRECT.")
    subtype: str | None = strawberry.field(
        description="IDENTITY, TRANSFORMATION, AGGREGATION, FILTER, JOIN, GROUP_BY, ..."
    )
    description: str | None
    masking: bool


@strawberry.type(description="Columns around a start column, with the links to draw.")
class ColumnLineage(FromRecord):
    record: strawberry.Private[ColumnLineageValue]
    truncated: bool = strawberry.field(
        description="More lineage lies beyond the depth limit or the size bound."
    )

    @strawberry.field(description="The start column first, then by distance.")
    async def nodes(self, info: Info) -> list[ColumnLineageNode]:
        return await related(info, self)  # type: ignore[no-any-return]

    @strawberry.field
    async def edges(self, info: Info) -> list[ColumnLineageEdge]:
        return await related(info, self)  # type: ignore[no-any-return]


_OBJECT_TYPES: dict[type, type[FromRecord]] = {
    PipelineRecord: Pipeline,
    PipelineVersionRecord: PipelineVersion,
    RunRecord: PipelineRun,
    StepRecord: Step,
    StepArtifactValue: StepArtifact,
    ArtifactRecord: Artifact,
    ArtifactVersionRecord: ArtifactVersion,
    VisualizationRecord: Visualization,
    MetadataRecord: MetadataEntry,
    LineageValue: Lineage,
    LineageNodeValue: LineageArtifactNode,
    LineageEdgeRecord: LineageEdge,
    ColumnRecord: Column,
    ColumnNodeValue: ColumnLineageNode,
    ColumnLink: ColumnLineageEdge,
    ColumnLineageValue: ColumnLineage,
    ModelRecord: Model,
    ModelVersionRecord: ModelVersion,
    ModelArtifactValue: ModelArtifact,
    StageChange: StageChangeEntry,
}
"""The GraphQL type of each record or read-path value."""
