"""Input objects of the mutations, and their translation into repository records."""

from __future__ import annotations

from datetime import datetime
from enum import Enum
from typing import Any

import strawberry
from strawberry.scalars import JSON

from lineageql.arguments import stored_time
from lineageql.errors import BadInputError
from lineageql.graph import NodeKind
from lineageql.records import (
    ExecutionStatus,
    NewArtifactVersion,
    NewColumn,
    NewRun,
    NewStep,
    OutputRef,
    RecordedRun,
    RecordedStep,
    SaveType,
    Visualization,
    default_run_name,
    typed_metadata,
)
from lineageql.schema.types import ArtifactSaveType, Status


def json_object(value: Any, field: str) -> dict[str, Any]:
    """``value`` if it is a JSON object (or missing), else a BadInputError naming ``field``."""
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise BadInputError(f"must be a JSON object, got {type(value).__name__}", field)
    return value


def finished(status: ExecutionStatus, field: str = "status") -> ExecutionStatus:
    if not status.is_finished:
        raise BadInputError(
            f"{status.value!r} is not a final status; use completed, failed or cached", field
        )
    return status


@strawberry.enum(description="What can carry tags.")
class TagTarget(Enum):
    PIPELINE = "Pipeline"
    PIPELINE_RUN = "PipelineRun"
    ARTIFACT = "Artifact"
    ARTIFACT_VERSION = "ArtifactVersion"
    MODEL = "Model"
    MODEL_VERSION = "ModelVersion"

    @property
    def kind(self) -> NodeKind:
        return NodeKind(self.value)


@strawberry.enum(description="What can carry metadata.")
class MetadataTarget(Enum):
    PIPELINE_RUN = "PipelineRun"
    STEP = "Step"
    ARTIFACT_VERSION = "ArtifactVersion"
    MODEL_VERSION = "ModelVersion"

    @property
    def kind(self) -> NodeKind:
        return NodeKind(self.value)


@strawberry.input
class CreatePipelineRunInput:
    pipeline_name: str
    name: str | None = strawberry.field(
        default=None, description="Defaults to '<pipeline>-<date>-<time>'."
    )
    status: Status = ExecutionStatus.INITIALIZED  # type: ignore[valid-type]
    config: JSON | None = None
    settings: JSON | None = None
    git_sha: str | None = None
    docstring: str | None = None
    pipeline_docstring: str | None = None
    tags: list[str] | None = None
    start_time: datetime | None = None
    structure_hash: str | None = strawberry.field(
        default=None, description="A hash of the pipeline's structure; a new one is a new version."
    )

    def to_record(self) -> NewRun:
        return NewRun(
            pipeline_name=self.pipeline_name,
            name=self.name if self.name is not None else default_run_name(self.pipeline_name),
            status=self.status,
            config=json_object(self.config, "config"),
            settings=json_object(self.settings, "settings"),
            git_sha=self.git_sha,
            docstring=self.docstring,
            pipeline_docstring=self.pipeline_docstring,
            tags=self.tags or [],
            start_time=stored_time(self.start_time),
            structure_hash=self.structure_hash,
        )


@strawberry.input(description="A named input of a step: an artifact version it consumes.")
class StepInputLink:
    name: str
    artifact_version_id: strawberry.ID


@strawberry.input
class StartStepInput:
    run_id: strawberry.ID
    name: str = strawberry.field(description="The invocation id, unique within the run.")
    step_name: str | None = None
    status: Status = ExecutionStatus.RUNNING  # type: ignore[valid-type]
    cache_key: str | None = None
    parameters: JSON | None = None
    settings: JSON | None = None
    docstring: str | None = None
    start_time: datetime | None = None
    inputs: list[StepInputLink] | None = None
    source_hash: str | None = strawberry.field(
        default=None, description="A hash of the step's code; lineageDiff compares it."
    )

    def to_record(self) -> NewStep:
        return NewStep(
            run_id=str(self.run_id),
            name=self.name,
            step_name=self.step_name,
            status=self.status,
            cache_key=self.cache_key,
            parameters=json_object(self.parameters, "parameters"),
            settings=json_object(self.settings, "settings"),
            docstring=self.docstring,
            start_time=stored_time(self.start_time),
            source_hash=self.source_hash,
        )

    def input_links(self) -> dict[str, str]:
        return _links(self.inputs or [], "inputs")


@strawberry.input
class VisualizationInput:
    type: str
    uri: str


@strawberry.input(description="A column of a new artifact version.")
class ColumnInput:
    name: str
    type: str | None = None
    description: str | None = None


@strawberry.input
class ArtifactVersionInput:
    name: str
    uri: str
    type: str = "data"
    data_type: str | None = None
    materializer: str | None = None
    save_type: ArtifactSaveType = SaveType.MANUAL  # type: ignore[valid-type]
    version: str | None = strawberry.field(
        default=None, description="A custom version; numbered automatically when left out."
    )
    tags: list[str] | None = None
    visualizations: list[VisualizationInput] | None = None
    metadata: JSON | None = None
    metadata_types: JSON | None = strawberry.field(
        default=None,
        description="Metadata key to type name, for values JSON cannot type (StorageSize, DType, "
        "Uri, Path).",
    )
    columns: list[ColumnInput] | None = strawberry.field(
        default=None, description="Its columns (a table's fields), in their order."
    )

    def to_record(self, save_type: SaveType | None = None) -> NewArtifactVersion:
        return NewArtifactVersion(
            name=self.name,
            uri=self.uri,
            type=self.type,
            data_type=self.data_type,
            materializer=self.materializer,
            save_type=save_type or self.save_type,
            version=self.version,
            tags=self.tags or [],
            visualizations=[
                Visualization(type=v.type, uri=v.uri) for v in self.visualizations or []
            ],
            metadata=typed_metadata(
                json_object(self.metadata, "metadata"),
                json_object(self.metadata_types, "metadataTypes"),
            ),
            columns=[
                NewColumn(name=c.name, type=c.type, description=c.description)
                for c in self.columns or []
            ],
        )


