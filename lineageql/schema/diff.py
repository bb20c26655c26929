"""``lineageDiff`` and ``modelVersionDiff``: the GraphQL faces of ``lineageql.lineage_diff``
and ``lineageql.model_diff``."""

from __future__ import annotations

import strawberry
from strawberry.scalars import JSON

from lineageql import lineage_diff, model_diff
from lineageql.records import ChangeKind
from lineageql.schema.types import ArtifactVersion, ModelVersion, Step

Change = strawberry.enum(
    ChangeKind,
    name="ChangeKind",
    description="How an upstream step or artifact differs between two versions.",
)


@strawberry.type(description="A key whose value differs; null where a side lacks the key.")
class ValueChange:
    key: str
    from_: JSON | None = strawberry.field(name="from")
    to: JSON | None

    @classmethod
    def of(cls, change: lineage_diff.ValueChange) -> ValueChange:
        return cls(key=change.key, from_=JSON(change.before), to=JSON(change.after))


@strawberry.type(description="An upstream step of either version, matched by step name.")
class StepChange:
    step_name: str
    change: Change  # type: ignore[valid-type]
    from_: Step | None = strawberry.field(name="from")
    to: Step | None
    parameters: list[ValueChange] = strawberry.field(description="Only keys whose values differ.")
    settings: list[ValueChange]
    source_changed: bool = strawberry.field(description="The step's code differs (source hash).")
    git_sha_from: str | None
    git_sha_to: str | None

    @classmethod
    def of(cls, change: lineage_diff.StepChange) -> StepChange:
        return cls(
            step_name=change.step_name,
            change=change.change,
            from_=Step.of(change.before) if change.before else None,
            to=Step.of(change.after) if change.after else None,
            parameters=[ValueChange.of(c) for c in change.parameters],
            settings=[ValueChange.of(c) for c in change.settings],
            source_changed=change.source_changed,
            git_sha_from=change.git_sha_before,
            git_sha_to=change.git_sha_after,
        )


@strawberry.type(description="An upstream artifact of either version, matched by name.")
class ArtifactChange:
    name: str
    change: Change = strawberry.field(  # type: ignore[valid-type]
        description="SAME version, CHANGED (another version), ADDED or REMOVED."
    )
    from_: ArtifactVersion | None = strawberry.field(name="from")
    to: ArtifactVersion | None
    metadata: list[ValueChange] = strawberry.field(
        description="For CHANGED: the metadata keys whose values differ."
    )

    @classmethod
    def of(cls, change: lineage_diff.ArtifactChange) -> ArtifactChange:
        return cls(
            name=change.name,
            change=change.change,
            from_=ArtifactVersion.of(change.before) if change.before else None,
            to=ArtifactVersion.of(change.after) if change.after else None,
            metadata=[ValueChange.of(c) for c in change.metadata],
        )


@strawberry.type(description="Why two artifact versions differ, step by step upstream.")
class LineageDiff:
    from_: ArtifactVersion = strawberry.field(name="from")
    to: ArtifactVersion
    steps: list[StepChange] = strawberry.field(
        description="Upstream steps of both sides, matched by step name (and by nearness "
        "where a name occurs more than once)."
    )
    artifacts: list[ArtifactChange] = strawberry.field(
        description="Upstream artifacts of both sides (the two versions too), matched by name."
    )
    truncated: bool = strawberry.field(
        description="Either side stopped at the depth or size limit."
    )

    @classmethod
    def of(cls, diff: lineage_diff.LineageDiff) -> LineageDiff:
        return cls(
            from_=ArtifactVersion.of(diff.before),
            to=ArtifactVersion.of(diff.after),
            steps=[StepChange.of(c) for c in diff.steps],
            artifacts=[ArtifactChange.of(c) for c in diff.artifacts],
            truncated=diff.truncated,
        )


@strawberry.type(description="A metadata key of either model version, side by side.")
class MetadataSideBySide:
    key: str
    from_: JSON | None = strawberry.field(name="from")
    to: JSON | None
    changed: bool


@strawberry.type(description="What changed between two versions of a model.")
class ModelVersionDiff:
    from_: ModelVersion = strawberry.field(name="from")
    to: ModelVersion
    metadata: list[MetadataSideBySide] = strawberry.field(
        description="Every key of either version, by key; `changed` marks the differences."
    )
    lineage: LineageDiff | None = strawberry.field(
        description="The lineage diff of their model artifacts; null when either holds none."
    )

    @classmethod
    def of(cls, diff: model_diff.ModelVersionDiff) -> ModelVersionDiff:
        return cls(
            from_=ModelVersion.of(diff.before),
            to=ModelVersion.of(diff.after),
            metadata=[
                MetadataSideBySide(
                    key=pair.key, from_=JSON(pair.before), to=JSON(pair.after), changed=pair.changed
                )
                for pair in diff.metadata
            ],
            lineage=LineageDiff.of(diff.lineage) if diff.lineage else None,
        )
