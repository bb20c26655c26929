"""The root Mutation type: the one write path for the SDK, tools and other orchestrators
(the model registry's mutations are in ``model_mutations``).

Each mutation is one repository write (one transaction): an unknown id, a reused name or
custom version fails it with a coded error and leaves the graph as it was.
"""

from __future__ import annotations

from dataclasses import asdict
from datetime import UTC, datetime

import strawberry
from strawberry.scalars import JSON

from lineageql.arguments import stored_time
from lineageql.graph.repository import FinishedStep
from lineageql.pruning import prune_artifacts
from lineageql.readpath.objects import StepArtifactValue
from lineageql.records import ExecutionStatus, typed_metadata
from lineageql.schema.context import Info
from lineageql.schema.model_mutations import ModelMutations
from lineageql.schema.mutation_inputs import (
    ArtifactVersionInput,
    CreatePipelineRunInput,
    FinishStepInput,
    MetadataTarget,
    RecordedRunInput,
    RecordStepInput,
    StartStepInput,
    TagTarget,
    finished,
    json_object,
)
from lineageql.schema.types import (
    ArtifactVersion,
    MetadataEntry,
    PipelineRun,
    Status,
    Step,
)


@strawberry.type
class PruneFailure:
    artifact_version_id: strawberry.ID
    uri: str
    message: str


@strawberry.type(description="A pruned version's files left in place: a stored version needs them.")
class PruneKept:
    artifact_version_id: strawberry.ID
    uri: str
    reason: str


@strawberry.type
class PruneResult:
    deleted_version_ids: list[strawberry.ID]
    deleted_uris: list[str]
    kept_uris: list[str] = strawberry.field(
        description="Files of pruned versions outside the artifact store, left untouched."
    )
    in_use: list[PruneKept] = strawberry.field(
        description="Files of pruned versions left in place because a version still stored "
        "needs them (the same path, inside it, or containing it), each with why."
    )
    failures: list[PruneFailure]
    left_uris: list[str] = strawberry.field(
        description="Files left in place because pruning stopped at a failure."
    )
    stopped: str | None = strawberry.field(
        description="Why pruning stopped early (the first file it could not delete, without "
        "ignoreErrors); null when it went through. What was deleted is listed either way."
    )


