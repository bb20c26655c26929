"""What ``ArtifactVersionView.diff`` returns: typed changes between two versions' lineage.

``before`` is the version diffed from (GraphQL's ``from``) and ``after`` the one diffed to
(``to``)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from lineageql.records import ChangeKind


@dataclass(frozen=True)
class ValueChange:
    """A key whose value differs; None where a side lacks the key."""

    key: str
    before: Any
    after: Any


@dataclass(frozen=True)
class StepRef:
    id: str
    name: str
    status: str


@dataclass(frozen=True)
class VersionRef:
    id: str
    version: str


@dataclass(frozen=True)
class StepChange:
    step_name: str
    change: ChangeKind
    before: StepRef | None
    after: StepRef | None
    parameters: list[ValueChange]
    settings: list[ValueChange]
    source_changed: bool
    git_sha_before: str | None
    git_sha_after: str | None


@dataclass(frozen=True)
class ArtifactChange:
    name: str
    change: ChangeKind
    before: VersionRef | None
    after: VersionRef | None
    metadata: list[ValueChange]


@dataclass(frozen=True)
class LineageDiffView:
    """Upstream steps and artifacts of two versions, matched by name."""

    name: str
    before_version: str
    after_version: str
    steps: list[StepChange]
    artifacts: list[ArtifactChange]
    truncated: bool

    @classmethod
    def of(cls, data: dict[str, Any]) -> LineageDiffView:
        """From the answer of ``documents.LINEAGE_DIFF``."""
        return cls(
            name=data["to"]["name"],
            before_version=data["from"]["version"],
            after_version=data["to"]["version"],
            steps=[
                StepChange(
                    step_name=s["stepName"],
                    change=ChangeKind(s["change"]),
                    before=_step(s["from"]),
                    after=_step(s["to"]),
                    parameters=_values(s["parameters"]),
                    settings=_values(s["settings"]),
                    source_changed=s["sourceChanged"],
                    git_sha_before=s["gitShaFrom"],
                    git_sha_after=s["gitShaTo"],
                )
                for s in data["steps"]
            ],
            artifacts=[
                ArtifactChange(
                    name=a["name"],
                    change=ChangeKind(a["change"]),
                    before=_version(a["from"]),
                    after=_version(a["to"]),
                    metadata=_values(a["metadata"]),
                )
                for a in data["artifacts"]
            ],
            truncated=data["truncated"],
        )

    def changed(self) -> tuple[list[StepChange], list[ArtifactChange]]:
        """The steps and artifacts that are not SAME."""
        return (
            [s for s in self.steps if s.change is not ChangeKind.SAME],
            [a for a in self.artifacts if a.change is not ChangeKind.SAME],
        )


def _values(entries: list[dict[str, Any]]) -> list[ValueChange]:
    return [ValueChange(e["key"], e["from"], e["to"]) for e in entries]


def _step(data: dict[str, Any] | None) -> StepRef | None:
    return StepRef(data["id"], data["name"], data["status"]) if data else None


def _version(data: dict[str, Any] | None) -> VersionRef | None:
    return VersionRef(data["id"], data["version"]) if data else None
