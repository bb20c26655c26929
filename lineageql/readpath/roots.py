"""The root query fields' data access, declared once: each takes the repository and the field's
arguments under their Python names, and answers a record (or None), a connection, or a
lineage value. The schema's root resolvers and the planned executor both call these."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import datetime
from enum import Enum
from typing import Any, Protocol, TypeVar

from lineageql.arguments import one_of, stored_time
from lineageql.errors import BadInputError, NotFoundError
from lineageql.graph import Direction, LineageRepository
from lineageql.graph.listing import DEFAULT_PAGE_SIZE, IdWindow, Page, PageRequest, SortDirection
from lineageql.graph.repository import DEFAULT_LINEAGE_DEPTH
from lineageql.model_records import ModelRecord, ModelVersionRecord, parse_stage
from lineageql.readpath.fields import connections_of
from lineageql.readpath.objects import (
    ColumnLineageValue,
    ConnectionValue,
    EdgeValue,
    LineageValue,
    PageInfoValue,
)
from lineageql.records import ArtifactVersionRecord, StepRecord, column_id_for

F = TypeVar("F", covariant=True)
RootFetch = Callable[..., Awaitable[Any]]


class FilterInput(Protocol[F]):
    """A filter input object: it knows the repository filter it stands for."""

    def to_filter(self) -> F: ...


class OrderInput(Protocol):
    """An ordering input object: a sort field and a direction."""

    @property
    def field(self) -> Enum: ...

    @property
    def direction(self) -> Any: ...


def page_request(first: int, after: str | None, order: OrderInput | None) -> PageRequest:
    """The repository page a connection's ``first``, ``after`` and ``orderBy`` ask for."""
    if order is None:
        return PageRequest(first=first, after=after)
    return PageRequest(
        first=first,
        after=after,
        sort_by=order.field.value,
        direction=SortDirection(order.direction),
    )


def _connection(page: Page[Any]) -> ConnectionValue:
    edges = [
        EdgeValue(cursor=cursor, node=item)
        for cursor, item in zip(page.cursors, page.items, strict=True)
    ]
    return ConnectionValue(
        edges, PageInfoValue(page.has_next_page, page.end_cursor), page.total_count
    )


def _listing(
    read: Callable[[LineageRepository], Callable[[Any, PageRequest], Awaitable[Page[Any]]]],
) -> RootFetch:
    """A root listing: ``read(repo)`` with the filter and page the arguments give."""

    async def fetch(
        repo: LineageRepository,
        first: int = DEFAULT_PAGE_SIZE,
        after: str | None = None,
        filter: FilterInput[Any] | None = None,
        order_by: OrderInput | None = None,
    ) -> ConnectionValue:
        spec = filter.to_filter() if filter else None
        return _connection(await read(repo)(spec, page_request(first, after, order_by)))

    return fetch


pipelines = _listing(lambda repo: repo.list_pipelines)
pipeline_runs = _listing(lambda repo: repo.list_runs)
artifacts = _listing(lambda repo: repo.list_artifacts)
artifact_versions = _listing(lambda repo: repo.list_artifact_versions)


async def pipeline(repo: LineageRepository, id: str | None = None, name: str | None = None) -> Any:
    if one_of(id=id, name=name) == "id":
        return (await repo.get_pipelines([str(id)]))[0]
    return (await repo.get_pipelines_by_name([str(name)]))[0]


async def pipeline_run(
    repo: LineageRepository,
    id: str | None = None,
    name: str | None = None,
    name_prefix: str | None = None,
) -> Any:
    which = one_of(id=id, name=name, namePrefix=name_prefix)
    if which == "id":
        return (await repo.get_runs([str(id)]))[0]
    if which == "name":
        return (await repo.get_runs_by_name([str(name)]))[0]
    return await repo.find_run_by_prefix(str(name_prefix))


async def step(repo: LineageRepository, id: str) -> StepRecord | None:
    return (await repo.get_steps([str(id)]))[0]


async def cached_step(repo: LineageRepository, cache_key: str) -> StepRecord | None:
    return await repo.find_cached_step(cache_key)


async def artifact(repo: LineageRepository, id: str | None = None, name: str | None = None) -> Any:
    if one_of(id=id, name=name) == "id":
        return (await repo.get_artifacts([str(id)]))[0]
    return (await repo.get_artifacts_by_name([str(name)]))[0]


