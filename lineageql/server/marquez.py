"""Marquez-compatible reads under ``/api/v1``, in the shapes of Marquez's published OpenAPI
spec, so scripts and tools built for Marquez read lineage from lineageql: namespaces, their
jobs and datasets, a job's runs, and the lineage and column-lineage graphs
(``{graph: [{id, type, data, inEdges, outEdges}]}``, node ids ``dataset:NS:NAME``,
``job:NS:NAME``, ``datasetField:NS:DATASET:FIELD``). Here are the routes and the walks;
what a job, a dataset and a run are to Marquez, and their shapes, are in ``marquez_shapes``.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from lineageql.errors import BadInputError, LineageError, NotFoundError, UnauthenticatedError
from lineageql.graph import Direction, LineageRepository, NodeKind
from lineageql.graph.repository import MAX_LINEAGE_DEPTH, MAX_LINEAGE_NODES
from lineageql.graph.repository.job_graph import JobKey, JobLinks
from lineageql.records import ColumnLink, RunRecord, StepRecord, column_id_for
from lineageql.server import marquez_shapes as shapes
from lineageql.server.responses import error_response

DEFAULT_DEPTH = 20


def marquez_routes(
    repo: Callable[[], LineageRepository], may_read: Callable[[Request], bool]
) -> list[Route]:
    """The read routes, each over the server's repository and read-token check."""

    def route(path: str, answer: Callable[[LineageRepository, Request], Awaitable[Any]]) -> Route:
        async def endpoint(request: Request) -> Response:
            try:
                if not may_read(request):
                    raise UnauthenticatedError("send 'Authorization: Bearer <token>' to read")
                return JSONResponse(await answer(repo(), request))
            except LineageError as error:
                return error_response(error)

        return Route(path, endpoint, methods=["GET"])

    # Namespaces and dataset names hold slashes: the more specific paths come first.
    return [
        route("/api/v1/namespaces", _namespaces),
        route("/api/v1/namespaces/{namespace:path}/jobs", _jobs),
        route("/api/v1/namespaces/{namespace:path}/datasets", _datasets),
        route("/api/v1/namespaces/{namespace:path}/jobs/{job}/runs", _job_runs),
        route("/api/v1/namespaces/{namespace:path}/jobs/{job}", _one_job),
        route(
            "/api/v1/namespaces/{namespace:path}/datasets/{dataset:path}/versions",
            _dataset_versions,
        ),
        route("/api/v1/namespaces/{namespace:path}/datasets/{dataset:path}", _one_dataset),
        route("/api/v1/namespaces/{namespace:path}", _one_namespace),
        route("/api/v1/jobs/runs/{id}", _one_run),
        route("/api/v1/lineage", _lineage),
        route("/api/v1/column-lineage", _column_lineage),
    ]


# -- the listings ------------------------------------------------------------------------


async def _namespaces(repo: LineageRepository, request: Request) -> dict[str, Any]:
    return {
        "namespaces": [
            shapes.namespace_shape(name, created) for name, created in await repo.namespaces()
        ]
    }


async def _one_namespace(repo: LineageRepository, request: Request) -> dict[str, Any]:
    wanted = request.path_params["namespace"]
    for name, created in await repo.namespaces():
        if name == wanted:
            return shapes.namespace_shape(name, created)
    raise NotFoundError(f"no namespace {wanted!r}")


async def _jobs(repo: LineageRepository, request: Request) -> dict[str, Any]:
    namespace = request.path_params["namespace"]
    pipelines = await repo.pipelines_in(namespace)
    links = JobLinks()
    await repo.job_links([p.id for p in pipelines], links)
    by_id = {p.id: p for p in pipelines}
    datasets = await shapes.datasets_by_id(
        repo, {a for found in (*links.reads.values(), *links.writes.values()) for a in found}
    )
    latest = await shapes.latest_runs(repo, pipelines)
    keys = [shapes.own_job(p) for p in pipelines]
    keys += [
        job
        for job in await repo.jobs_of(list(by_id))
        if job != shapes.own_job(by_id[job.pipeline_id])
    ]
    jobs = [shapes.job_shape(job, by_id[job.pipeline_id], links, datasets, latest) for job in keys]
    return {"jobs": jobs, "totalCount": len(jobs)}


