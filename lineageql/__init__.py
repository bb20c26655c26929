"""lineageql: a GraphQL lineage API over a graph database for ML pipelines.

The names a pipeline script imports: ``from lineageql import pipeline, step, Client``.
"""

from lineageql.artifacts.materializers import Materializer, register_materializer
from lineageql.client import Client
from lineageql.errors import (
    AmbiguousError,
    BadInputError,
    ConflictError,
    LineageError,
    NotFoundError,
    StoreUnavailableError,
    UnauthenticatedError,
)
from lineageql.sdk import (
    ArtifactConfig,
    ExternalArtifact,
    get_step_context,
    load_artifact,
    log_artifact_metadata,
    log_metadata,
    pipeline,
    register_artifact,
    save_artifact,
    step,
)

__version__ = "0.1.0"

__all__ = [
    "AmbiguousError",
    "ArtifactConfig",
    "BadInputError",
    "Client",
    "ConflictError",
    "ExternalArtifact",
    "LineageError",
    "Materializer",
    "NotFoundError",
    "StoreUnavailableError",
    "UnauthenticatedError",
    "get_step_context",
    "load_artifact",
    "log_artifact_metadata",
    "log_metadata",
    "pipeline",
    "register_artifact",
    "register_materializer",
    "save_artifact",
    "step",
]
