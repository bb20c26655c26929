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
    return {"namespaces": [_namespace(name, created) for name, created in await repo.namespaces()]}


async def _one_namespace(repo: LineageRepository, request: Request) -> dict[str, Any]:
    wanted = request.path_params["namespace"]
    for name, created in await repo.namespaces():
        if name == wanted:
            return _namespace(name, created)
    raise NotFoundError(f"no namespace {wanted!r}")


def _namespace(name: str, created: str) -> dict[str, Any]:
    return {
        "name": name,
        "createdAt": created,
        "updatedAt": created,
        "ownerName": None,
        "description": None,
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
    latest = await _latest_runs(repo, pipelines)
    keys = [JobKey(p.id, _pipeline_job_name(p)) for p in pipelines]
    keys += [
        job
        for job in await repo.jobs_of(list(by_id))
        if _job_name(job, by_id[job.pipeline_id]) != _pipeline_job_name(by_id[job.pipeline_id])
    ]
    jobs = [_job(job, by_id[job.pipeline_id], links, datasets, latest) for job in keys]
    return {"jobs": jobs, "totalCount": len(jobs)}


async def _one_job(repo: LineageRepository, request: Request) -> dict[str, Any]:
    pipeline, found = await _find_job(
        repo, request.path_params["namespace"], request.path_params["job"]
    )
    job = found or JobKey(pipeline.id, _pipeline_job_name(pipeline))
    links = JobLinks()
    await repo.job_links([pipeline.id], links)
    datasets = await _datasets_by_id(repo, _datasets_of(links, job))
    return _job(job, pipeline, links, datasets, await _latest_runs(repo, [pipeline]))


async def _datasets(repo: LineageRepository, request: Request) -> dict[str, Any]:
    artifacts = await repo.artifacts_in(request.path_params["namespace"])
    shown = await _datasets_shown(repo, artifacts)
    return {"datasets": shown, "totalCount": len(shown)}


async def _one_dataset(repo: LineageRepository, request: Request) -> dict[str, Any]:
    namespace, name = request.path_params["namespace"], request.path_params["dataset"]
    [shown] = await _datasets_shown(repo, [await _find_dataset(repo, namespace, name)])
    return shown


async def _dataset_versions(repo: LineageRepository, request: Request) -> dict[str, Any]:
    """A page of the dataset's versions, newest first (``limit``, default 100; ``offset``),
    each with the run (the step) that wrote it."""
    namespace, name = request.path_params["namespace"], request.path_params["dataset"]
    artifact = await _find_dataset(repo, namespace, name)
    limit, offset = _whole(request, "limit", 100, 1, 1000), _whole(request, "offset", 0, 0, None)
    [every] = await repo.version_ids_of_artifacts([artifact.id])
    page = every[offset : offset + limit]
    versions = [v for v in await repo.get_artifact_versions(page) if v is not None]
    described = await _described(repo, page)
    producers = [group[0] if group else None for group in await repo.producers_of(page)]
    made_by = await _runs_of_steps(repo, [p for p in producers if p is not None])
    [tags] = await repo.tags_of(NodeKind.ARTIFACT, [artifact.id])
    namespace, name = _dataset_id(artifact)
    shown = []
    for version, producer in zip(versions, producers, strict=True):
        run = made_by.get(producer) if producer is not None else None
        shown.append(
            {
                "id": {"namespace": namespace, "name": name, "version": version.id},
                **_dataset_names(namespace, name),
                **described[version.id],
                "createdAt": version.created,
                "version": version.id,
                "tags": tags,
                "createdByRun": _run(run) if run is not None else None,
            }
        )
    return {"versions": shown, "totalCount": len(every)}


async def _runs_of_steps(
    repo: LineageRepository, step_ids: list[str]
) -> dict[str, RunRecord | StepRecord]:
    """The run each step is to Marquez: the step, or its pipeline run where the step is the
    pipeline's own job (a job run without a parent, one step standing for the whole run)."""
    steps = [s for s in await repo.get_steps(step_ids) if s is not None]
    runs = {r.id: r for r in await repo.get_runs(sorted({s.run_id for s in steps})) if r}
    pipeline_ids = sorted({r.pipeline_id for r in runs.values()})
    pipelines = {p.id: p for p in await repo.get_pipelines(pipeline_ids) if p is not None}
    found: dict[str, RunRecord | StepRecord] = {}
    for step in steps:
        run = runs.get(step.run_id)
        pipeline = pipelines.get(run.pipeline_id) if run is not None else None
        own_job = pipeline is not None and step.step_name == _pipeline_job_name(pipeline)
        found[step.id] = run if own_job and run is not None else step
    return found


async def _one_run(repo: LineageRepository, request: Request) -> dict[str, Any]:
    """A run by id: a pipeline run (a parent job's run) or a step (a run of a step's job)."""
    run_id = request.path_params["id"]
    [run] = await repo.get_runs([run_id])
    found: RunRecord | StepRecord | None = run
    if found is None:
        [found] = await repo.get_steps([run_id])
    if found is None:
        raise NotFoundError(f"no run {run_id!r}")
    return _run(found)


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
    latest = await _latest_runs(repo, list(pipelines.values()))
    nodes: dict[str, dict[str, Any]] = {}
    artifacts = [known[dataset_id] for dataset_id in sorted(datasets)]
    for artifact, shown in zip(artifacts, await _datasets_shown(repo, artifacts), strict=True):
        nodes[_dataset_node(artifact)] = _node(_dataset_node(artifact), "DATASET", shown)
    for job in sorted(jobs):
        pipeline = pipelines[job.pipeline_id]
        node = _job_node(job, pipeline)
        nodes[node] = _node(node, "JOB", _job(job, pipeline, links, known, latest))
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
    described = await _described(repo, present)
    tags = await repo.tags_of(NodeKind.ARTIFACT, ids)
    shown: list[dict[str, Any]] = []
    for artifact, latest_id, artifact_tags in zip(artifacts, latest_ids, tags, strict=True):
        namespace, name = _dataset_id(artifact)
        latest = versions.get(latest_id) if latest_id is not None else None
        shown.append(
            {
                "id": {"namespace": namespace, "name": name},
                **_dataset_names(namespace, name),
                **(described[latest.id] if latest else _described_nothing()),
                "createdAt": artifact.created,
                "updatedAt": latest.created if latest else artifact.created,
                "tags": artifact_tags,
                "lastModifiedAt": latest.created if latest else None,
                "currentVersion": latest.id if latest else None,
            }
        )
    return shown


STREAM_TYPES = {"STREAM", "TOPIC"}
"""``datasetType`` facet values Marquez's STREAM stands for; every other dataset is a
DB_TABLE, as Marquez types the datasets OpenLineage events name."""


async def _described(repo: LineageRepository, version_ids: list[str]) -> dict[str, dict[str, Any]]:
    """What a Dataset and a DatasetVersion show of a version, by version id: its type, its
    fields (columns), its description (the documentation facet) and its facets."""
    columns = await repo.columns_of_versions(version_ids)
    entries = await repo.metadata_of(NodeKind.ARTIFACT_VERSION, version_ids)
    described: dict[str, dict[str, Any]] = {}
    for version_id, fields, group in zip(version_ids, columns, entries, strict=True):
        facets = {entry.key: entry.value for entry in group}
        kind = facets.get("datasetType")
        documentation = facets.get("documentation")
        described[version_id] = {
            "type": "STREAM"
            if isinstance(kind, dict) and str(kind.get("datasetType", "")).upper() in STREAM_TYPES
            else "DB_TABLE",
            "fields": [
                {"name": c.name, "type": c.type, "tags": [], "description": c.description}
                for c in fields
            ],
            "description": documentation.get("description")
            if isinstance(documentation, dict)
            else None,
            "facets": facets,
        }
    return described


def _described_nothing() -> dict[str, Any]:
    """``_described`` for a dataset without a version."""
    return {"type": "DB_TABLE", "fields": [], "description": None, "facets": {}}


def _dataset_names(namespace: str, name: str) -> dict[str, str]:
    """A dataset's names: lineageql keeps one name, logical and physical, in its namespace
    (the source Marquez groups datasets by)."""
    return {
        "name": name,
        "physicalName": name,
        "namespace": namespace,
        "sourceName": namespace,
    }


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


async def _latest_runs(
    repo: LineageRepository, pipelines: list[PipelineRecord]
) -> dict[JobKey, dict[str, Any]]:
    """The newest run of every job of the pipelines, as a Run: a pipeline's newest run for
    the pipeline's own job, each step name's newest step for the others. Two reads of runs
    and two of steps, whatever the number of jobs."""
    ids = [p.id for p in pipelines]
    newest_steps = await repo.newest_steps_of_jobs(ids)
    steps = await repo.get_steps(list(newest_steps.values()))
    latest = {
        job: _run(step) for job, step in zip(newest_steps, steps, strict=True) if step is not None
    }
    pages = await repo.run_pages(ids, 1) if ids else []
    firsts = [page.shown[0] if page.shown else None for page in pages]
    runs = await repo.get_runs([i for i in firsts if i is not None])
    newest_runs = iter(runs)
    for pipeline, first in zip(pipelines, firsts, strict=True):
        run = next(newest_runs) if first is not None else None
        if run is not None:
            latest[JobKey(pipeline.id, _pipeline_job_name(pipeline))] = _run(run)
    return latest


def _job(
    job: JobKey,
    pipeline: PipelineRecord,
    links: JobLinks,
    datasets: dict[str, ArtifactRecord],
    latest: dict[JobKey, dict[str, Any]],
) -> dict[str, Any]:
    """A Job: a step name of a pipeline with the datasets it reads and writes and its newest
    run (from ``latest``)."""
    name = _job_name(job, pipeline)

    def ids(found: set[str]) -> list[dict[str, str]]:
        shown = sorted(_dataset_id(datasets[i]) for i in found if i in datasets)
        return [{"namespace": namespace, "name": name} for namespace, name in shown]

    return {
        **_job_fields(pipeline, name, latest.get(job)),
        "parentJobName": None
        if name == _pipeline_job_name(pipeline)
        else _pipeline_job_name(pipeline),
        "inputs": ids(links.reads.get(job, set())),
        "outputs": ids(links.writes.get(job, set())),
    }


def _job_fields(
    pipeline: PipelineRecord, name: str, latest: dict[str, Any] | None
) -> dict[str, Any]:
    namespace = _namespace_of(pipeline)
    return {
        "id": {"namespace": namespace, "name": name},
        "type": "BATCH",
        "name": name,
        "simpleName": name.rsplit(".", 1)[-1],
        "createdAt": pipeline.created,
        "updatedAt": latest["updatedAt"] if latest else pipeline.created,
        "namespace": namespace,
        "location": None,
        "description": pipeline.docstring,
        "latestRun": latest,
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


def _whole(request: Request, name: str, default: int, least: int, most: int | None) -> int:
    """The whole-number query parameter ``name`` (``default`` when absent)."""
    text = request.query_params.get(name, str(default))
    if not text.isdigit() or int(text) < least or (most is not None and int(text) > most):
        bound = f"from {least} to {most}" if most is not None else f"of at least {least}"
        raise BadInputError(f"must be a whole number {bound}, got {text!r}", name)
    return int(text)


def _depth(request: Request) -> int:
    return _whole(request, "depth", DEFAULT_DEPTH, 1, MAX_LINEAGE_DEPTH)
