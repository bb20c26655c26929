"""The model registry's mutations and their inputs; ``Mutation`` includes them.

Each is one registry write (one transaction): an unknown model or version, a name taken or a
stage held fails it with a coded error and leaves the registry as it was.
"""

from __future__ import annotations

import strawberry
from strawberry.scalars import JSON

from lineageql.model_records import ModelArtifactLink, NewModel, NewModelVersion
from lineageql.records import typed_metadata
from lineageql.schema.context import Info
from lineageql.schema.mutation_inputs import json_object
from lineageql.schema.types import ArtifactKind, Model, ModelVersion, Stage


@strawberry.input(description="A model to register, with its model card.")
class ModelInput:
    name: str
    description: str | None = None
    license: str | None = None
    audience: str | None = None
    use_cases: str | None = None
    limitations: str | None = None
    trade_offs: str | None = None
    ethics: str | None = None
    tags: list[str] = strawberry.field(default_factory=list)

    def to_record(self) -> NewModel:
        return NewModel(**vars(self))


@strawberry.input(description="A new version of a model (registered on its first version).")
class ModelVersionInput:
    model: str
    name: str | None = strawberry.field(
        default=None, description="Such as 1.2.0; unnamed versions are called by their number."
    )
    description: str | None = None
    tags: list[str] = strawberry.field(default_factory=list)
    metadata: JSON | None = None
    metadata_types: JSON | None = strawberry.field(
        default=None, description="Key to StorageSize, DType, Uri or Path, as in logMetadata."
    )
    reuse_named: bool = strawberry.field(
        default=False,
        description="When a version of this name exists, answer it instead of failing.",
    )

    def to_record(self) -> NewModelVersion:
        metadata = typed_metadata(
            json_object(self.metadata, "metadata"),
            json_object(self.metadata_types, "metadataTypes"),
        )
        return NewModelVersion(
            model_name=self.model,
            name=self.name,
            description=self.description,
            tags=self.tags,
            metadata=metadata,
        )


@strawberry.input(description="An artifact version for a model version to hold.")
class ModelArtifactInput:
    artifact_version_id: strawberry.ID
    kind: ArtifactKind = strawberry.field(  # type: ignore[valid-type]
        default=ArtifactKind.DATA
    )

    def to_record(self) -> ModelArtifactLink:
        return ModelArtifactLink(artifact_version_id=str(self.artifact_version_id), kind=self.kind)


@strawberry.type
class ModelMutations:
    @strawberry.mutation(description="Register a model; a name already registered fails.")
    async def create_model(self, info: Info, input: ModelInput) -> Model:
        return Model.of(await info.context.repo.models.create_model(input.to_record()))

    @strawberry.mutation(description="Number a new version of a model.")
    async def create_model_version(self, info: Info, input: ModelVersionInput) -> ModelVersion:
        registry = info.context.repo.models
        record = await registry.create_model_version(
            input.to_record(), reuse_named=input.reuse_named
        )
        return ModelVersion.of(record)

    @strawberry.mutation(description="Add artifact versions to a model version, with kinds.")
    async def link_model_artifacts(
        self, info: Info, model_version_id: strawberry.ID, artifacts: list[ModelArtifactInput]
    ) -> ModelVersion:
        links = [artifact.to_record() for artifact in artifacts]
        record = await info.context.repo.models.link_model_artifacts(str(model_version_id), links)
        return ModelVersion.of(record)

    @strawberry.mutation(description="Record the pipeline runs that made a model version.")
    async def link_model_runs(
        self, info: Info, model_version_id: strawberry.ID, run_ids: list[strawberry.ID]
    ) -> ModelVersion:
        record = await info.context.repo.models.link_model_runs(
            str(model_version_id), [str(run_id) for run_id in run_ids]
        )
        return ModelVersion.of(record)

    @strawberry.mutation(
        description="Move a model version to a stage. STAGING or PRODUCTION held by another "
        "version fails unless force, which archives that version in the same transaction."
    )
    async def set_model_version_stage(
        self,
        info: Info,
        id: strawberry.ID,
        stage: Stage,  # type: ignore[valid-type]
        force: bool = False,
    ) -> ModelVersion:
        record = await info.context.repo.models.set_stage(
            str(id), stage, force=force, by=info.context.actor
        )
        return ModelVersion.of(record)