@strawberry.type
class Mutation(ModelMutations):
    @strawberry.mutation
    async def create_pipeline_run(self, info: Info, input: CreatePipelineRunInput) -> PipelineRun:
        return PipelineRun.of(await info.context.repo.create_run(input.to_record()))

    @strawberry.mutation(
        description="Whole runs at once (steps, new versions, links, metadata, tags) in one "
        "transaction: all are stored, or none. For importers and bulk loads; at most 500."
    )
    async def record_runs(self, info: Info, runs: list[RecordedRunInput]) -> list[PipelineRun]:
        records = [run.to_record() for run in runs]
        return [PipelineRun.of(run) for run in await info.context.repo.record_runs(records)]

    @strawberry.mutation(description="Change a run's status or times (e.g. when it starts).")
    async def update_pipeline_run(
        self,
        info: Info,
        id: strawberry.ID,
        status: Status | None = None,  # type: ignore[valid-type]
        start_time: datetime | None = None,
        end_time: datetime | None = None,
    ) -> PipelineRun:
        record = await info.context.repo.update_run(
            str(id),
            status=status,
            start_time=stored_time(start_time),
            end_time=stored_time(end_time),
        )
        return PipelineRun.of(record)

    @strawberry.mutation(description="End a run: a final status and the end time (now).")
    async def finish_pipeline_run(
        self,
        info: Info,
        id: strawberry.ID,
        status: Status = ExecutionStatus.COMPLETED,  # type: ignore[valid-type]
        end_time: datetime | None = None,
    ) -> PipelineRun:
        record = await info.context.repo.update_run(
            str(id),
            status=finished(status),
            end_time=stored_time(end_time) or stored_time(datetime.now(UTC)),
        )
        return PipelineRun.of(record)

    @strawberry.mutation(description="Record a step of a run with the versions it consumes.")
    async def start_step(self, info: Info, input: StartStepInput) -> Step:
        record = await info.context.repo.create_step(input.to_record(), input.input_links())
        return Step.of(record)

    @strawberry.mutation(description="End a step: its outputs, final status and error message.")
    async def finish_step(self, info: Info, input: FinishStepInput) -> Step:
        done = await info.context.repo.finish_step(
            str(input.step_id),
            outputs=input.output_targets(),
            status=finished(input.status),
            end_time=stored_time(input.end_time),
            error_message=input.error_message,
            loaded=input.loaded_links(),
        )
        return _finished_step(info, done)

    @strawberry.mutation(
        description="Record a step that has already ended, with its inputs and outputs, in one "
        "transaction: startStep and finishStep at once, for a step nobody watched run."
    )
    async def record_step(self, info: Info, input: RecordStepInput) -> Step:
        finished(input.status)
        done = await info.context.repo.record_step(
            input.to_record(),
            input.input_links(),
            input.output_targets(),
            end_time=stored_time(input.end_time),
            error_message=input.error_message,
        )
        return _finished_step(info, done)

    @strawberry.mutation(description="Store an artifact version no step produced (yet).")
    async def create_artifact_version(
        self, info: Info, input: ArtifactVersionInput
    ) -> ArtifactVersion:
        record = await info.context.repo.create_artifact_version(input.to_record())
        return ArtifactVersion.of(record)

    @strawberry.mutation(description="Add tags; returns the tags the target has now.")
    async def add_tags(
        self, info: Info, target: TagTarget, id: strawberry.ID, tags: list[str]
    ) -> list[str]:
        await info.context.repo.add_tags(target.kind, str(id), tags)
        [now] = await info.context.repo.tags_of(target.kind, [str(id)])
        return now

    @strawberry.mutation(description="Remove tags; returns the tags the target has now.")
    async def remove_tags(
        self, info: Info, target: TagTarget, id: strawberry.ID, tags: list[str]
    ) -> list[str]:
        await info.context.repo.remove_tags(target.kind, str(id), tags)
        [now] = await info.context.repo.tags_of(target.kind, [str(id)])
        return now

    @strawberry.mutation(
        description="Set metadata entries (key to value); `types` names the type of values JSON "
        "cannot type (key to StorageSize, DType, Uri or Path). Returns them all."
    )
    async def log_metadata(
        self,
        info: Info,
        target: MetadataTarget,
        id: strawberry.ID,
        values: JSON,
        types: JSON | None = None,
    ) -> list[MetadataEntry]:
        repo = info.context.repo
        typed = typed_metadata(json_object(values, "values"), json_object(types, "types"))
        await repo.log_metadata(target.kind, str(id), typed)
        [entries] = await repo.metadata_of(target.kind, [str(id)])
        return [MetadataEntry.of(entry) for entry in entries]

    @strawberry.mutation(description="Delete a run and its steps; artifact versions stay.")
    async def delete_pipeline_run(self, info: Info, id: strawberry.ID) -> strawberry.ID:
        await info.context.repo.delete_run(str(id))
        return id

    @strawberry.mutation(
        description="Delete artifact versions no run produced or consumed and no model version "
        "holds (with `ids`, only those of them)."
    )
    async def prune_artifacts(
        self,
        info: Info,
        only_metadata: bool = False,
        only_artifact: bool = False,
        ignore_errors: bool = False,
        threads: int = 1,
        ids: list[strawberry.ID] | None = None,
    ) -> PruneResult:
        result = await prune_artifacts(
            info.context.repo,
            info.context.artifact_store,
            only_metadata=only_metadata,
            only_artifact=only_artifact,
            ignore_errors=ignore_errors,
            threads=threads,
            version_ids=None if ids is None else [str(i) for i in ids],
        )
        return PruneResult(
            deleted_version_ids=[strawberry.ID(i) for i in result.deleted_version_ids],
            deleted_uris=result.deleted_uris,
            kept_uris=result.kept_uris,
            # The pruning records and these types have the same fields, ids as plain text.
            in_use=[PruneKept(**asdict(kept)) for kept in result.in_use],
            failures=[PruneFailure(**asdict(failure)) for failure in result.failures],
            left_uris=result.left_uris,
            stopped=result.stopped,
        )


def _finished_step(info: Info, done: FinishedStep) -> Step:
    """The ended step, with what the write returned primed so that the usual follow-up
    field (its outputs and their versions) answers without reading again."""
    created = {version.id: version for version in done.created}
    if all(version_id in created for version_id in done.outputs.values()):
        outputs = [
            StepArtifactValue(name, created[version_id])
            for name, version_id in sorted(done.outputs.items())
        ]
        info.context.field_reads.prime("Step", "outputs", done.step, outputs)
    return Step.of(done.step)