async def artifact_version(
    repo: LineageRepository,
    id: str | None = None,
    name: str | None = None,
    version: str | None = None,
    as_of: datetime | None = None,
) -> ArtifactVersionRecord | None:
    if one_of(id=id, name=name) == "id":
        if version is not None or as_of is not None:
            raise BadInputError("goes with name, not with id", "version" if version else "asOf")
        return (await repo.get_artifact_versions([str(id)]))[0]
    try:
        return await repo.find_artifact_version(str(name), version, stored_time(as_of))
    except NotFoundError:
        return None


async def _start(
    repo: LineageRepository,
    artifact_version_id: str | None,
    artifact_name: str | None,
    as_of: datetime | None,
) -> str:
    """The version a walk starts from: by id, or the artifact's version current at ``as_of``."""
    one_of(artifactVersionId=artifact_version_id, artifactName=artifact_name)
    return await repo.lineage_start(
        artifact_version_id and str(artifact_version_id), artifact_name, stored_time(as_of)
    )


def _direction(direction: Enum | None) -> Direction:
    return Direction(direction.value) if direction is not None else Direction.UPSTREAM


async def lineage(
    repo: LineageRepository,
    artifact_version_id: str | None = None,
    direction: Enum | None = None,
    depth: int = DEFAULT_LINEAGE_DEPTH,
    artifact_name: str | None = None,
    as_of: datetime | None = None,
) -> LineageValue:
    start = await _start(repo, artifact_version_id, artifact_name, as_of)
    graph = await repo.lineage(start, _direction(direction), depth)
    versions = await repo.get_artifact_versions(list(graph.artifact_depths))
    steps = await repo.get_steps(graph.step_ids)
    return LineageValue(
        graph, [v for v in versions if v is not None], [s for s in steps if s is not None]
    )


async def column_lineage(
    repo: LineageRepository,
    column: str,
    artifact_version_id: str | None = None,
    artifact_name: str | None = None,
    as_of: datetime | None = None,
    direction: Enum | None = None,
    depth: int = DEFAULT_LINEAGE_DEPTH,
) -> ColumnLineageValue:
    version_id = await _start(repo, artifact_version_id, artifact_name, as_of)
    start = column_id_for(version_id, column)
    graph = await repo.column_lineage(start, _direction(direction), depth)
    depths = graph.column_depths
    found = [c for c in await repo.get_columns(list(depths)) if c is not None]
    if not any(c.id == start for c in found):  # asked after the walk: one read fewer
        raise NotFoundError(f"artifact version {version_id!r} has no column {column!r}")
    return ColumnLineageValue(graph, sorted(found, key=lambda c: (depths[c.id], c.name, c.id)))


async def models(
    repo: LineageRepository, first: int = DEFAULT_PAGE_SIZE, after: str | None = None
) -> ConnectionValue:
    window = IdWindow.of(await repo.models.model_ids(), first, after)
    [connection] = await connections_of([window], repo.models.get_models)
    return connection


async def model(
    repo: LineageRepository, id: str | None = None, name: str | None = None
) -> ModelRecord | None:
    if one_of(id=id, name=name) == "id":
        return (await repo.models.get_models([str(id)]))[0]
    return (await repo.models.get_models_by_name([str(name)]))[0]


async def model_version(
    repo: LineageRepository,
    model: str,
    version: str | None = None,
    number: int | None = None,
    stage: Enum | None = None,
    as_of: datetime | None = None,
) -> ModelVersionRecord | None:
    return await repo.models.find_model_version(
        model,
        version=version,
        number=number,
        stage=None if stage is None else parse_stage(str(stage.value)),
        as_of=stored_time(as_of),
    )


ROOTS: dict[str, RootFetch] = {
    "pipelines": pipelines,
    "pipeline": pipeline,
    "pipelineRuns": pipeline_runs,
    "pipelineRun": pipeline_run,
    "step": step,
    "cachedStep": cached_step,
    "artifacts": artifacts,
    "artifact": artifact,
    "artifactVersions": artifact_versions,
    "artifactVersion": artifact_version,
    "lineage": lineage,
    "columnLineage": column_lineage,
    "models": models,
    "model": model,
    "modelVersion": model_version,
}
"""Root query fields by GraphQL name."""
