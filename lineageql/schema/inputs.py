"""Filter and ordering input objects, and their translation into repository filters."""

from __future__ import annotations

from datetime import datetime
from enum import Enum

import strawberry
from strawberry.scalars import JSON

from lineageql.arguments import stored_time
from lineageql.graph.listing import (
    ArtifactFilter,
    Comparison,
    MetadataCondition,
    PipelineFilter,
    RunFilter,
    SortDirection,
    VersionFilter,
)
from lineageql.schema.types import Status

MetadataComparison = strawberry.enum(Comparison, name="MetadataComparison")
OrderDirection = strawberry.enum(SortDirection, name="OrderDirection")


@strawberry.enum
class RunSortField(Enum):
    CREATED = "created"
    NAME = "name"
    START_TIME = "start_time"
    END_TIME = "end_time"
    STATUS = "status"


@strawberry.enum
class NameSortField(Enum):
    CREATED = "created"
    NAME = "name"


@strawberry.input
class RunOrder:
    field: RunSortField = RunSortField.CREATED
    direction: OrderDirection = SortDirection.DESC  # type: ignore[valid-type]


@strawberry.input
class NameOrder:
    field: NameSortField = NameSortField.CREATED
    direction: OrderDirection = SortDirection.DESC  # type: ignore[valid-type]


@strawberry.input(description="Keep rows whose metadata entry `key` compares true with `value`.")
class MetadataFilter:
    key: str
    op: MetadataComparison = Comparison.EQ  # type: ignore[valid-type]
    value: JSON

    def condition(self) -> MetadataCondition:
        return MetadataCondition(key=self.key, op=Comparison(self.op), value=self.value)


@strawberry.input
class PipelineFilterInput:
    name: str | None = None
    name_contains: str | None = None
    name_starts_with: str | None = None
    namespace: str | None = strawberry.field(
        default=None, description="An OpenLineage namespace ('default': the SDK's pipelines)."
    )

    def to_filter(self) -> PipelineFilter:
        return PipelineFilter(
            name=self.name,
            name_contains=self.name_contains,
            name_starts_with=self.name_starts_with,
            namespace=self.namespace,
        )


@strawberry.input
class PipelineRunFilter:
    pipeline_name: str | None = None
    pipeline_id: strawberry.ID | None = None
    status: list[Status] | None = None  # type: ignore[valid-type]
    tag: str | None = None
    name: str | None = None
    name_contains: str | None = None
    name_starts_with: str | None = None
    created_after: datetime | None = None
    created_before: datetime | None = None
    metadata: list[MetadataFilter] | None = None
    step_name_contains: str | None = strawberry.field(
        default=None, description="Runs with a step whose name holds this text."
    )

    def to_filter(self) -> RunFilter:
        return RunFilter(
            pipeline_names=[self.pipeline_name] if self.pipeline_name is not None else None,
            pipeline_ids=[str(self.pipeline_id)] if self.pipeline_id is not None else None,
            statuses=list(self.status) if self.status else None,
            tags=[self.tag] if self.tag is not None else None,
            name=self.name,
            name_contains=self.name_contains,
            name_starts_with=self.name_starts_with,
            created_after=stored_time(self.created_after),
            created_before=stored_time(self.created_before),
            metadata=[m.condition() for m in self.metadata or []],
            step_name_contains=self.step_name_contains,
        )


@strawberry.input
class ArtifactFilterInput:
    name: str | None = None
    name_contains: str | None = None
    name_starts_with: str | None = None
    tag: str | None = None
    namespace: str | None = strawberry.field(
        default=None, description="An OpenLineage namespace ('default': the SDK's artifacts)."
    )

    def to_filter(self) -> ArtifactFilter:
        return ArtifactFilter(
            name=self.name,
            name_contains=self.name_contains,
            name_starts_with=self.name_starts_with,
            tags=[self.tag] if self.tag is not None else None,
            namespace=self.namespace,
        )


@strawberry.input
class ArtifactVersionFilter:
    artifact_name: str | None = None
    version: str | None = None
    type: str | None = None
    tag: str | None = None
    created_after: datetime | None = None
    created_before: datetime | None = None
    metadata: list[MetadataFilter] | None = None
    only_unused: bool = False

    def to_filter(self) -> VersionFilter:
        return VersionFilter(
            artifact_names=[self.artifact_name] if self.artifact_name is not None else None,
            version=self.version,
            types=[self.type] if self.type is not None else None,
            tags=[self.tag] if self.tag is not None else None,
            created_after=stored_time(self.created_after),
            created_before=stored_time(self.created_before),
            metadata=[m.condition() for m in self.metadata or []],
            only_unused=self.only_unused,
        )
