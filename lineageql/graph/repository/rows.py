"""Stored rows turned into records."""

from __future__ import annotations

import json
from typing import Any

from lineageql.graph.queries import JOINED_VERSION
from lineageql.graph.store import Row
from lineageql.records import (
    ArtifactRecord,
    ArtifactVersionRecord,
    ColumnLink,
    ColumnRecord,
    ExecutionStatus,
    PipelineRecord,
    PipelineVersionRecord,
    RunRecord,
    SaveType,
    StepRecord,
    Visualization,
)


def json_column(row: Row, column: str) -> Any:
    text = row.get(column)
    return json.loads(text) if text and text != "{}" else {}


# Rows read back from the store were validated when they were written, so they become
# records without validating again (pydantic validation was the largest cost of a nested
# read after the store itself); enums and nested records are built explicitly.


def pipeline_record(row: Row) -> PipelineRecord:
    return PipelineRecord.model_construct(
        id=row["id"],
        name=row["name"],
        docstring=row["docstring"],
        created=row["created"],
        namespace=row.get("namespace"),
    )


def pipeline_version_record(row: Row) -> PipelineVersionRecord:
    return PipelineVersionRecord.model_construct(
        id=row["id"],
        pipeline_id=row["pipeline_id"],
        version=int(row["version"]),
        structure_hash=row["structure_hash"],
        created=row["created"],
    )


def run_record(row: Row) -> RunRecord:
    return RunRecord.model_construct(
        id=row["id"],
        name=row["name"],
        pipeline_id=row["pipeline_id"],
        status=ExecutionStatus(row["status"]),
        created=row["created"],
        start_time=row["start_time"],
        end_time=row["end_time"],
        config=json_column(row, "config"),
        settings=json_column(row, "settings"),
        git_sha=row["git_sha"],
        docstring=row["docstring"],
        pipeline_version_id=row["pipeline_version_id"],
    )


def step_record(row: Row) -> StepRecord:
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
        parameters=json_column(row, "parameters"),
        settings=json_column(row, "settings"),
        docstring=row["docstring"],
        error_message=row["error_message"],
        source_hash=row["source_hash"],
    )


def artifact_record(row: Row) -> ArtifactRecord:
    return ArtifactRecord.model_construct(
        id=row["id"],
        name=row["name"],
        created=row["created"],
        namespace=row.get("namespace"),
        source_name=row.get("source_name"),
    )


def version_record(row: Row) -> ArtifactVersionRecord:
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


def joined(row: Row, prefix: str) -> Row:
    """The columns a row carries under ``prefix`` beside others (a joined record's), without
    the prefix."""
    start = len(prefix)
    return {key[start:]: value for key, value in row.items() if key.startswith(prefix)}


def joined_versions(rows: list[Row]) -> dict[str, ArtifactVersionRecord]:
    """The artifact versions rows carry beside other columns (``queries.JOINED_VERSION``),
    by id."""
    found: dict[str, ArtifactVersionRecord] = {}
    for row in rows:
        version_id = row[f"{JOINED_VERSION}id"]
        if version_id not in found:
            found[version_id] = version_record(joined(row, JOINED_VERSION))
    return found


def column_record(row: Row) -> ColumnRecord:
    return ColumnRecord.model_construct(
        id=row["id"],
        version_id=row["version_id"],
        name=row["name"],
        type=row["type"],
        description=row["description"],
        position=int(row["position"]),
    )


def column_link(row: Row) -> ColumnLink:
    return ColumnLink.model_construct(
        column_id=row["column_id"],
        source_id=row["source_id"],
        transformation=row["transformation"],
        subtype=row["subtype"],
        description=row["description"],
        masking=bool(row["masking"]),
    )
