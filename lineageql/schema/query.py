"""The root Query type: each field's shape here, its data access in ``lineageql.readpath``."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

import strawberry

from lineageql.graph.listing import DEFAULT_PAGE_SIZE
from lineageql.graph.repository import DEFAULT_LINEAGE_DEPTH
from lineageql.lineage_diff import DEFAULT_DIFF_DEPTH, diff_lineage
from lineageql.model_diff import diff_model_versions
from lineageql.readpath import ROOTS
from lineageql.schema.comparison import RunComparison, compare_runs
from lineageql.schema.connections import Connection
from lineageql.schema.context import Info
from lineageql.schema.diff import LineageDiff, ModelVersionDiff
from lineageql.schema.inputs import (
    ArtifactFilterInput,
    ArtifactVersionFilter,
    NameOrder,
    PipelineFilterInput,
    PipelineRunFilter,
    RunOrder,
)
from lineageql.schema.types import (
    Artifact,
    ArtifactVersion,
    ColumnLineage,
    Lineage,
    LineageDirection,
    Model,
    ModelVersion,
    Pipeline,
    PipelineRun,
    Stage,
    Step,
    as_objects,
)


async def answer(info: Info, **args: Any) -> Any:
    """The resolver's answer: its root field's read (``lineageql.readpath.roots``)."""
    return as_objects(await ROOTS[info.field_name](info.context.repo, **args))


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
        return await answer(info, first=first, after=after, filter=filter, order_by=order_by)  # type: ignore[no-any-return]

    @strawberry.field
    async def pipeline(
        self, info: Info, id: strawberry.ID | None = None, name: str | None = None
    ) -> Pipeline | None:
        return await answer(info, id=id, name=name)  # type: ignore[no-any-return]

    @strawberry.field
    async def pipeline_runs(
        self,
        info: Info,
        first: int = DEFAULT_PAGE_SIZE,
        after: str | None = None,
        filter: PipelineRunFilter | None = None,
        order_by: RunOrder | None = None,
    ) -> Connection[PipelineRun]:
        return await answer(info, first=first, after=after, filter=filter, order_by=order_by)  # type: ignore[no-any-return]

    @strawberry.field(description="A run by id, by name, or by a name prefix that only it has.")
    async def pipeline_run(
        self,
        info: Info,
        id: strawberry.ID | None = None,
        name: str | None = None,
        name_prefix: str | None = None,
    ) -> PipelineRun | None:
        return await answer(info, id=id, name=name, name_prefix=name_prefix)  # type: ignore[no-any-return]

    @strawberry.field
    async def step(self, info: Info, id: strawberry.ID) -> Step | None:
        return await answer(info, id=id)  # type: ignore[no-any-return]

    @strawberry.field(description="The newest completed step with this cache key, if any.")
    async def cached_step(self, info: Info, cache_key: str) -> Step | None:
        return await answer(info, cache_key=cache_key)  # type: ignore[no-any-return]

    @strawberry.field
    async def artifacts(
        self,
        info: Info,
        first: int = DEFAULT_PAGE_SIZE,
        after: str | None = None,
        filter: ArtifactFilterInput | None = None,
        order_by: NameOrder | None = None,
    ) -> Connection[Artifact]:
        return await answer(info, first=first, after=after, filter=filter, order_by=order_by)  # type: ignore[no-any-return]

    @strawberry.field
    async def artifact(
        self, info: Info, id: strawberry.ID | None = None, name: str | None = None
    ) -> Artifact | None:
        return await answer(info, id=id, name=name)  # type: ignore[no-any-return]

    @strawberry.field
    async def artifact_versions(
        self,
        info: Info,
        first: int = DEFAULT_PAGE_SIZE,
        after: str | None = None,
        filter: ArtifactVersionFilter | None = None,
    ) -> Connection[ArtifactVersion]:
        return await answer(info, first=first, after=after, filter=filter)  # type: ignore[no-any-return]

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
        return await answer(info, id=id, name=name, version=version, as_of=as_of)  # type: ignore[no-any-return]

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
        return await answer(  # type: ignore[no-any-return]
            info,
            artifact_version_id=artifact_version_id,
            direction=direction,
            depth=depth,
            artifact_name=artifact_name,
            as_of=as_of,
        )

    @strawberry.field(
        description="Column-level lineage around one column of an artifact version (by id, "
        "or an artifact's version current at asOf, its newest without), ready to draw."
    )
    async def column_lineage(
        self,
        info: Info,
        column: str,
        artifact_version_id: strawberry.ID | None = None,
        artifact_name: str | None = None,
        as_of: datetime | None = None,
        direction: LineageDirection = LineageDirection.UPSTREAM,
        depth: int = DEFAULT_LINEAGE_DEPTH,
    ) -> ColumnLineage:
        return await answer(  # type: ignore[no-any-return]
            info,
            column=column,
            artifact_version_id=artifact_version_id,
            artifact_name=artifact_name,
            as_of=as_of,
            direction=direction,
            depth=depth,
        )

    @strawberry.field(description="Registered models, by name.")
    async def models(
        self, info: Info, first: int = DEFAULT_PAGE_SIZE, after: str | None = None
    ) -> Connection[Model]:
        return await answer(info, first=first, after=after)  # type: ignore[no-any-return]

    @strawberry.field
    async def model(
        self, info: Info, id: strawberry.ID | None = None, name: str | None = None
    ) -> Model | None:
        return await answer(info, id=id, name=name)  # type: ignore[no-any-return]

    @strawberry.field(
        description="A version of a model: by version (a name, a number or a stage, as "
        "ZenML spells it), number or stage (the version holding it at asOf, if given); its "
        "latest without any. Null when the model has no such version."
    )
    async def model_version(
        self,
        info: Info,
        model: str,
        version: str | None = None,
        number: int | None = None,
        stage: Stage | None = None,  # type: ignore[valid-type]
        as_of: datetime | None = None,
    ) -> ModelVersion | None:
        return await answer(  # type: ignore[no-any-return]
            info, model=model, version=version, number=number, stage=stage, as_of=as_of
        )

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

    @strawberry.field(
        description="What changed between two versions of a model (each a stage, number or "
        "name, such as production and staging): their model artifacts' lineage diff and "
        "their metadata side by side."
    )
    async def model_version_diff(
        self,
        info: Info,
        model: str,
        from_: Annotated[str, strawberry.argument(name="from")],
        to: str,
        depth: int | None = DEFAULT_DIFF_DEPTH,
    ) -> ModelVersionDiff:
        wanted = DEFAULT_DIFF_DEPTH if depth is None else depth
        found = await diff_model_versions(info.context.repo, model, from_, to, wanted)
        return ModelVersionDiff.of(found)

    @strawberry.field(description="Metadata of up to 20 runs by key, with the change per run.")
    async def compare_runs(
        self, info: Info, ids: list[strawberry.ID], keys: list[str] | None = None
    ) -> RunComparison:
        return await compare_runs(info, [str(i) for i in ids], keys)
