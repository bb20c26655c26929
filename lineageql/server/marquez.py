"""Marquez-compatible reads under ``/api/v1``, in the shapes of Marquez's published OpenAPI
spec, so scripts and tools built for Marquez read lineage from lineageql: namespaces, their
jobs and datasets, a job's runs, and the lineage and column-lineage graphs
(``{graph: [{id, type, data, inEdges, outEdges}]}``, node ids ``dataset:NS:NAME``,
``job:NS:NAME``, ``datasetField:NS:DATASET:FIELD``).

A job is a pipeline's step name, named ``pipeline.step`` unless the step's name already says
so (Airflow's ``dag.task``, Spark's ``app.action``); a pipeline is a job too, the parent of
its steps' jobs. A dataset is an artifact: an OpenLineage dataset keeps its namespace and
name; other artifacts are in the ``default`` namespace under their own names.
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
from lineageql.records import (
    DEFAULT_NAMESPACE,
    ArtifactRecord,
    ColumnLink,
    ExecutionStatus,
    PipelineRecord,
    RunRecord,
    StepRecord,
    artifact_id_for,
    column_id_for,
    parse_time,
)
from lineageql.server.responses import error_response

DEFAULT_DEPTH = 20
STATES = {
    ExecutionStatus.INITIALIZED: "NEW",
    ExecutionStatus.RUNNING: "RUNNING",
    ExecutionStatus.COMPLETED: "COMPLETED",
    ExecutionStatus.CACHED: "COMPLETED",
    ExecutionStatus.FAILED: "FAILED",
}


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

    return [
        route("/api/v1/namespaces", _namespaces),
        route("/api/v1/namespaces/{namespace:path}/jobs", _jobs),
        route("/api/v1/namespaces/{namespace:path}/datasets", _datasets),
        route("/api/v1/namespaces/{namespace:path}/jobs/{job}/runs", _job_runs),
        route("/api/v1/lineage", _lineage),
        route("/api/v1/column-lineage", _column_lineage),
    ]


# -- the listings ------------------------------------------------------------------------


async def _namespaces(repo: LineageRepository, request: Request) -> dict[str, Any]:
    return {
        "namespaces": [
            {
                "name": name,
                "createdAt": created,
                "updatedAt": created,
                "ownerName": None,
                "description": None,
            }
            for name, created in await repo.namespaces()
        ]
    }


async def _jobs(repo: LineageRepository, request: Request) -> dict[str, Any]:
    namespace = request.path_params["namespace"]
    pipelines = await repo.pipelines_in(namespace)
    links = JobLinks()
    await repo.job_links([p.id for p in pipelines], links)
    by_id = {p.id: p for p in pipelines}
    datasets = await _datasets_by_id(
        repo, {a for found in (*links.reads.values(), *links.writes.values()) for a in found}
    )
    jobs = [_job(JobKey(p.id, _pipeline_job_name(p)), p, links, datasets) for p in pipelines]
    jobs += [
        _job(job, by_id[job.pipeline_id], links, datasets)
        for job in await repo.jobs_of(list(by_id))
        if _job_name(job, by_id[job.pipeline_id]) != _pipeline_job_name(by_id[job.pipeline_id])
    ]
    return {"jobs": jobs, "totalCount": len(jobs)}


async def _datasets(repo: LineageRepository, request: Request) -> dict[str, Any]:
    artifacts = await repo.artifacts_in(request.path_params["namespace"])
    shown = await _datasets_shown(repo, artifacts)
    return {"datasets": shown, "totalCount": len(shown)}


async def _job_runs(repo: LineageRepository, request: Request) -> dict[str, Any]:
    namespace, name = request.path_params["namespace"], request.path_params["job"]
    pipeline, job = await _find_job(repo, namespace, name)
    if job is None:
        page = await repo.run_pages([pipeline.id], 100, None, [])
        runs: list[RunRecord | StepRecord] = [
            r for r in await repo.get_runs(page[0].shown) if r is not None
        ]
    else:
        runs = list(await repo.steps_of_job(job.pipeline_id, job.step_name))
    return {"runs": [_run(run) for run in runs], "totalCount": len(runs)}


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
        datasets.add((await _find_dataset(repo, namespace, name)).id)
    elif kind == "job" and namespace:
        pipeline, job = await _find_job(repo, namespace, name)
        jobs.add(job or JobKey(pipeline.id, _pipeline_job_name(pipeline)))
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
    known = await _datasets_by_id(repo, every)
    nodes: dict[str, dict[str, Any]] = {}
    artifacts = [known[dataset_id] for dataset_id in sorted(datasets)]
    for artifact, shown in zip(artifacts, await _datasets_shown(repo, artifacts), strict=True):
        nodes[_dataset_node(artifact)] = _node(_dataset_node(artifact), "DATASET", shown)
    for job in sorted(jobs):
        pipeline = pipelines[job.pipeline_id]
        node = _job_node(job, pipeline)
        nodes[node] = _node(node, "JOB", _job(job, pipeline, links, known))
        for dataset_id in sorted(links.reads.get(job, set()) & datasets):
            _edge(nodes, _dataset_node(known[dataset_id]), node)
        for dataset_id in sorted(links.writes.get(job, set()) & datasets):
            _edge(nodes, node, _dataset_node(known[dataset_id]))
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
    artifact = await _find_dataset(repo, namespace, name)
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
        nodes[shown.node] = _node(shown.node, "DATASET_FIELD", data)
    for link in graph.links:
        if link.column_id in fields and link.source_id in fields:
            _edge(nodes, fields[link.source_id].node, fields[link.column_id].node)
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
        namespace, name = _dataset_id(artifacts[version.artifact_id])
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


# -- shapes ------------------------------------------------------------------------------


def _node(node_id: str, kind: str, data: dict[str, Any]) -> dict[str, Any]:
    return {"id": node_id, "type": kind, "data": data, "inEdges": [], "outEdges": []}


def _edge(nodes: dict[str, dict[str, Any]], origin: str, destination: str) -> None:
    edge = {"origin": origin, "destination": destination}
    if edge not in nodes[origin]["outEdges"]:
        nodes[origin]["outEdges"].append(edge)
        nodes[destination]["inEdges"].append(edge)


def _dataset_id(artifact: ArtifactRecord) -> tuple[str, str]:
    if artifact.namespace is not None and artifact.source_name is not None:
        return artifact.namespace, artifact.source_name
    return DEFAULT_NAMESPACE, artifact.name


def _dataset_node(artifact: ArtifactRecord) -> str:
    namespace, name = _dataset_id(artifact)
    return f"dataset:{namespace}:{name}"


async def _datasets_shown(
    repo: LineageRepository, artifacts: list[ArtifactRecord]
) -> list[dict[str, Any]]:
    """Each artifact as a Dataset: its latest version's columns, facets (metadata) and id,
    read for all of them at once."""
    ids = [artifact.id for artifact in artifacts]
    latest_ids = [group[0] if group else None for group in await repo.version_ids_of_artifacts(ids)]
    present = [i for i in latest_ids if i is not None]
    versions = dict(zip(present, await repo.get_artifact_versions(present), strict=True))
    columns = dict(zip(present, await repo.columns_of_versions(present), strict=True))
    entries = await repo.metadata_of(NodeKind.ARTIFACT_VERSION, present)
    facets_of = {
        i: {e.key: e.value for e in group} for i, group in zip(present, entries, strict=True)
    }
    tags = await repo.tags_of(NodeKind.ARTIFACT, ids)
    shown: list[dict[str, Any]] = []
    for artifact, latest_id, artifact_tags in zip(artifacts, latest_ids, tags, strict=True):
        namespace, name = _dataset_id(artifact)
        latest = versions.get(latest_id) if latest_id is not None else None
        facets = facets_of.get(latest_id, {}) if latest_id is not None else {}
        documentation = facets.get("documentation")
        shown.append(
            {
                "id": {"namespace": namespace, "name": name},
                "type": "DB_TABLE",
                "name": name,
                "physicalName": name,
                "createdAt": artifact.created,
                "updatedAt": latest.created if latest else artifact.created,
                "namespace": namespace,
                "sourceName": namespace,
                "fields": [
                    {"name": c.name, "type": c.type, "tags": [], "description": c.description}
                    for c in (columns.get(latest_id, []) if latest_id is not None else [])
                ],
                "tags": artifact_tags,
                "lastModifiedAt": latest.created if latest else None,
                "description": documentation.get("description")
                if isinstance(documentation, dict)
                else None,
                "facets": facets,
                "currentVersion": latest.id if latest else None,
            }
        )
    return shown


def _job_name(job: JobKey, pipeline: PipelineRecord) -> str:
    """``pipeline.step``, unless the step's name already is the pipeline's or starts so."""
    parent = _pipeline_job_name(pipeline)
    if job.step_name == parent or job.step_name.startswith(parent + "."):
        return job.step_name
    return f"{parent}.{job.step_name}"


def _pipeline_job_name(pipeline: PipelineRecord) -> str:
    """The job a pipeline stands for: its name without the ``namespace/`` that tells apart
    jobs of one name in several namespaces."""
    prefix = f"{pipeline.namespace}/"
    return pipeline.name.removeprefix(prefix) if pipeline.namespace else pipeline.name


def _namespace_of(pipeline: PipelineRecord) -> str:
    return pipeline.namespace or DEFAULT_NAMESPACE


def _job_node(job: JobKey, pipeline: PipelineRecord) -> str:
    return f"job:{_namespace_of(pipeline)}:{_job_name(job, pipeline)}"


def _job(
    job: JobKey,
    pipeline: PipelineRecord,
    links: JobLinks,
    datasets: dict[str, ArtifactRecord],
) -> dict[str, Any]:
    """A Job: a step name of a pipeline with the datasets it reads and writes."""
    name = _job_name(job, pipeline)

    def ids(found: set[str]) -> list[dict[str, str]]:
        shown = sorted(_dataset_id(datasets[i]) for i in found if i in datasets)
        return [{"namespace": namespace, "name": name} for namespace, name in shown]

    return {
        **_job_fields(pipeline, name),
        "parentJobName": None
        if name == _pipeline_job_name(pipeline)
        else _pipeline_job_name(pipeline),
        "inputs": ids(links.reads.get(job, set())),
        "outputs": ids(links.writes.get(job, set())),
    }


def _job_fields(pipeline: PipelineRecord, name: str) -> dict[str, Any]:
    namespace = _namespace_of(pipeline)
    return {
        "id": {"namespace": namespace, "name": name},
        "type": "BATCH",
        "name": name,
        "simpleName": name.rsplit(".", 1)[-1],
        "createdAt": pipeline.created,
        "updatedAt": pipeline.created,
        "namespace": namespace,
        "location": None,
        "description": pipeline.docstring,
        "latestRun": None,
        "facets": {},
        "currentVersion": None,
    }


def _run(run: RunRecord | StepRecord) -> dict[str, Any]:
    """A Run: a pipeline run (of a parent job) or a step (a run of a step's job)."""
    started, ended = run.start_time, run.end_time
    duration = (
        int((parse_time(ended) - parse_time(started)).total_seconds() * 1000)
        if started and ended
        else None
    )
    return {
        "id": run.id,
        "createdAt": run.created,
        "updatedAt": ended or started or run.created,
        "nominalStartTime": None,
        "nominalEndTime": None,
        "state": STATES[run.status],
        "startedAt": started,
        "endedAt": ended,
        "durationMs": duration,
        "args": {},
        "facets": {},
    }


# -- finding what a request names ----------------------------------------------------------


async def _find_dataset(repo: LineageRepository, namespace: str, name: str) -> ArtifactRecord:
    full = name if namespace == DEFAULT_NAMESPACE else f"{namespace}/{name}"
    [found] = await repo.get_artifacts([artifact_id_for(full)])
    if found is None:
        raise NotFoundError(f"no dataset {name!r} in namespace {namespace!r}")
    return found


async def _find_job(
    repo: LineageRepository, namespace: str, name: str
) -> tuple[PipelineRecord, JobKey | None]:
    """The pipeline a job name belongs to, and the job (None: the pipeline itself)."""
    pipelines = await repo.pipelines_in(namespace)
    for pipeline in pipelines:
        if _pipeline_job_name(pipeline) == name:
            return pipeline, None
    owners = [p for p in pipelines if name.startswith(_pipeline_job_name(p) + ".")]
    for job in await repo.jobs_of([p.id for p in owners]):
        pipeline = next(p for p in owners if p.id == job.pipeline_id)
        if _job_name(job, pipeline) == name:
            return pipeline, job
    raise NotFoundError(f"no job {name!r} in namespace {namespace!r}")


async def _datasets_by_id(repo: LineageRepository, ids: set[str]) -> dict[str, ArtifactRecord]:
    wanted = sorted(ids)
    return {i: a for i, a in zip(wanted, await repo.get_artifacts(wanted), strict=True) if a}


def _required(request: Request, name: str) -> str:
    value = request.query_params.get(name)
    if not value:
        raise BadInputError("is required", name)
    return value


def _depth(request: Request) -> int:
    text = request.query_params.get("depth", str(DEFAULT_DEPTH))
    if not text.isdigit() or not 1 <= int(text) <= MAX_LINEAGE_DEPTH:
        raise BadInputError(
            f"must be a whole number from 1 to {MAX_LINEAGE_DEPTH}, got {text!r}", "depth"
        )
    return int(text)
