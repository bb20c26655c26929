"""What the client hands back for the model registry: models, model versions (with the
artifact versions they hold, loadable), and the comparison of two versions."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

from lineageql.client import documents as d
from lineageql.client.diff_views import LineageDiffView
from lineageql.client.views import (
    ArtifactVersionView,
    MetadataValue,
    RunView,
    metadata_values,
    time_of,
)
from lineageql.errors import BadInputError, NotFoundError
from lineageql.model_records import ModelArtifactKind, ModelStage, parse_stage
from lineageql.records import metadata_type_names

if TYPE_CHECKING:
    from lineageql.client.client import Client


def stage_name(stage: ModelStage | str) -> str:
    """The API's name for a stage (``"production"`` -> ``"PRODUCTION"``)."""
    return parse_stage(str(stage)).name


class ModelView:
    """A registered model: its card, tags, and its versions on demand."""

    def __init__(self, client: Client, data: dict[str, Any]) -> None:
        self._client = client
        self.id: str = data["id"]
        self.name: str = data["name"]
        self.created = time_of(data["created"])
        self.description: str | None = data["description"]
        self.license: str | None = data["license"]
        self.audience: str | None = data["audience"]
        self.use_cases: str | None = data["useCases"]
        self.limitations: str | None = data["limitations"]
        self.trade_offs: str | None = data["tradeOffs"]
        self.ethics: str | None = data["ethics"]
        self.tags: list[str] = data["tags"]
        latest = data["latestVersion"]
        self.latest_version_name: str | None = latest["name"] if latest else None

    def __repr__(self) -> str:
        return f"ModelView(name={self.name!r})"

    @property
    def versions(self) -> list[ModelVersionView]:
        """Its versions, newest first."""
        return self._client.list_model_versions(self.name)

    def get_version(self, version: str | int | ModelStage | None = None) -> ModelVersionView:
        return self._client.get_model_version(self.name, version)


@dataclass(frozen=True)
class StageChangeView:
    from_stage: str
    to_stage: str
    at: datetime | None
    by: str | None


