"""What jobs and datasets declare outside any run (OpenLineage JobEvents and DatasetEvents):
a job's inputs and outputs, a dataset's facets and columns. Each is one transaction, and
sending it again leaves the graph as it was."""

from __future__ import annotations

from collections.abc import Sequence

from lineageql.graph import queries as q
from lineageql.graph.repository.base import NodeKind
from lineageql.graph.repository.job_graph import set_namespaces_in
from lineageql.graph.repository.touches import structure
from lineageql.graph.repository.writes import (
    Writes,
    artifact_lock_row,
    column_row,
    create_versions_in,
    metadata_rows,
    write_metadata_in,
)
from lineageql.graph.store import Transaction
from lineageql.records import (
    DatasetChange,
    DatasetDeclaration,
    JobDeclaration,
    NewArtifactVersion,
    SaveType,
    artifact_id_for,
    pipeline_id_for,
    utc_now,
)


class DeclarationWrites(Writes):
    """Static lineage: jobs' declared datasets and datasets' own facets."""

    async def declare_job(self, job: JobDeclaration) -> None:
        """Set the datasets the job (its pipeline) declares it reads and writes, replacing
        what it declared before; the pipeline and artifacts are created if new."""
        pipeline_id = pipeline_id_for(job.pipeline_name)
        declared = [("INPUT", d) for d in job.inputs] + [("OUTPUT", d) for d in job.outputs]
        now = utc_now()

        async def work(tx: Transaction) -> None:
            pipeline = {"id": pipeline_id, "name": job.pipeline_name, "created": now}
            await tx.run(q.MERGE_PIPELINES, {"rows": [{**pipeline, "docstring": None}]})
            await _artifacts_in(tx, [dataset for _, dataset in declared], now)
            namespaces = (
                {job.pipeline_name: job.pipeline_namespace} if job.pipeline_namespace else {}
            )
            await set_namespaces_in(tx, namespaces, [dataset for _, dataset in declared])
            await tx.run(q.FORGET_DECLARATIONS, {"id": pipeline_id})
            pairs = dict.fromkeys((direction, d.name) for direction, d in declared)
            rows = [
                {"pipeline_id": pipeline_id, "artifact_id": artifact_id_for(name), "direction": way}
                for way, name in pairs
            ]
            if rows:
                await tx.run(q.DECLARE, {"rows": rows})

        keys = {pipeline_id, job.pipeline_name}
        keys |= {artifact_id_for(d.name) for _, d in declared} | {d.name for _, d in declared}
        await self.store.write(work, structure(keys))

    async def declare_dataset(self, declaration: DatasetDeclaration) -> None:
        """Set the dataset's facets on its latest version (and its columns, if that version
        has none yet); a dataset never seen gets an external version carrying them."""
        dataset = declaration.dataset
        values = metadata_rows(dataset.metadata)
        artifact_id = artifact_id_for(dataset.name)

        async def work(tx: Transaction) -> str:
            latest = await tx.run(q.LATEST_VERSIONS_OF_ARTIFACTS, {"keys": [artifact_id]})
            if not latest:
                [created] = await create_versions_in(tx, [_external(dataset)])
                await set_namespaces_in(tx, {}, [dataset])
                return created.id
            version_id = str(latest[0]["id"])
            await write_metadata_in(
                tx, NodeKind.ARTIFACT_VERSION, [(version_id, values)], utc_now()
            )
            has_columns = await tx.run(q.COLUMNS_OF_VERSIONS, {"keys": [version_id]})
            if dataset.columns and not has_columns:
                rows = [
                    column_row(version_id, column, position)
                    for position, column in enumerate(dataset.columns)
                ]
                await tx.run(q.CREATE_COLUMNS, {"rows": rows})
            return version_id

        await self.store.write(
            work,
            lambda version_id: structure({version_id, artifact_id, dataset.name}),
        )


async def _artifacts_in(tx: Transaction, datasets: Sequence[DatasetChange], now: str) -> None:
    """Create the artifacts of ``datasets`` that do not exist yet (with no version)."""
    names = sorted({dataset.name for dataset in datasets})
    if names:
        rows = [artifact_lock_row(name, now, 0, None) for name in names]
        await tx.run(q.LOCK_ARTIFACTS, {"rows": rows})


def _external(dataset: DatasetChange) -> NewArtifactVersion:
    return NewArtifactVersion(
        name=dataset.name,
        uri=dataset.uri,
        type="dataset",
        save_type=SaveType.EXTERNAL,
        metadata=dataset.metadata,
        columns=dataset.columns,
    )
