"""OpenLineage events read from a request body and checked with openlineage-python's own
event classes (the events they build are what the rest of lineageql reads): RunEvents, and
the static JobEvents (a job's declared inputs and outputs) and DatasetEvents (a dataset's
facets), told apart by what they carry, as Marquez does.
"""

from __future__ import annotations

from typing import Any

import attr
import orjson
from openlineage.client.event_v2 import (
    DatasetEvent,
    InputDataset,
    Job,
    JobEvent,
    OutputDataset,
    Run,
    RunEvent,
    StaticDataset,
)
from openlineage.client.generated.base import EventType

from lineageql.errors import BadInputError

EVENT_TYPES = ", ".join(kind.value for kind in EventType)


def parse_event(body: bytes) -> RunEvent | JobEvent | DatasetEvent:
    """The event in ``body``: a RunEvent (it has ``run``), a DatasetEvent (``dataset``) or a
    JobEvent (``job`` without ``run``); or a BadInputError naming the first thing wrong."""
    event = _body(body)
    if "run" in event:
        return _run_event(event)
    if "dataset" in event:
        return DatasetEvent(
            eventTime=_event_time(event),
            producer=_text(event.get("producer", ""), "producer", required=False),
            dataset=StaticDataset(
                **_dataset_fields(_object(event["dataset"], "dataset"), "dataset")
            ),
        )
    if "job" in event:
        return JobEvent(
            eventTime=_event_time(event),
            producer=_text(event.get("producer", ""), "producer", required=False),
            job=_job(event["job"], "job"),
            inputs=[_input(item, f"inputs[{i}]") for i, item in enumerate(_list(event, "inputs"))],
            outputs=[
                _output(item, f"outputs[{i}]") for i, item in enumerate(_list(event, "outputs"))
            ],
        )
    raise BadInputError("is required (or dataset, for a DatasetEvent; job, for a JobEvent)", "run")


def parse_run_event(body: bytes) -> RunEvent:
    """The RunEvent in ``body``, or a BadInputError naming the first thing wrong."""
    event = _body(body)
    if "run" not in event:
        raise BadInputError("is required", "run")
    return _run_event(event)


def _body(body: bytes) -> dict[str, Any]:
    try:
        data = orjson.loads(body)
    except orjson.JSONDecodeError as error:
        raise BadInputError(f"the body is not JSON: {error}") from error
    return _object(data, "event")


def _run_event(event: dict[str, Any]) -> RunEvent:
    return RunEvent(
        eventTime=_event_time(event),
        producer=_text(event.get("producer", ""), "producer", required=False),
        run=_run(event["run"], "run"),
        job=_job(event.get("job"), "job"),
        eventType=_event_type(event.get("eventType")),
        inputs=[_input(item, f"inputs[{i}]") for i, item in enumerate(_list(event, "inputs"))],
        outputs=[_output(item, f"outputs[{i}]") for i, item in enumerate(_list(event, "outputs"))],
    )


def _event_time(event: dict[str, Any]) -> str:
    value = _text(event.get("eventTime"), "eventTime")
    field = attr.fields(RunEvent).eventTime
    try:
        # The event class's own check (ISO 8601, with a time of day), named here.
        field.validator(None, field, value)  # type: ignore[misc]
    except (ValueError, OverflowError) as error:
        raise BadInputError(f"is not an ISO 8601 date-time: {value!r}", "eventTime") from error
    return value


def _event_type(value: Any) -> EventType | None:
    """The event's type; None when the event leaves it out (the spec allows that: such an
    event only adds what it carries, like OTHER)."""
    if value is None:
        return None
    try:
        return EventType(value)
    except ValueError as error:
        raise BadInputError(f"{value!r} is not one of {EVENT_TYPES}", "eventType") from error


def _run(value: Any, where: str) -> Run:
    run = _object(value, where)
    run_id = _text(run.get("runId"), f"{where}.runId")
    try:
        return Run(runId=run_id, facets=_facets(run, f"{where}.facets"))
    except ValueError as error:
        raise BadInputError(f"must be a UUID, got {run_id!r}", f"{where}.runId") from error


def _job(value: Any, where: str) -> Job:
    job = _object(value, where)
    return Job(
        namespace=_text(job.get("namespace"), f"{where}.namespace"),
        name=_text(job.get("name"), f"{where}.name"),
        facets=_facets(job, f"{where}.facets"),
    )


def _input(value: Any, where: str) -> InputDataset:
    dataset = _object(value, where)
    return InputDataset(
        **_dataset_fields(dataset, where),
        inputFacets=_facets(dataset, f"{where}.inputFacets", "inputFacets"),
    )


def _output(value: Any, where: str) -> OutputDataset:
    dataset = _object(value, where)
    return OutputDataset(
        **_dataset_fields(dataset, where),
        outputFacets=_facets(dataset, f"{where}.outputFacets", "outputFacets"),
    )


def _dataset_fields(dataset: dict[str, Any], where: str) -> dict[str, Any]:
    """What input and output datasets share: namespace, name and dataset facets."""
    return {
        "namespace": _text(dataset.get("namespace"), f"{where}.namespace"),
        "name": _text(dataset.get("name"), f"{where}.name"),
        "facets": _facets(dataset, f"{where}.facets"),
    }


def _facets(owner: dict[str, Any], where: str, key: str = "facets") -> dict[str, Any]:
    facets = owner.get(key)
    if facets is None:
        return {}
    found = _object(facets, where)
    for name, facet in found.items():
        _object(facet, f"{where}.{name}")
    return found


def _object(value: Any, where: str) -> dict[str, Any]:
    if not isinstance(value, dict):
        got = "nothing" if value is None else type(value).__name__
        raise BadInputError(f"must be a JSON object, got {got}", where)
    return value


def _list(event: dict[str, Any], key: str) -> list[Any]:
    value = event.get(key)
    if value is None:
        return []
    if not isinstance(value, list):
        raise BadInputError(f"must be a list, got {type(value).__name__}", key)
    return value


def _text(value: Any, where: str, *, required: bool = True) -> str:
    if value is None and required:
        raise BadInputError("is required", where)
    if not isinstance(value, str) or (required and not value.strip()):
        raise BadInputError(f"must be a non-empty string, got {value!r}", where)
    return value
