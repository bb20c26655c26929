"""The job and dataset view of the graph, as OpenLineage models it and Marquez serves it: a
job is a pipeline's step name (a task of a DAG, an action of a Spark application, a step of
an SDK pipeline), a dataset is an artifact; a job reads and writes datasets across all its
runs. Cached steps ran nothing and are left out."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field

from lineageql.graph import queries as q
from lineageql.graph.repository.keyed_reads import KeyedReads
from lineageql.graph.repository.rows import artifact_record, pipeline_record, step_record
from lineageql.graph.store import Transaction
from lineageql.records import (
    DEFAULT_NAMESPACE,
    ArtifactRecord,
    DatasetChange,
    PipelineRecord,
    StepRecord,
    artifact_id_for,
    pipeline_id_for,
)


@dataclass(frozen=True, order=True)
class JobKey:
    """A job: a step name of a pipeline."""

    pipeline_id: str
    step_name: str


@dataclass
class JobLinks:
    """What jobs and datasets read and write, as far as a walk has looked."""

    reads: dict[JobKey, set[str]] = field(default_factory=lambda: defaultdict(set))
    """Each job's input datasets (artifact ids)."""
    writes: dict[JobKey, set[str]] = field(default_factory=lambda: defaultdict(set))
    """Each job's output datasets (artifact ids)."""


class JobGraphReads(KeyedReads):
    """Namespaces, their pipelines and artifacts, and the job-level links between them."""

    async def namespaces(self) -> list[tuple[str, str]]:
        """Every namespace (name, first created), by name."""
        first: dict[str, str] = {}
        for row in await self.store.read(q.NAMESPACES, {"fallback": DEFAULT_NAMESPACE}):
            if row["created"] is not None:
                name = str(row["name"])
                first[name] = min(first.get(name, row["created"]), row["created"])
        return sorted(first.items())

    async def pipelines_in(self, namespace: str) -> list[PipelineRecord]:
        rows = await self.store.read(
            q.PIPELINES_IN_NAMESPACE, {"namespace": namespace, "fallback": DEFAULT_NAMESPACE}
        )
        return [pipeline_record(row) for row in rows]

    async def artifacts_in(self, namespace: str) -> list[ArtifactRecord]:
        rows = await self.store.read(
            q.ARTIFACTS_IN_NAMESPACE, {"namespace": namespace, "fallback": DEFAULT_NAMESPACE}
        )
        return [artifact_record(row) for row in rows]

    async def jobs_of(self, pipeline_ids: Sequence[str]) -> list[JobKey]:
        """The jobs of the pipelines: each step name that ran, by pipeline and name."""
        if not pipeline_ids:
            return []
        rows = await self.store.read(q.STEP_NAMES_OF_PIPELINES, {"keys": list(pipeline_ids)})
        return sorted(JobKey(row["key"], row["step_name"]) for row in rows)

    async def job_links(self, pipeline_ids: Sequence[str], links: JobLinks) -> None:
        """Add what every job of the pipelines read and wrote to ``links``."""
        if not pipeline_ids:
            return
        for via, found in (("PRODUCED", links.writes), ("CONSUMED", links.reads)):
            for row in await self.store.read(q.JOB_DATASETS[via], {"keys": list(pipeline_ids)}):
                found[JobKey(row["key"], row["step_name"])].add(row["artifact_id"])

    async def dataset_links(self, artifact_ids: Sequence[str], links: JobLinks) -> None:
        """Add the jobs that wrote or read each of the datasets to ``links``."""
        if not artifact_ids:
            return
        for via, found in (("PRODUCED", links.writes), ("CONSUMED", links.reads)):
            for row in await self.store.read(q.DATASET_JOBS[via], {"keys": list(artifact_ids)}):
                found[JobKey(row["pipeline_id"], row["step_name"])].add(row["key"])

    async def newest_steps_of_jobs(self, pipeline_ids: Sequence[str]) -> dict[JobKey, str]:
        """The id of each job's newest run (step), for every job of the pipelines."""
        if not pipeline_ids:
            return {}
        rows = await self.store.read(q.NEWEST_STEPS_OF_JOBS, {"keys": list(pipeline_ids)})
        return {
            JobKey(row["key"], row["step_name"]): str(row["newest"]).rpartition(" ")[2]
            for row in rows
        }

    async def steps_of_job(
        self, pipeline_id: str, step_name: str, limit: int = 100
    ) -> list[StepRecord]:
        """The newest steps of a job (its runs), newest first."""
        rows = await self.store.read(
            q.STEPS_OF_JOB, {"pipeline_id": pipeline_id, "step_name": step_name, "limit": limit}
        )
        return [step_record(row) for row in rows]


async def set_namespaces_in(
    tx: Transaction, pipelines: dict[str, str], datasets: Sequence[DatasetChange]
) -> None:
    """Give pipelines (by name) and datasets' artifacts their OpenLineage namespaces, where
    they have none yet, in an open transaction."""
    if pipelines:
        rows = [{"id": pipeline_id_for(name), "namespace": ns} for name, ns in pipelines.items()]
        await tx.run(q.SET_PIPELINE_NAMESPACES, {"rows": rows})
    rows = [
        {"id": artifact_id_for(d.name), "namespace": d.namespace, "source_name": d.source_name}
        for d in datasets
        if d.namespace is not None and d.source_name is not None
    ]
    if rows:
        await tx.run(q.SET_DATASET_NAMES, {"rows": rows})
