"""What the Marquez-compatible reads answer, in the shapes of Marquez's OpenAPI spec: namespaces,
jobs (a pipeline's step names, with their newest run), datasets (artifacts, with their latest
version) and runs, built from lineageql's records; and the job and dataset a request names.

A job is a pipeline's step name, named ``pipeline.step`` unless the step's name already says
so (Airflow's ``dag.task``, Spark's ``app.action``); a pipeline is a job too, the parent of
its steps' jobs. A dataset is an artifact: an OpenLineage dataset keeps its namespace and
name; other artifacts are in the ``default`` namespace under their own names.
"""

from __future__ import annotations

from typing import Any

from lineageql.errors import NotFoundError
from lineageql.graph import LineageRepository, NodeKind
from lineageql.graph.repository.job_graph import JobKey, JobLinks
from lineageql.records import (
    DEFAULT_NAMESPACE,
    ArtifactRecord,
    ExecutionStatus,
    PipelineRecord,
    RunRecord,
    StepRecord,
    artifact_id_for,
    parse_time,
)

STATES = {
    ExecutionStatus.INITIALIZED: "NEW",
    ExecutionStatus.RUNNING: "RUNNING",
    ExecutionStatus.COMPLETED: "COMPLETED",
    ExecutionStatus.CACHED: "COMPLETED",
    ExecutionStatus.FAILED: "FAILED",
}


def namespace_shape(name: str, created: str) -> dict[str, Any]:
    """A Namespace (lineageql keeps no owner or description for one)."""
    return {
        "name": name,
        "createdAt": created,
        "updatedAt": created,
        "ownerName": None,
        "description": None,
    }