async def _one_job(repo: LineageRepository, request: Request) -> dict[str, Any]:
    pipeline, job = await shapes.find_job(
        repo, request.path_params["namespace"], request.path_params["job"]
    )
    links = JobLinks()
    await repo.job_links([pipeline.id], links)
    datasets = await shapes.datasets_by_id(repo, _datasets_of(links, job))
    return shapes.job_shape(
        job, pipeline, links, datasets, await shapes.latest_runs(repo, [pipeline])
    )


async def _datasets(repo: LineageRepository, request: Request) -> dict[str, Any]:
    artifacts = await repo.artifacts_in(request.path_params["namespace"])
    shown = await shapes.datasets_shown(repo, artifacts)
    return {"datasets": shown, "totalCount": len(shown)}


async def _one_dataset(repo: LineageRepository, request: Request) -> dict[str, Any]:
    namespace, name = request.path_params["namespace"], request.path_params["dataset"]
    [shown] = await shapes.datasets_shown(repo, [await shapes.find_dataset(repo, namespace, name)])
    return shown


async def _dataset_versions(repo: LineageRepository, request: Request) -> dict[str, Any]:
    """A page of the dataset's versions, newest first (``limit``, default 100; ``offset``),
    each with the run (the step) that wrote it."""
    namespace, name = request.path_params["namespace"], request.path_params["dataset"]
    artifact = await shapes.find_dataset(repo, namespace, name)
    limit, offset = _whole(request, "limit", 100, 1, 1000), _whole(request, "offset", 0, 0, None)
    [every] = await repo.version_ids_of_artifacts([artifact.id])
    page = every[offset : offset + limit]
    versions = [v for v in await repo.get_artifact_versions(page) if v is not None]
    described = await shapes.describe_versions(repo, page)
    producers = [group[0] if group else None for group in await repo.producers_of(page)]
    made_by = await shapes.runs_of_steps(repo, [p for p in producers if p is not None])
    [tags] = await repo.tags_of(NodeKind.ARTIFACT, [artifact.id])
    namespace, name = shapes.dataset_id(artifact)
    shown = []
    for version, producer in zip(versions, producers, strict=True):
        run = made_by.get(producer) if producer is not None else None
        shown.append(
            {
                "id": {"namespace": namespace, "name": name, "version": version.id},
                **shapes.dataset_names(namespace, name),
                **described[version.id],
                "createdAt": version.created,
                "version": version.id,
                "tags": tags,
                "createdByRun": shapes.run_shape(run) if run is not None else None,
            }
        )
    return {"versions": shown, "totalCount": len(every)}


async def _one_run(repo: LineageRepository, request: Request) -> dict[str, Any]:
    """A run by id: a pipeline run (a parent job's run) or a step (a run of a step's job)."""
    run_id = request.path_params["id"]
    [run] = await repo.get_runs([run_id])
    found: RunRecord | StepRecord | None = run
    if found is None:
        [found] = await repo.get_steps([run_id])
    if found is None:
        raise NotFoundError(f"no run {run_id!r}")
    return shapes.run_shape(found)


async def _job_runs(repo: LineageRepository, request: Request) -> dict[str, Any]:
    namespace, name = request.path_params["namespace"], request.path_params["job"]
    pipeline, job = await shapes.find_job(repo, namespace, name)
    if job == shapes.own_job(pipeline):
        page = await repo.run_pages([pipeline.id], 100, None, [])
        runs: list[RunRecord | StepRecord] = [
            r for r in await repo.get_runs(page[0].shown) if r is not None
        ]
    else:
        runs = list(await repo.steps_of_job(job.pipeline_id, job.step_name))
    return {"runs": [shapes.run_shape(run) for run in runs], "totalCount": len(runs)}


# -- lineage -----------------------------------------------------------------------------


