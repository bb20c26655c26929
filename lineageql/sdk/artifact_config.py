"""How a step output or a saved value becomes an artifact: its name, version, tags, type."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from lineageql.artifacts.materializers import Materializer


@dataclass(frozen=True)
class ArtifactConfig:
    """Options for one output, given in ``Annotated[T, ArtifactConfig(...)]`` or YAML.

    ``version`` set: a custom version, which must not exist yet; unset: numbered 1, 2, ...
    ``is_model_artifact`` (or ``artifact_type="model"``) and ``is_deployment_artifact`` say
    what the output is to the model version of its run (data, without them).
    """

    name: str | None = None
    version: str | int | None = None
    tags: tuple[str, ...] | list[str] = ()
    artifact_type: str | None = None
    materializer: type[Materializer] | None = None
    run_metadata: dict[str, Any] = field(default_factory=dict)
    is_model_artifact: bool = False
    is_deployment_artifact: bool = False


@dataclass(frozen=True)
class ExternalArtifact:
    """A value from outside the pipeline, stored as an artifact when the step using it runs.

    A step with an external input is never cached.
    """

    value: Any
    name: str | None = None
    materializer: type[Materializer] | None = None
    store_artifact_metadata: bool = True
    store_artifact_visualizations: bool = True