async def runs_of_steps(
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
        stands_for_run = pipeline is not None and own_job(pipeline).step_name == step.step_name
        found[step.id] = run if stands_for_run and run is not None else step
    return found


def node(node_id: str, kind: str, data: dict[str, Any]) -> dict[str, Any]:
    """A node of a lineage graph, its edges to be added."""
    return {"id": node_id, "type": kind, "data": data, "inEdges": [], "outEdges": []}


def add_edge(nodes: dict[str, dict[str, Any]], origin: str, destination: str) -> None:
    """Add the edge ``origin`` -> ``destination`` to both nodes, once."""
    edge = {"origin": origin, "destination": destination}
    if edge not in nodes[origin]["outEdges"]:
        nodes[origin]["outEdges"].append(edge)
        nodes[destination]["inEdges"].append(edge)


def dataset_id(artifact: ArtifactRecord) -> tuple[str, str]:
    """An artifact's dataset namespace and name."""
    if artifact.namespace is not None and artifact.source_name is not None:
        return artifact.namespace, artifact.source_name
    return DEFAULT_NAMESPACE, artifact.name


def dataset_node(artifact: ArtifactRecord) -> str:
    """An artifact's node id in a lineage graph, ``dataset:NS:NAME``."""
    namespace, name = dataset_id(artifact)
    return f"dataset:{namespace}:{name}"


async def datasets_shown(
    repo: LineageRepository, artifacts: list[ArtifactRecord]
) -> list[dict[str, Any]]:
    """Each artifact as a Dataset: its latest version's columns, facets (metadata) and id,
    read for all of them at once."""
    ids = [artifact.id for artifact in artifacts]
    latest_ids = await repo.latest_version_ids(ids)
    present = [i for i in latest_ids if i is not None]
    versions = dict(zip(present, await repo.get_artifact_versions(present), strict=True))
    described = await describe_versions(repo, present)
    tags = await repo.tags_of(NodeKind.ARTIFACT, ids)
    shown: list[dict[str, Any]] = []
    for artifact, latest_id, artifact_tags in zip(artifacts, latest_ids, tags, strict=True):
        namespace, name = dataset_id(artifact)
        latest = versions.get(latest_id) if latest_id is not None else None
        shown.append(
            {
                "id": {"namespace": namespace, "name": name},
                **dataset_names(namespace, name),
                **(described[latest.id] if latest else undescribed()),
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


async def describe_versions(
    repo: LineageRepository, version_ids: list[str]
) -> dict[str, dict[str, Any]]:
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


def undescribed() -> dict[str, Any]:
    """``describe_versions`` for a dataset without a version."""
    return {"type": "DB_TABLE", "fields": [], "description": None, "facets": {}}


def dataset_names(namespace: str, name: str) -> dict[str, str]:
    """A dataset's names: lineageql keeps one name, logical and physical, in its namespace
    (the source Marquez groups datasets by)."""
    return {
        "name": name,
        "physicalName": name,
        "namespace": namespace,
        "sourceName": namespace,
    }


def job_name(job: JobKey, pipeline: PipelineRecord) -> str:
    """``pipeline.step``, unless the step's name already is the pipeline's or starts so."""
    parent = pipeline_job_name(pipeline)
    if job.step_name == parent or job.step_name.startswith(parent + "."):
        return job.step_name
    return f"{parent}.{job.step_name}"


def own_job(pipeline: PipelineRecord) -> JobKey:
    """The job a pipeline stands for, the parent of its steps' jobs (a step with the same
    name is that job, not a child of it)."""
    return JobKey(pipeline.id, pipeline_job_name(pipeline))


def pipeline_job_name(pipeline: PipelineRecord) -> str:
    """The job a pipeline stands for: its name without the ``namespace/`` that tells apart
    jobs of one name in several namespaces."""
    prefix = f"{pipeline.namespace}/"
    return pipeline.name.removeprefix(prefix) if pipeline.namespace else pipeline.name


def namespace_of(pipeline: PipelineRecord) -> str:
    """The namespace of a pipeline's jobs."""
    return pipeline.namespace or DEFAULT_NAMESPACE


def job_node(job: JobKey, pipeline: PipelineRecord) -> str:
    """A job's node id in a lineage graph, ``job:NS:NAME``."""
    return f"job:{namespace_of(pipeline)}:{job_name(job, pipeline)}"


async def latest_runs(
    repo: LineageRepository, pipelines: list[PipelineRecord]
) -> dict[JobKey, dict[str, Any]]:
    """The newest run of every job of the pipelines, as a Run: a pipeline's newest run for
    the pipeline's own job, each step name's newest step for the others. Two reads of runs
    and two of steps, whatever the number of jobs."""
    ids = [p.id for p in pipelines]
    newest_steps = await repo.newest_steps_of_jobs(ids)
    steps = await repo.get_steps(list(newest_steps.values()))
    latest = {
        job: run_shape(step)
        for job, step in zip(newest_steps, steps, strict=True)
        if step is not None
    }
    pages = await repo.run_pages(ids, 1) if ids else []
    firsts = [page.shown[0] if page.shown else None for page in pages]
    runs = {r.id: r for r in await repo.get_runs([i for i in firsts if i]) if r is not None}
    for pipeline, first in zip(pipelines, firsts, strict=True):
        if first in runs:
            latest[own_job(pipeline)] = run_shape(runs[first])
    return latest


def job_shape(
    job: JobKey,
    pipeline: PipelineRecord,
    links: JobLinks,
    datasets: dict[str, ArtifactRecord],
    latest: dict[JobKey, dict[str, Any]],
) -> dict[str, Any]:
    """A Job: a step name of a pipeline with the datasets it reads and writes and its newest
    run (from ``latest``)."""
    name = job_name(job, pipeline)

    def ids(found: set[str]) -> list[dict[str, str]]:
        shown = sorted(dataset_id(datasets[i]) for i in found if i in datasets)
        return [{"namespace": namespace, "name": name} for namespace, name in shown]

    return {
        **job_fields(pipeline, name, latest.get(job)),
        "parentJobName": None if job == own_job(pipeline) else pipeline_job_name(pipeline),
        "inputs": ids(links.reads.get(job, set())),
        "outputs": ids(links.writes.get(job, set())),
    }


def job_fields(
    pipeline: PipelineRecord, name: str, latest: dict[str, Any] | None
) -> dict[str, Any]:
    namespace = namespace_of(pipeline)
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


def run_shape(run: RunRecord | StepRecord) -> dict[str, Any]:
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


async def find_dataset(repo: LineageRepository, namespace: str, name: str) -> ArtifactRecord:
    full = name if namespace == DEFAULT_NAMESPACE else f"{namespace}/{name}"
    [found] = await repo.get_artifacts([artifact_id_for(full)])
    if found is None:
        raise NotFoundError(f"no dataset {name!r} in namespace {namespace!r}")
    return found


async def find_job(
    repo: LineageRepository, namespace: str, name: str
) -> tuple[PipelineRecord, JobKey]:
    """The pipeline a job name belongs to, and the job (``own_job`` for the pipeline's)."""
    pipelines = await repo.pipelines_in(namespace)
    for pipeline in pipelines:
        if pipeline_job_name(pipeline) == name:
            return pipeline, own_job(pipeline)
    owners = [p for p in pipelines if name.startswith(pipeline_job_name(p) + ".")]
    for job in await repo.jobs_of([p.id for p in owners]):
        pipeline = next(p for p in owners if p.id == job.pipeline_id)
        if job_name(job, pipeline) == name:
            return pipeline, job
    raise NotFoundError(f"no job {name!r} in namespace {namespace!r}")


async def datasets_by_id(repo: LineageRepository, ids: set[str]) -> dict[str, ArtifactRecord]:
    wanted = sorted(ids)
    return {i: a for i, a in zip(wanted, await repo.get_artifacts(wanted), strict=True) if a}
