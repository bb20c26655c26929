"""Listings: filtered, ordered, cursor-paged pipelines, runs, artifacts and versions."""

from __future__ import annotations

from lineageql.graph import queries as q
from lineageql.graph.listing import (
    ArtifactFilter,
    Page,
    PageRequest,
    PipelineFilter,
    RunFilter,
    VersionFilter,
    artifacts_query,
    pipelines_query,
    runs_query,
    versions_query,
)
from lineageql.graph.repository.base import (
    RepositoryBase,
)
from lineageql.graph.repository.rows import (
    artifact_record,
    pipeline_record,
    run_record,
    version_record,
)
from lineageql.records import (
    ArtifactRecord,
    ArtifactVersionRecord,
    PipelineRecord,
    RunRecord,
)


class Listings(RepositoryBase):
    """Pages of listings (see ``graph.listing`` for filters and cursors)."""

    async def list_pipelines(
        self, spec: PipelineFilter | None = None, page: PageRequest | None = None
    ) -> Page[PipelineRecord]:
        return await self._page(pipelines_query(spec or PipelineFilter()), page, pipeline_record)

    async def list_runs(
        self, spec: RunFilter | None = None, page: PageRequest | None = None
    ) -> Page[RunRecord]:
        return await self._page(runs_query(spec or RunFilter()), page, run_record)

    async def list_artifacts(
        self, spec: ArtifactFilter | None = None, page: PageRequest | None = None
    ) -> Page[ArtifactRecord]:
        return await self._page(artifacts_query(spec or ArtifactFilter()), page, artifact_record)

    async def list_artifact_versions(
        self, spec: VersionFilter | None = None, page: PageRequest | None = None
    ) -> Page[ArtifactVersionRecord]:
        return await self._page(versions_query(spec or VersionFilter()), page, version_record)

    async def unreferenced_versions(self) -> list[ArtifactVersionRecord]:
        """Artifact versions that no step of any run produced or consumed."""
        return [version_record(row) for row in await self.store.read(q.UNREFERENCED_VERSIONS)]

    async def every_version(self) -> list[ArtifactVersionRecord]:
        """Every stored artifact version, in no particular order."""
        return [version_record(row) for row in await self.store.read(q.EVERY_VERSION)]