class ModelVersionView:
    """One version of a model: its stage, the artifact versions it holds by kind, the runs
    that made it, and its metadata. ``load_artifact`` inside a step links what it loads as
    the step's input."""

    def __init__(
        self,
        client: Client,
        data: dict[str, Any],
        on_load: Callable[[ArtifactVersionView], None] | None = None,
    ) -> None:
        self._client = client
        self._on_load = on_load
        self.id: str = data["id"]
        self.number: int = data["number"]
        self.name: str = data["name"]
        self.model_name: str = data["model"]["name"]
        self.stage: str = data["stage"].lower()
        self.created = time_of(data["created"])
        self.description: str | None = data["description"]
        self.tags: list[str] = data["tags"]
        self.run_metadata: dict[str, MetadataValue] = metadata_values(data["runMetadata"])
        self.artifacts: list[tuple[str, ArtifactVersionView]] = [
            (held["kind"].lower(), ArtifactVersionView(client, held["artifactVersion"]))
            for held in data["artifacts"]
        ]
        self.run_names: list[str] = [run["name"] for run in data["runs"]]
        self.stage_history = [
            StageChangeView(c["fromStage"].lower(), c["toStage"].lower(), time_of(c["at"]), c["by"])
            for c in data["stageHistory"]
        ]

    def __repr__(self) -> str:
        return (
            f"ModelVersionView(model={self.model_name!r}, name={self.name!r}, stage={self.stage!r})"
        )

    @property
    def metadata(self) -> dict[str, Any]:
        return {key: entry.value for key, entry in self.run_metadata.items()}

    def with_loader(self, on_load: Callable[[ArtifactVersionView], None]) -> ModelVersionView:
        """This version, calling ``on_load`` with each artifact version it loads."""
        copy = ModelVersionView.__new__(ModelVersionView)
        copy.__dict__.update(self.__dict__)
        copy._on_load = on_load
        return copy

    def _held(self, kind: ModelArtifactKind | None) -> list[ArtifactVersionView]:
        return [v for k, v in self.artifacts if kind is None or k == kind.value]

    @property
    def model_artifacts(self) -> dict[str, ArtifactVersionView]:
        """Its model artifacts by artifact name (the newest version of each)."""
        return _by_name(self._held(ModelArtifactKind.MODEL))

    @property
    def data_artifacts(self) -> dict[str, ArtifactVersionView]:
        return _by_name(self._held(ModelArtifactKind.DATA))

    def get_artifact(self, name: str) -> ArtifactVersionView:
        """The artifact version called ``name`` that it holds, of any kind."""
        return self._one(name, None)

    def get_model_artifact(self, name: str | None = None) -> ArtifactVersionView:
        """Its model artifact called ``name`` (the only one, when no name is given)."""
        return self._one(name, ModelArtifactKind.MODEL)

    def get_data_artifact(self, name: str) -> ArtifactVersionView:
        return self._one(name, ModelArtifactKind.DATA)

    def load_artifact(self, name: str) -> Any:
        """The value of the artifact version called ``name`` that it holds."""
        version = self.get_artifact(name)
        value = version.load()
        if self._on_load is not None:
            self._on_load(version)
        return value

    def _one(self, name: str | None, kind: ModelArtifactKind | None) -> ArtifactVersionView:
        held = _by_name(self._held(kind))
        what = f"{kind.value} artifact" if kind else "artifact"
        if name is None:
            if len(held) != 1:
                raise BadInputError(
                    f"model version {self.name!r} holds {len(held)} {what}s "
                    f"({', '.join(held) or 'none'}); say which by name"
                )
            return next(iter(held.values()))
        if name not in held:
            raise NotFoundError(
                f"model version {self.name!r} of {self.model_name!r} holds no {what} {name!r}; "
                f"it holds {', '.join(held) or 'none'}"
            )
        return held[name]

    @property
    def runs(self) -> dict[str, RunView]:
        """The runs that made it, by name, newest first."""
        return {name: self._client.get_pipeline_run(name) for name in self.run_names}

    def set_stage(self, stage: ModelStage | str, force: bool = False) -> ModelVersionView:
        """Move it to ``stage``; a staging or production stage another version holds fails
        unless ``force``, which archives that version. Returns it as stored now."""
        self._client.execute(d.SET_MODEL_STAGE, id=self.id, stage=stage_name(stage), force=force)
        return self._client.get_model_version(self.model_name, self.name)

    def log_metadata(self, metadata: dict[str, Any]) -> None:
        self._client.execute(
            d.LOG_METADATA,
            target="MODEL_VERSION",
            id=self.id,
            values=metadata,
            types=metadata_type_names(metadata),
        )


def _by_name(versions: list[ArtifactVersionView]) -> dict[str, ArtifactVersionView]:
    """By artifact name; of several versions of one artifact, the first (the newest)."""
    named: dict[str, ArtifactVersionView] = {}
    for version in versions:
        named.setdefault(version.name, version)
    return named


@dataclass(frozen=True)
class MetadataSide:
    key: str
    before: Any
    after: Any
    changed: bool


@dataclass(frozen=True)
class ModelVersionDiffView:
    """Two versions of a model compared: metadata side by side, and the lineage diff of
    their model artifacts (None when either holds none)."""

    model: str
    before: str
    after: str
    metadata: list[MetadataSide]
    lineage: LineageDiffView | None

    @classmethod
    def of(cls, model: str, data: dict[str, Any]) -> ModelVersionDiffView:
        return cls(
            model=model,
            before=data["from"]["name"],
            after=data["to"]["name"],
            metadata=[
                MetadataSide(m["key"], m["from"], m["to"], m["changed"]) for m in data["metadata"]
            ],
            lineage=LineageDiffView.of(data["lineage"]) if data["lineage"] else None,
        )