async def _lineage(repo: LineageRepository, request: Request) -> dict[str, Any]:
    """The jobs and datasets within ``depth`` hops of the node, with the edges data flows
    along (dataset to the job reading it, job to the dataset it writes)."""
    node_id, depth = _required(request, "nodeId"), _depth(request)
    kind, _, rest = node_id.partition(":")
    namespace, _, name = rest.rpartition(":")
    datasets: set[str] = set()
    jobs: set[JobKey] = set()
    if kind == "dataset" and namespace:
        datasets.add((await shapes.find_dataset(repo, namespace, name)).id)
    elif kind == "job" and namespace:
        jobs.add((await shapes.find_job(repo, namespace, name))[1])
    else:
        raise BadInputError(
            f"{node_id!r} is not dataset:NAMESPACE:NAME or job:NAMESPACE:NAME", "nodeId"
        )
    links = await _walk(repo, datasets, jobs, depth)
    return {"graph": await _graph(repo, datasets, jobs, links)}


async def _walk(
    repo: LineageRepository, datasets: set[str], jobs: set[JobKey], depth: int
) -> JobLinks:
    """Grow ``datasets`` and ``jobs`` breadth-first for ``depth`` hops (or MAX_LINEAGE_NODES
    nodes); the links read on the way, every reached job's included."""
    links = JobLinks()
    new_datasets, new_jobs = set(datasets), set(jobs)
    for _ in range(depth):
        if not new_datasets and not new_jobs:
            break
        await repo.dataset_links(sorted(new_datasets), links)
        await repo.job_links(sorted({job.pipeline_id for job in new_jobs}), links)
        touching = {
            job
            for found in (links.reads, links.writes)
            for job, ids in found.items()
            if ids & new_datasets
        }
        reached = {i for job in new_jobs for i in _datasets_of(links, job)}
        new_datasets, new_jobs = reached - datasets, touching - jobs
        datasets |= new_datasets
        jobs |= new_jobs
        if len(datasets) + len(jobs) > MAX_LINEAGE_NODES:
            break
    await repo.job_links(sorted({job.pipeline_id for job in jobs}), links)
    return links


def _datasets_of(links: JobLinks, job: JobKey) -> set[str]:
    return links.reads.get(job, set()) | links.writes.get(job, set())


async def _graph(
    repo: LineageRepository, datasets: set[str], jobs: set[JobKey], links: JobLinks
) -> list[dict[str, Any]]:
    pipeline_ids = sorted({job.pipeline_id for job in jobs})
    pipelines = {p.id: p for p in await repo.get_pipelines(pipeline_ids) if p is not None}
    every = datasets.union(*(_datasets_of(links, job) for job in jobs))
    known = await shapes.datasets_by_id(repo, every)
    latest = await shapes.latest_runs(repo, list(pipelines.values()))
    nodes: dict[str, dict[str, Any]] = {}
    artifacts = [known[dataset_id] for dataset_id in sorted(datasets)]
    for artifact, shown in zip(
        artifacts, await shapes.datasets_shown(repo, artifacts), strict=True
    ):
        nodes[shapes.dataset_node(artifact)] = shapes.node(
            shapes.dataset_node(artifact), "DATASET", shown
        )
    for job in sorted(jobs):
        pipeline = pipelines[job.pipeline_id]
        node = shapes.job_node(job, pipeline)
        nodes[node] = shapes.node(
            node, "JOB", shapes.job_shape(job, pipeline, links, known, latest)
        )
        for dataset_id in sorted(links.reads.get(job, set()) & datasets):
            shapes.add_edge(nodes, shapes.dataset_node(known[dataset_id]), node)
        for dataset_id in sorted(links.writes.get(job, set()) & datasets):
            shapes.add_edge(nodes, node, shapes.dataset_node(known[dataset_id]))
    return list(nodes.values())


