"""The root Query type: thin resolvers over the repository and the request's loaders."""

from __future__ import annotations

from datetime import datetime

import strawberry

from lineageql.arguments import one_of, stored_time
from lineageql.errors import BadInputError, NotFoundError
from lineageql.graph import Direction
from lineageql.graph.listing import DEFAULT_PAGE_SIZE
from lineageql.graph.repository import DEFAULT_LINEAGE_DEPTH
from lineageql.lineage_diff import DEFAULT_DIFF_DEPTH, diff_lineage
from lineageql.schema.comparison import RunComparison, compare_runs
from lineageql.schema.connections import Connection
from lineageql.schema.context import Info
from lineageql.schema.diff import LineageDiff
from lineageql.schema.inputs import (
    ArtifactFilterInput,
    ArtifactVersionFilter,
    NameOrder,
    PipelineFilterInput,
    PipelineRunFilter,
    RunOrder,
    page_request,
)
from lineageql.schema.lineage import lineage_of
from lineageql.schema.types import (
    Artifact,
    ArtifactVersion,
    Lineage,
    LineageDirection,
    Pipeline,
    PipelineRun,
    Step,
    present,
)


@strawberry.type
class Query:
    @strawberry.field
    async def pipelines(
        self,
        info: Info,
        first: int = DEFAULT_PAGE_SIZE,
        after: str | None = None,
        filter: PipelineFilterInput | None = None,
        order_by: NameOrder | None = None,
    ) -> Connection[Pipeline]:
        spec = filter.to_filter() if filter else None
        page = await info.context.repo.list_pipelines(spec, page_request(first, after, order_by))
        return Connection.from_page(page, Pipeline.of)

    @strawberry.field
    async def pipeline(
        self, info: Info, id: strawberry.ID | None = None, name: str | None = None
    ) -> Pipeline | None:
        if one_of(id=id, name=name) == "id":
            found = await info.context.loaders.pipeline.load(str(id))
        else:
            [found] = await info.context.repo.get_pipelines_by_name([str(name)])
        return Pipeline.of(found) if found else None

    @strawberry.field
    async def pipeline_runs(
        self,
        info: Info,
        first: int = DEFAULT_PAGE_SIZE,
        after: str | None = None,
        filter: PipelineRunFilter | None = None,
        order_by: RunOrder | None = None,
    ) -> Connection[PipelineRun]:
        spec = filter.to_filter() if filter else None
        page = await info.context.repo.list_runs(spec, page_request(first, after, order_by))
        return Connection.from_page(page, PipelineRun.of)

    @strawberry.field(description="A run by id, by name, or by a name prefix that only it has.")
    async def pipeline_run(
        self,
        info: Info,
        id: strawberry.ID | None = None,
        name: str | None = None,
        name_prefix: str | None = None,
    ) -> PipelineRun | None:
        which = one_of(id=id, name=name, namePrefix=name_prefix)
        repo = info.context.repo
        if which == "id":
            found = await info.context.loaders.run.load(str(id))
        elif which == "name":
            [found] = await repo.get_runs_by_name([str(name)])
        else:
            found = await repo.find_run_by_prefix(str(name_prefix))
        return PipelineRun.of(found) if found else None

    @strawberry.field
    async def step(self, info: Info, id: strawberry.ID) -> Step | None:
        found = await info.context.loaders.step.load(str(id))
        return Step.of(found) if found else None

    @strawberry.field(description="The newest completed step with this cache key, if any.")
    async def cached_step(self, info: Info, cache_key: str) -> Step | None:
        found = await info.context.repo.find_cached_step(cache_key)
        return Step.of(found) if found else None

    @strawberry.field
    async def artifacts(
        self,
        info: Info,
        first: int = DEFAULT_PAGE_SIZE,
        after: str | None = None,
        filter: ArtifactFilterInput | None = None,
        order_by: NameOrder | None = None,
    ) -> Connection[Artifact]:
        spec = filter.to_filter() if filter else None
        page = await info.context.repo.list_artifacts(spec, page_request(first, after, order_by))
        return Connection.from_page(page, Artifact.of)

    @strawberry.field
    async def artifact(
        self, info: Info, id: strawberry.ID | None = None, name: str | None = None
    ) -> Artifact | None:
        if one_of(id=id, name=name) == "id":
            found = await info.context.loaders.artifact.load(str(id))
        else:
            [found] = await info.context.repo.get_artifacts_by_name([str(name)])
        return Artifact.of(found) if found else None

    @strawberry.field
    async def artifact_versions(
        self,
        info: Info,
        first: int = DEFAULT_PAGE_SIZE,
        after: str | None = None,
        filter: ArtifactVersionFilter | None = None,
    ) -> Connection[ArtifactVersion]:
        spec = filter.to_filter() if filter else None
        page = await info.context.repo.list_artifact_versions(
            spec, page_request(first, after, None)
        )
        return Connection.from_page(page, ArtifactVersion.of)

    @strawberry.field(
        description="By id, or by artifact name and version (latest if omitted; with asOf, "
        "the latest created at or before that time)."
    )
    async def artifact_version(
        self,
        info: Info,
        id: strawberry.ID | None = None,
        name: str | None = None,
        version: str | None = None,
        as_of: datetime | None = None,
    ) -> ArtifactVersion | None:
        if one_of(id=id, name=name) == "id":
            if version is not None or as_of is not None:
                which = "version" if version is not None else "asOf"
                raise BadInputError("goes with name, not with id", which)
            found = await info.context.loaders.version.load(str(id))
            return ArtifactVersion.of(found) if found else None
        try:
            return ArtifactVersion.of(
                await info.context.repo.find_artifact_version(
                    str(name), version, stored_time(as_of)
                )
            )
        except NotFoundError:
            return None

    @strawberry.field(
        description="Lineage around an artifact version (by id, or an artifact's version "
        "current at asOf, its newest without), ready to draw."
    )
    async def lineage(
        self,
        info: Info,
        artifact_version_id: strawberry.ID | None = None,
        direction: LineageDirection = LineageDirection.UPSTREAM,
        depth: int = DEFAULT_LINEAGE_DEPTH,
        artifact_name: str | None = None,
        as_of: datetime | None = None,
    ) -> Lineage:
        repo = info.context.repo
        one_of(artifactVersionId=artifact_version_id, artifactName=artifact_name)
        start = await repo.lineage_start(
            artifact_version_id and str(artifact_version_id), artifact_name, stored_time(as_of)
        )
        graph = await repo.lineage(start, Direction(direction.value), depth)
        loaders = info.context.loaders
        versions = present(await loaders.version.load_many(list(graph.artifact_depths)))
        steps = present(await loaders.step.load_many(graph.step_ids))
        return lineage_of(graph, versions, steps)

    @strawberry.field(
        description="Why two artifact versions differ: their upstream steps and artifacts "
        "compared, to depth steps."
    )
    async def lineage_diff(
        self,
        info: Info,
        from_id: strawberry.ID,
        to_id: strawberry.ID,
        depth: int | None = DEFAULT_DIFF_DEPTH,
    ) -> LineageDiff:
        wanted = DEFAULT_DIFF_DEPTH if depth is None else depth
        return LineageDiff.of(
            await diff_lineage(info.context.repo, str(from_id), str(to_id), wanted)
        )

    @strawberry.field(description="Metadata of up to 20 runs by key, with the change per run.")
    async def compare_runs(
        self, info: Info, ids: list[strawberry.ID], keys: list[str] | None = None
    ) -> RunComparison:
        return await compare_runs(info, [str(i) for i in ids], keys)