@strawberry.input(description="A named output: an existing version, or a new one to store.")
class StepOutputInput:
    name: str
    artifact_version_id: strawberry.ID | None = None
    new_version: ArtifactVersionInput | None = None

    def target(self) -> NewArtifactVersion | str:
        if (self.artifact_version_id is None) == (self.new_version is None):
            raise BadInputError(
                f"output {self.name!r} needs exactly one of artifactVersionId and newVersion",
                "outputs",
            )
        if self.new_version is not None:
            return self.new_version.to_record(SaveType.STEP_OUTPUT)
        return str(self.artifact_version_id)


@strawberry.input(description="How a step ended: its final status, time, error and outputs.")
class StepEnding:
    status: Status = ExecutionStatus.COMPLETED  # type: ignore[valid-type]
    end_time: datetime | None = None
    error_message: str | None = None
    outputs: list[StepOutputInput] | None = None

    def output_targets(self) -> dict[str, NewArtifactVersion | str]:
        outputs = self.outputs or []
        _no_repeats([output.name for output in outputs], "outputs")
        return {output.name: output.target() for output in outputs}


@strawberry.input
class FinishStepInput(StepEnding):
    step_id: strawberry.ID
    loaded_inputs: list[StepInputLink] | None = strawberry.field(
        default=None,
        description="Versions the step loaded while it ran (such as a model it was handed), "
        "linked as its inputs.",
    )

    def loaded_links(self) -> dict[str, str]:
        return _links(self.loaded_inputs or [], "loadedInputs")


@strawberry.input(
    description="A step that has already ended, recorded whole: what startStep and then "
    "finishStep would take, in one transaction."
)
class RecordStepInput(StepEnding, StartStepInput):
    pass


def _links(links: list[StepInputLink], field: str) -> dict[str, str]:
    _no_repeats([link.name for link in links], field)
    return {link.name: str(link.artifact_version_id) for link in links}


def _no_repeats(names: list[str], field: str) -> None:
    repeated = sorted({name for name in names if names.count(name) > 1})
    if repeated:
        raise BadInputError(f"names must be unique; repeated: {', '.join(repeated)}", field)


@strawberry.input(
    description="A named input of a recorded step: an existing version (artifactVersionId), "
    "or an output of an earlier step of the same run (fromStep and fromOutput)."
)
class RecordedInputLink:
    name: str
    artifact_version_id: strawberry.ID | None = None
    from_step: str | None = None
    from_output: str | None = None

    def source(self) -> str | OutputRef:
        if self.artifact_version_id is not None and self.from_step is None:
            return str(self.artifact_version_id)
        if self.artifact_version_id is None and self.from_step and self.from_output:
            return OutputRef(step=self.from_step, output=self.from_output)
        raise BadInputError(
            f"input {self.name!r} needs artifactVersionId, or fromStep and fromOutput", "inputs"
        )


@strawberry.input(description="A whole step: its record, inputs, outputs and metadata.")
class RecordedStepInput:
    name: str
    step_name: str | None = None
    status: Status = ExecutionStatus.COMPLETED  # type: ignore[valid-type]
    cache_key: str | None = None
    parameters: JSON | None = None
    settings: JSON | None = None
    docstring: str | None = None
    source_hash: str | None = None
    start_time: datetime | None = None
    end_time: datetime | None = None
    error_message: str | None = None
    inputs: list[RecordedInputLink] | None = None
    outputs: list[StepOutputInput] | None = None
    metadata: JSON | None = None

    def to_record(self) -> RecordedStep:
        inputs, outputs = self.inputs or [], self.outputs or []
        _no_repeats([link.name for link in inputs], "inputs")
        _no_repeats([output.name for output in outputs], "outputs")
        return RecordedStep(
            name=self.name,
            step_name=self.step_name,
            status=self.status,
            cache_key=self.cache_key,
            parameters=json_object(self.parameters, "parameters"),
            settings=json_object(self.settings, "settings"),
            docstring=self.docstring,
            source_hash=self.source_hash,
            start_time=stored_time(self.start_time),
            end_time=stored_time(self.end_time),
            error_message=self.error_message,
            inputs={link.name: link.source() for link in inputs},
            outputs={output.name: output.target() for output in outputs},
            metadata=json_object(self.metadata, "metadata"),
        )


@strawberry.input(description="A whole run: the run, its steps in execution order, metadata.")
class RecordedRunInput:
    run: CreatePipelineRunInput
    end_time: datetime | None = None
    metadata: JSON | None = None
    steps: list[RecordedStepInput] | None = None

    def to_record(self) -> RecordedRun:
        return RecordedRun(
            run=self.run.to_record(),
            end_time=stored_time(self.end_time),
            metadata=json_object(self.metadata, "metadata"),
            steps=[step.to_record() for step in self.steps or []],
        )
