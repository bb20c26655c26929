"""``Model``: the model a pipeline's runs make versions of, or a version a run uses.

``@pipeline(model=Model(name="iris"))`` makes a new version per run holding the run's
outputs; ``version="1.2.0"`` makes (or keeps adding to) the version of that name. A version
asked for by stage or number (``Model(name="iris", version="production")``) is one that
exists: the run uses it, and a step that loads its artifacts consumes them, so lineage runs
through the promotion; the run adds nothing to it.
"""

from __future__ import annotations

import contextlib
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from lineageql.errors import ConflictError, NotFoundError
from lineageql.model_records import ModelArtifactKind, ModelStage
from lineageql.sdk.artifact_config import ArtifactConfig

if TYPE_CHECKING:
    from lineageql.client import Client, ModelVersionView


@dataclass(frozen=True)
class Model:
    """A model by name, with the card used when a run registers it, and which version."""

    name: str
    version: str | int | ModelStage | None = None
    description: str | None = None
    license: str | None = None
    audience: str | None = None
    use_cases: str | None = None
    limitations: str | None = None
    trade_offs: str | None = None
    ethics: str | None = None
    tags: list[str] = field(default_factory=list)

    @property
    def made_by_runs(self) -> bool:
        """Whether each run makes (or adds to) its version, rather than using one that exists."""
        if self.version is None:
            return True
        if isinstance(self.version, int | ModelStage):
            return False
        text = str(self.version)
        return not (text.isdigit() or text.lower() in {stage.value for stage in ModelStage})

    def version_for_run(self, client: Client) -> ModelVersionView:
        """The version a run of a pipeline with this model works with."""
        if not self.made_by_runs:
            return client.get_model_version(self.name, self.version)
        try:
            client.get_model(self.name)
        except NotFoundError:
            card = {
                key: getattr(self, key)
                for key in (
                    "description",
                    "license",
                    "audience",
                    "use_cases",
                    "limitations",
                    "trade_offs",
                    "ethics",
                    "tags",
                )
                if getattr(self, key)
            }
            with contextlib.suppress(ConflictError):  # another run registered it meanwhile
                client.create_model(self.name, **card)
        name = None if self.version is None else str(self.version)
        return client.create_model_version(self.name, name=name, reuse_named=name is not None)


def artifact_kind(config: ArtifactConfig) -> ModelArtifactKind:
    """What an output is to the model version of its run."""
    if config.is_model_artifact or config.artifact_type == "model":
        return ModelArtifactKind.MODEL
    if config.is_deployment_artifact:
        return ModelArtifactKind.DEPLOYMENT
    return ModelArtifactKind.DATA
