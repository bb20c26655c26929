"""How an OpenLineage RunEvent lands in the lineage graph (the contract the README states).

- A run with a ``parent`` run facet is a step of its parent's pipeline run: the pipeline run's
  id is the parent's runId, the pipeline is the parent job's name, the step is named after the
  child job and its id is the child's runId.
- A run without a parent is a pipeline run of its own (id = runId, pipeline = job name); its
  own events report the run's status, and those that carry datasets make one step named
  after the job, standing for the run (so a parent whose children are its steps has none).
- A job run again under the same parent gets a step of its own (``job#2``, ...).
- Datasets are artifacts named ``<namespace>/<name>``. A dataset's ``schema`` facet gives the
  version it makes its columns; an output's ``columnLineage`` facet links each of its columns
  to the input columns it came from, with the transformations the facet names.
- START and RUNNING mean running, COMPLETE completed, FAIL and ABORT failed (the
  ``errorMessage`` facet becomes the step's error); OTHER, or no eventType, only adds facets.
- A JobEvent declares a job's inputs and outputs: the pipeline named after the job gets them
  (replacing what it declared before) as ``declaredInputs`` / ``declaredOutputs``. A
  DatasetEvent's facets (and schema columns) go on the dataset's latest version, or on a new
  external version when it has none.
- Facets are kept as metadata, one entry per facet named after it: run facets on the step
  (on the pipeline run for a run without a parent), job facets on the step (on the pipeline
  run when no step stands for it), dataset facets on the artifact version the event creates.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from typing import Any

from dateutil import parser as dates
from openlineage.client.event_v2 import (
    DatasetEvent,
    InputDataset,
    JobEvent,
    OutputDataset,
    RunEvent,
    StaticDataset,
)
from openlineage.client.generated.base import EventType

from lineageql.errors import BadInputError
from lineageql.records import (
    ColumnSource,
    DatasetChange,
    DatasetDeclaration,
    ExecutionStatus,
    JobDeclaration,
    NewColumn,
    RunEventChange,
    format_time,
)

_STATUS = {
    EventType.START: ExecutionStatus.RUNNING,
    EventType.RUNNING: ExecutionStatus.RUNNING,
    EventType.COMPLETE: ExecutionStatus.COMPLETED,
    EventType.FAIL: ExecutionStatus.FAILED,
    EventType.ABORT: ExecutionStatus.FAILED,
    EventType.OTHER: None,
}
_RUN_STEPS = uuid.UUID("0b9e4f3e-51c4-4d8e-9c57-2f1f6a3c8d11")
"""The namespace of the ids of steps that stand for a run (uuid5 of the run's id)."""


def run_step_id(run_id: str) -> str:
    """The id of the step standing for the run ``run_id``."""
    return str(uuid.uuid5(_RUN_STEPS, run_id.lower()))


def change_of(event: RunEvent) -> RunEventChange:
    """The graph changes one RunEvent asks for."""
    run_id = event.run.runId.lower()
    run_facets: dict[str, Any] = dict(event.run.facets or {})
    parent = run_facets.pop("parent", None)
    error = run_facets.get("errorMessage")
    if parent is not None:
        parent_run_id, pipeline_namespace, pipeline_name = _parent(parent)
        pipeline_run_id, step_id = parent_run_id, run_id
        run_metadata: dict[str, Any] = {}
        step_metadata = {**run_facets, **(event.job.facets or {})}
    else:
        pipeline_run_id, step_id = run_id, run_step_id(run_id)
        pipeline_namespace, pipeline_name = event.job.namespace, event.job.name
        run_metadata = run_facets
        step_metadata = dict(event.job.facets or {})
    return RunEventChange(
        pipeline_name=pipeline_name,
        pipeline_namespace=pipeline_namespace,
        run_id=pipeline_run_id,
        run_name=pipeline_run_id,
        step_id=step_id,
        step_name=event.job.name,
        run_step_id=run_step_id(pipeline_run_id),
        event_time=_stored_time(event.eventTime),
        status=_STATUS[event.eventType] if event.eventType is not None else None,
        error_message=_error_message(error),
        run_metadata=run_metadata,
        step_metadata=step_metadata,
        inputs=[_dataset(d, d.inputFacets) for d in event.inputs or []],
        outputs=[_dataset(d, d.outputFacets) for d in event.outputs or []],
    )


def _parent(facet: Mapping[str, Any]) -> tuple[str, str | None, str]:
    """The parent's run id, job namespace and job name."""
    run, job = facet.get("run"), facet.get("job")
    run_id = run.get("runId") if isinstance(run, dict) else None
    name = job.get("name") if isinstance(job, dict) else None
    namespace = job.get("namespace") if isinstance(job, dict) else None
    if not isinstance(run_id, str) or not isinstance(name, str) or not name.strip():
        raise BadInputError(
            "needs run.runId and job.name (the parent run and its job)", "run.facets.parent"
        )
    try:
        return str(uuid.UUID(run_id)), namespace if isinstance(namespace, str) else None, name
    except ValueError as error:
        raise BadInputError(
            f"must be a UUID, got {run_id!r}", "run.facets.parent.run.runId"
        ) from error


def _error_message(facet: Any) -> str | None:
    if isinstance(facet, dict) and isinstance(facet.get("message"), str):
        return str(facet["message"])
    return None


def _stored_time(text: str) -> str:
    return format_time(dates.isoparse(text))


def declaration_of(event: JobEvent | DatasetEvent) -> JobDeclaration | DatasetDeclaration:
    """What a static event declares: a job's inputs and outputs, or a dataset's facets."""
    if isinstance(event, DatasetEvent):
        return DatasetDeclaration(dataset=_dataset(event.dataset, None))
    return JobDeclaration(
        pipeline_name=event.job.name,
        pipeline_namespace=event.job.namespace,
        inputs=[_dataset(d, d.inputFacets) for d in event.inputs or []],
        outputs=[_dataset(d, d.outputFacets) for d in event.outputs or []],
    )


def _dataset(
    dataset: InputDataset | OutputDataset | StaticDataset, own_facets: Mapping[str, Any] | None
) -> DatasetChange:
    name = f"{dataset.namespace}/{dataset.name}"
    facets = {**(dataset.facets or {}), **(own_facets or {})}
    try:
        listed = _schema_columns(facets.get("schema"))
        sources = _column_sources(facets.get("columnLineage"), listed)
        named = {column.name for column in listed}
        columns = listed + [NewColumn(name=field) for field in sources if field not in named]
        return DatasetChange(
            name=name,
            uri=name,
            namespace=dataset.namespace,
            source_name=dataset.name,
            metadata=facets,
            columns=columns,
            column_sources=sources,
        )
    except BadInputError as error:
        raise BadInputError(f"dataset {name[:100]!r} {error.message}") from error


def _schema_columns(facet: Any) -> list[NewColumn]:
    """The top-level fields of a ``schema`` facet as columns (none for another shape)."""
    fields = facet.get("fields") if isinstance(facet, dict) else None
    if not isinstance(fields, list):
        return []
    columns: dict[str, NewColumn] = {}
    for field in fields:
        if isinstance(field, dict) and isinstance(field.get("name"), str):
            columns.setdefault(
                field["name"],
                NewColumn(
                    name=field["name"],
                    type=_text_or_none(field.get("type")),
                    description=_text_or_none(field.get("description")),
                ),
            )
    return list(columns.values())


def _column_sources(facet: Any, listed: list[NewColumn]) -> dict[str, list[ColumnSource]]:
    """Each output column's sources from a ``columnLineage`` facet: one per input field and
    transformation (the older ``transformationType`` form too); the facet's ``dataset``
    fields (those that shape the whole output, a filter or a join key) are sources of every
    column. None for another shape."""
    if not isinstance(facet, dict):
        return {}
    given, whole = facet.get("fields"), facet.get("dataset")
    fields: dict[Any, Any] = given if isinstance(given, dict) else {}
    whole = whole if isinstance(whole, list) else []
    sources: dict[str, list[ColumnSource]] = {}
    for column, lineage in fields.items():
        inputs = lineage.get("inputFields") if isinstance(lineage, dict) else None
        if isinstance(column, str) and isinstance(inputs, list):
            sources[column] = _sources(inputs, lineage)
    if whole:
        shared = _sources(whole, {})
        for column in dict.fromkeys([*(c.name for c in listed), *sources]):
            sources.setdefault(column, []).extend(shared)
    return sources


def _sources(inputs: list[Any], lineage: dict[str, Any]) -> list[ColumnSource]:
    """Input fields as sources, one per transformation each names (or the field-level
    ``transformationType`` of the older form)."""
    found: list[ColumnSource] = []
    for source in inputs:
        if not isinstance(source, dict) or not all(
            isinstance(source.get(key), str) for key in ("namespace", "name", "field")
        ):
            continue
        given = source.get("transformations")
        transformations = (
            [t for t in given if isinstance(t, dict)]
            if isinstance(given, list) and given
            else [
                {
                    "type": lineage.get("transformationType"),
                    "description": lineage.get("transformationDescription"),
                }
            ]
        )
        found.extend(
            ColumnSource(
                dataset=f"{source['namespace']}/{source['name']}",
                field=source["field"],
                transformation=_text_or_none(t.get("type")),
                subtype=_text_or_none(t.get("subtype")),
                description=_text_or_none(t.get("description")),
                masking=t.get("masking") is True,
            )
            for t in transformations
        )
    return found


def _text_or_none(value: Any) -> str | None:
    return value if isinstance(value, str) else None
