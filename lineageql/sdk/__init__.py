"""The pipeline SDK: steps and pipelines that record their own lineage."""

from lineageql.sdk.artifact_config import ArtifactConfig, ExternalArtifact
from lineageql.sdk.functions import (
    load_artifact,
    log_artifact_metadata,
    log_metadata,
    register_artifact,
    save_artifact,
)
from lineageql.sdk.model import Model
from lineageql.sdk.pipelines import PipelineFunction, pipeline
from lineageql.sdk.runner import StepFailedError
from lineageql.sdk.step_context import StepContext, get_step_context
from lineageql.sdk.steps import StepFunction, step

__all__ = [
    "ArtifactConfig",
    "ExternalArtifact",
    "Model",
    "PipelineFunction",
    "StepContext",
    "StepFailedError",
    "StepFunction",
    "get_step_context",
    "load_artifact",
    "log_artifact_metadata",
    "log_metadata",
    "pipeline",
    "register_artifact",
    "save_artifact",
    "step",
]
