"""The plain objects the read path hands between levels where no record exists: a step's
named input or output, a model version's artifact, a connection page, a lineage answer."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from lineageql.model_records import ModelArtifactKind
from lineageql.records import (
    ArtifactVersionRecord,
    ColumnLineageGraph,
    ColumnRecord,
    LineageGraph,
    StepRecord,
)


@dataclass(frozen=True, slots=True)
class StepArtifactValue:
    name: str
    artifact_version: ArtifactVersionRecord


@dataclass(frozen=True, slots=True)
class ModelArtifactValue:
    """An artifact version a model version holds, and what it is to it."""

    kind: ModelArtifactKind
    artifact_version: ArtifactVersionRecord


@dataclass(frozen=True, slots=True)
class EdgeValue:
    cursor: str
    node: Any


@dataclass(frozen=True, slots=True)
class PageInfoValue:
    has_next_page: bool
    end_cursor: str | None


@dataclass(frozen=True, slots=True)
class ConnectionValue:
    edges: list[EdgeValue]
    page_info: PageInfoValue
    total_count: int


@dataclass(frozen=True, slots=True)
class LineageNodeValue:
    depth: int
    artifact_version: ArtifactVersionRecord


@dataclass(frozen=True, slots=True)
class LineageGraphNode:
    """One of ``Lineage.nodes``: ``typename`` names its GraphQL object type."""

    typename: str
    id: str
    kind: str
    name: str
    depth: int
    version: str | None = None
    status: Any = None
    artifact_version: ArtifactVersionRecord | None = None
    step: StepRecord | None = None


@dataclass(frozen=True, slots=True)
class LineageValue:
    graph: LineageGraph
    versions: list[ArtifactVersionRecord]
    steps: list[StepRecord]


@dataclass(frozen=True, slots=True)
class ColumnNodeValue:
    """One column of a column-lineage answer, with its distance from the start."""

    id: str
    depth: int
    column: ColumnRecord


@dataclass(frozen=True, slots=True)
class ColumnLineageValue:
    graph: ColumnLineageGraph
    columns: list[ColumnRecord]
