"""The lineage graph as the API answers it: nodes with depths, edges between their ids."""

from __future__ import annotations

import strawberry

from lineageql.records import ArtifactVersionRecord, LineageGraph, StepRecord
from lineageql.schema.types import (
    ArtifactVersion,
    Lineage,
    LineageArtifactNode,
    LineageEdge,
    LineageNode,
    LineageNodeKind,
    LineageStepNode,
    LineageVersionNode,
    Step,
)


def lineage_of(
    graph: LineageGraph, versions: list[ArtifactVersionRecord], steps: list[StepRecord]
) -> Lineage:
    """The ``Lineage`` answer for a walk and the records of the nodes it reached."""
    version_objects = [ArtifactVersion.of(v) for v in versions]
    step_objects = [Step.of(s) for s in steps]
    nodes: list[LineageNode] = [
        LineageVersionNode(
            id=obj.id,
            kind=LineageNodeKind.ARTIFACT_VERSION,
            name=obj.name,
            depth=graph.artifact_depths[obj.id],
            version=obj.version,
            artifact_version=obj,
        )
        for obj in version_objects
    ]
    nodes += [
        LineageStepNode(
            id=obj.id,
            kind=LineageNodeKind.STEP,
            name=obj.name,
            depth=graph.step_depths[obj.id],
            status=obj.status,
            step=obj,
        )
        for obj in step_objects
    ]
    return Lineage(
        nodes=nodes,
        edges=[
            LineageEdge(
                kind=e.kind,
                step_id=strawberry.ID(e.step_id),
                artifact_version_id=strawberry.ID(e.artifact_version_id),
                name=e.name,
                source=strawberry.ID(e.step_id if e.kind == "PRODUCED" else e.artifact_version_id),
                target=strawberry.ID(e.artifact_version_id if e.kind == "PRODUCED" else e.step_id),
            )
            for e in graph.edges
        ],
        artifact_versions=[
            LineageArtifactNode(depth=graph.artifact_depths[obj.id], artifact_version=obj)
            for obj in version_objects
        ],
        steps=step_objects,
        truncated=graph.truncated,
    )