async def _column_lineage(repo: LineageRepository, request: Request) -> dict[str, Any]:
    """A field's upstream fields (and, with ``withDownstream``, those made from it), each
    with the fields it came from and how."""
    node_id = _required(request, "nodeId")
    kind, _, rest = node_id.partition(":")
    prefix, _, field = rest.rpartition(":")
    namespace, _, name = prefix.rpartition(":")
    if kind != "datasetField" or not namespace:
        raise BadInputError(f"{node_id!r} is not datasetField:NAMESPACE:DATASET:FIELD", "nodeId")
    artifact = await shapes.find_dataset(repo, namespace, name)
    start = column_id_for((await repo.find_artifact_version(artifact.name)).id, field)
    downstream = request.query_params.get("withDownstream", "false").lower() == "true"
    direction = Direction.BOTH if downstream else Direction.UPSTREAM
    graph = await repo.column_lineage(start, direction, _depth(request))
    fields = await _fields(repo, list(graph.column_depths))
    if start not in fields:
        raise NotFoundError(f"dataset {namespace}:{name} has no field {field!r}")
    sources_of: dict[str, list[ColumnLink]] = defaultdict(list)
    for link in graph.links:
        if link.source_id in fields:
            sources_of[link.column_id].append(link)
    nodes: dict[str, dict[str, Any]] = {}
    for column_id in sorted(fields, key=lambda c: (graph.column_depths[c], fields[c].node)):
        shown = fields[column_id]
        sources = sources_of.get(column_id, [])
        data = {
            **shown.where,
            "fieldType": shown.type,
            "transformationDescription": sources[0].description if sources else None,
            "transformationType": sources[0].transformation if sources else None,
            "inputFields": [_input_field(fields[link.source_id], link) for link in sources],
        }
        nodes[shown.node] = shapes.node(shown.node, "DATASET_FIELD", data)
    for link in graph.links:
        if link.column_id in fields and link.source_id in fields:
            shapes.add_edge(nodes, fields[link.source_id].node, fields[link.column_id].node)
    return {"graph": list(nodes.values())}


@dataclass(frozen=True)
class _Field:
    """A column as a dataset field: its node id, where it is, its type."""

    node: str
    where: dict[str, str]
    type: str | None


async def _fields(repo: LineageRepository, column_ids: list[str]) -> dict[str, _Field]:
    columns = [c for c in await repo.get_columns(column_ids) if c is not None]
    version_ids = sorted({c.version_id for c in columns})
    versions = {v.id: v for v in await repo.get_artifact_versions(version_ids) if v}
    artifact_ids = sorted({v.artifact_id for v in versions.values()})
    artifacts = {a.id: a for a in await repo.get_artifacts(artifact_ids) if a}
    found = {}
    for column in columns:
        version = versions[column.version_id]
        namespace, name = shapes.dataset_id(artifacts[version.artifact_id])
        where = {
            "namespace": namespace,
            "dataset": name,
            "datasetVersion": version.id,
            "field": column.name,
        }
        found[column.id] = _Field(
            f"datasetField:{namespace}:{name}:{column.name}", where, column.type
        )
    return found


def _input_field(source: _Field, link: ColumnLink) -> dict[str, Any]:
    return {
        **source.where,
        "transformationDescription": link.description,
        "transformationType": link.transformation,
        "transformations": [
            {
                "type": link.transformation,
                "subtype": link.subtype,
                "description": link.description,
                "masking": link.masking,
            }
        ],
    }


def _required(request: Request, name: str) -> str:
    value = request.query_params.get(name)
    if not value:
        raise BadInputError("is required", name)
    return value


def _whole(request: Request, name: str, default: int, least: int, most: int | None) -> int:
    """The whole-number query parameter ``name`` (``default`` when absent)."""
    text = request.query_params.get(name, str(default))
    if not text.isdigit() or int(text) < least or (most is not None and int(text) > most):
        bound = f"from {least} to {most}" if most is not None else f"of at least {least}"
        raise BadInputError(f"must be a whole number {bound}, got {text!r}", name)
    return int(text)


def _depth(request: Request) -> int:
    return _whole(request, "depth", DEFAULT_DEPTH, 1, MAX_LINEAGE_DEPTH)
