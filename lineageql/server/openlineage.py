"""``POST /api/v1/lineage``: OpenLineage events in, on the path Marquez serves them, so
``openlineage-python``'s HttpTransport (and Airflow, Spark, dbt, Flink through it) can send
to lineageql unchanged. Each event is stored whole (see ``lineageql.graph.repository.ingest``)
in a transaction it shares with the events that arrived beside it; a JobEvent or
DatasetEvent in one of its own. A bad event is answered 400 and stores nothing."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence

from openlineage.client.event_v2 import RunEvent
from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from lineageql.errors import LineageError, UnauthenticatedError, UnsupportedMediaTypeError
from lineageql.graph import LineageRepository
from lineageql.openlineage import change_of, declaration_of, parse_event
from lineageql.records import DatasetDeclaration, JobDeclaration, RunEventChange
from lineageql.server.batching import GroupCommit
from lineageql.server.responses import error_response

PATH = "/api/v1/lineage"
JSON_TYPES = ("application/json",)
"""Content types accepted: what openlineage-python and the Java client send. A browser page
on another site can post ``text/plain`` or a form without asking (no CORS preflight), so
those are refused before the body is read."""


def lineage_endpoint(
    repo: Callable[[], LineageRepository], may_write: Callable[[Request], bool]
) -> Callable[[Request], Awaitable[Response]]:
    """The route handler over the server's repository and token check. Events that arrive
    together are stored together (``batching.GroupCommit``)."""

    async def write_many(changes: Sequence[RunEventChange]) -> None:
        await repo().record_run_events(changes)

    writes = GroupCommit(write_many)

    async def receive(request: Request) -> Response:
        try:
            if not may_write(request):
                raise UnauthenticatedError(
                    "OpenLineage events are writes: send 'Authorization: Bearer <token>' with "
                    "the server's LINEAGEQL_API_TOKEN (openlineage-python: an api_key auth)"
                )
            media_type = request.headers.get("content-type", "").partition(";")[0].strip()
            if media_type.lower() not in JSON_TYPES:
                sent = media_type or "no Content-Type"
                raise UnsupportedMediaTypeError(
                    f"send OpenLineage events as application/json, not {sent}"
                )
            event = parse_event(await request.body())
            if isinstance(event, RunEvent):
                change = change_of(event)
                await writes.write(change)
                answer = {"pipelineRunId": change.run_id, "stepId": change.step_id}
            else:
                answer = await declare(repo(), declaration_of(event))
        except LineageError as error:
            return error_response(error)
        return JSONResponse(answer, status_code=201)

    return receive


async def declare(
    repo: LineageRepository, declaration: JobDeclaration | DatasetDeclaration
) -> dict[str, str]:
    """Store what a JobEvent or DatasetEvent declares; the answer names what it stored."""
    if isinstance(declaration, JobDeclaration):
        await repo.declare_job(declaration)
        return {"job": declaration.pipeline_name}
    await repo.declare_dataset(declaration)
    return {"dataset": declaration.dataset.name}
