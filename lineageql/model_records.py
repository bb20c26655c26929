"""Records of the model registry: models, their numbered versions, the artifact versions and
runs each version holds, and every stage change. Kept beside ``records`` (the tracking
records) as MLflow keeps its registry entities beside its tracking ones."""

from __future__ import annotations

from enum import StrEnum
from typing import Any

from pydantic import Field, field_validator

from lineageql.errors import BadInputError
from lineageql.records import Record, check_name, check_tags, derived_id


class ModelStage(StrEnum):
    """Where a model version stands. STAGING and PRODUCTION are held by one version at a
    time; any number of versions are NONE or ARCHIVED."""

    NONE = "none"
    STAGING = "staging"
    PRODUCTION = "production"
    ARCHIVED = "archived"

    @property
    def exclusive(self) -> bool:
        return self in (ModelStage.STAGING, ModelStage.PRODUCTION)


class ModelArtifactKind(StrEnum):
    """What an artifact version is to the model version holding it."""

    MODEL = "model"
    DATA = "data"
    DEPLOYMENT = "deployment"
    EVALUATION = "evaluation"


def model_id_for(name: str) -> str:
    """The id of the model called ``name``."""
    return derived_id("model", name)


MODEL_CARD_FIELDS = ("license", "audience", "use_cases", "limitations", "trade_offs", "ethics")
"""The model-card texts a model keeps besides its description."""


class NewModel(Record):
    """What registering a model takes."""

    name: str
    description: str | None = None
    license: str | None = None
    audience: str | None = None
    use_cases: str | None = None
    limitations: str | None = None
    trade_offs: str | None = None
    ethics: str | None = None
    tags: list[str] = Field(default_factory=list)

    @field_validator("name")
    @classmethod
    def _name(cls, value: str) -> str:
        return check_name(value, "name")

    @field_validator("tags")
    @classmethod
    def _tags(cls, value: list[str]) -> list[str]:
        return check_tags(value)


class ModelRecord(Record):
    id: str
    name: str
    created: str
    description: str | None = None
    license: str | None = None
    audience: str | None = None
    use_cases: str | None = None
    limitations: str | None = None
    trade_offs: str | None = None
    ethics: str | None = None


class NewModelVersion(Record):
    """What creating a version of a model takes; ``name`` defaults to its number."""

    model_name: str
    name: str | None = None
    description: str | None = None
    tags: list[str] = Field(default_factory=list)
    metadata: dict[str, Any] = Field(default_factory=dict)

    @field_validator("name")
    @classmethod
    def _version_name(cls, value: str | None) -> str | None:
        if value is None:
            return None
        check_name(value, "name")
        if value.isdigit():
            raise BadInputError(
                f"{value!r} is a plain number, which is reserved for version numbers; "
                "use a name such as '1.2.0' or leave the name out",
                "name",
            )
        if value in {stage.value for stage in ModelStage}:
            raise BadInputError(
                f"{value!r} is a stage; a version named so could not be asked for by name",
                "name",
            )
        return value

    @field_validator("tags")
    @classmethod
    def _tags(cls, value: list[str]) -> list[str]:
        return check_tags(value)


class ModelVersionRecord(Record):
    id: str
    model_id: str
    number: int
    name: str
    stage: ModelStage
    created: str
    description: str | None = None


class ModelArtifactLink(Record):
    """One artifact version a model version holds, and what it is to it."""

    artifact_version_id: str
    kind: ModelArtifactKind


class StageChange(Record):
    """One change of a version's stage: when, from what to what, and by whom (the token's
    fingerprint when the server requires one)."""

    id: str
    model_id: str
    version_id: str
    from_stage: ModelStage
    to_stage: ModelStage
    at: str
    by: str | None = None


def parse_stage(value: str, field: str = "stage") -> ModelStage:
    """The stage named ``value`` (any case), or a BadInputError listing the stages."""
    try:
        return ModelStage(value.lower())
    except ValueError as error:
        allowed = ", ".join(stage.value for stage in ModelStage)
        raise BadInputError(f"{value!r} is not one of {allowed}", field) from error


def stages_at(changes: list[StageChange], moment: str) -> dict[str, ModelStage]:
    """Each version's stage at ``moment`` (a stored time), replaying ``changes`` in order."""
    stages: dict[str, ModelStage] = {}
    for change in sorted(changes, key=lambda c: (c.at, c.id)):
        if change.at > moment:
            break
        stages[change.version_id] = change.to_stage
    return stages
