"""A ZenML export written into lineageql: idempotent, incremental, through the bulk writes.

ZenML's ids and creation, start and end times are kept, so links mean the same in both and
every list orders as in ZenML. What lineageql already holds (by id) is left alone, so a
second import writes nothing and a later one brings in only what is new; each write is one
transaction (a batch of runs, one artifact version, one model version), so an import that
stops half-way leaves whole records behind and is simply run again.

Versions written by ZenML's built-in, NumPy and pandas materializers get lineageql readers
of those files (``zenml_formats``); any other keeps ZenML's materializer name, and loading it
fails naming it.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from lineageql.artifacts.materializers import qualified_name
from lineageql.artifacts.materializers.zenml_formats import READERS
from lineageql.errors import BadInputError
from lineageql.graph import LineageRepository
from lineageql.model_records import (
    ModelArtifactKind,
    ModelArtifactLink,
    NewModel,
    NewModelVersion,
    parse_stage,
)
from lineageql.records import (
    ExecutionStatus,
    NewArtifactVersion,
    NewRun,
    RecordedRun,
    RecordedStep,
    SaveType,
    Visualization,
)
from lineageql.zenml_import.source import ZenMLExport

RUNS_PER_WRITE = 50

STATUSES = {
    "completed": ExecutionStatus.COMPLETED,
    "cached": ExecutionStatus.CACHED,
    "failed": ExecutionStatus.FAILED,
    "stopped": ExecutionStatus.FAILED,
    "cancelled": ExecutionStatus.FAILED,
    "skipped": ExecutionStatus.FAILED,
    "running": ExecutionStatus.RUNNING,
}
"""ZenML's statuses of finished runs and their steps, as lineageql's (a stopped, cancelled or
skipped one did not complete: failed)."""


@dataclass
class ImportPlan:
    """What an import will write: the new records only."""

    artifacts: list[dict[str, Any]] = field(default_factory=list)
    """Versions no imported step produced (saved, registered or external ones)."""
    runs: list[RecordedRun] = field(default_factory=list)
    models: list[dict[str, Any]] = field(default_factory=list)
    skipped_runs: int = 0
    skipped_artifacts: int = 0

    @property
    def elements(self) -> int:
        """Nodes and relationships the plan writes (models aside): each run with its name
        node and their links, each step and its link, each new version with its artifact
        link and producer link, each input link with the DERIVED_FROM links it brings, each
        metadata entry with its link, each tag link."""
        count = sum(_version_elements(line) for line in self.artifacts)
        for run in self.runs:
            count += 4 + 2 * len(run.metadata) + len(run.run.tags)
            for recorded in run.steps:
                count += 2 + 2 * len(recorded.metadata)
                count += len(recorded.inputs) * (1 + len(recorded.outputs))
                for output in recorded.outputs.values():
                    count += 1
                    if isinstance(output, NewArtifactVersion):
                        count += 2 + 2 * len(output.metadata) + len(output.tags)
        return count


@dataclass
class ImportResult:
    plan: ImportPlan
    write_seconds: float
    model_versions: int = 0


async def plan_import(repo: LineageRepository, export: ZenMLExport) -> ImportPlan:
    """The records of ``export`` lineageql does not hold yet, ready to write."""
    artifacts = {a["id"]: a for a in export.artifacts}
    known = {
        version.id
        for version in await repo.get_artifact_versions(list(artifacts))
        if version is not None
    }
    held_runs = {
        run.id for run in await repo.get_runs([r["id"] for r in export.runs]) if run is not None
    }
    plan = ImportPlan(skipped_runs=len(held_runs), skipped_artifacts=len(known))
    produced = {
        version_id
        for run in export.runs
        for step in run["steps"]
        if step["status"] != "cached"
        for links in step["outputs"].values()
        for version_id in links
    }
    for version_id, line in artifacts.items():
        if version_id not in known and version_id not in produced:
            plan.artifacts.append(line)
            known.add(version_id)
    for run in export.runs:
        if run["id"] not in held_runs:
            plan.runs.append(_recorded_run(run, artifacts, known))
    plan.models = export.models
    return plan


async def write_import(
    repo: LineageRepository, plan: ImportPlan, advance: Callable[[int], None] = lambda n: None
) -> ImportResult:
    """Write ``plan``; ``advance`` hears how many runs (or versions) each write held."""
    start = time.perf_counter()
    for line in plan.artifacts:
        await repo.create_artifact_version(new_version(line))
        advance(1)
    for first in range(0, len(plan.runs), RUNS_PER_WRITE):
        batch = plan.runs[first : first + RUNS_PER_WRITE]
        await repo.record_runs(batch)
        advance(len(batch))
    written = await _write_models(repo, plan.models)
    return ImportResult(plan, time.perf_counter() - start, written)


def _version_elements(line: dict[str, Any]) -> int:
    """A standalone version's node, artifact link, metadata entries and tag links."""
    return 2 + 2 * len(line["metadata"]) + len(line["tags"])


def new_version(line: dict[str, Any]) -> NewArtifactVersion:
    """A ZenML artifact version as lineageql stores it, keeping its id, version and time."""
    materializer = line["materializer"]
    reader = READERS.get(materializer or "")
    return NewArtifactVersion(
        id=line["id"],
        created=line["created"],
        name=line["name"],
        version=line["version"],
        uri=line["uri"],
        type=line["type"],
        data_type=line["data_type"],
        materializer=qualified_name(reader) if reader else materializer,
        save_type=SaveType(line["save_type"]),
        tags=line["tags"],
        metadata=_values(line["metadata"]),
        visualizations=[
            Visualization(type=v["type"], uri=v["uri"]) for v in line["visualizations"]
        ],
    )


def _values(metadata: dict[str, list[Any]]) -> dict[str, Any]:
    return {key: value for key, (_, value) in metadata.items()}


def _recorded_run(
    run: dict[str, Any], artifacts: dict[str, dict[str, Any]], known: set[str]
) -> RecordedRun:
    """One ZenML run as a whole lineageql run; ``known`` (version ids stored or planned)
    grows by the versions its steps produce."""
    steps = []
    for step in run["steps"]:
        inputs = {}
        for name, links in step["inputs"].items():
            for index, version_id in enumerate(links):
                if version_id not in known:
                    raise BadInputError(
                        f"run {run['name']!r}, step {step['name']!r} read artifact version "
                        f"{version_id} that the ZenML store no longer lists; nothing was "
                        "written for this run",
                        "zenml",
                    )
                inputs[_nth(name, index)] = version_id
        outputs: dict[str, NewArtifactVersion | str] = {}
        for name, links in step["outputs"].items():
            for index, version_id in enumerate(links):
                if version_id in known:
                    outputs[_nth(name, index)] = version_id
                else:
                    outputs[_nth(name, index)] = new_version(artifacts[version_id])
                    known.add(version_id)
        steps.append(
            RecordedStep(
                id=step["id"],
                created=step["created"],
                name=step["name"],
                step_name=step["step_name"],
                status=STATUSES.get(step["status"], ExecutionStatus.FAILED),
                cache_key=step["cache_key"],
                parameters=step["parameters"],
                settings=step["settings"],
                docstring=step["docstring"],
                source_hash=step["source_hash"],
                start_time=step["start_time"],
                end_time=step["end_time"],
                inputs=inputs,
                outputs=outputs,
                metadata=_values(step["metadata"]),
            )
        )
    return RecordedRun(
        id=run["id"],
        created=run["created"],
        run=NewRun(
            pipeline_name=run["pipeline"],
            name=run["name"],
            status=STATUSES.get(run["status"], ExecutionStatus.FAILED),
            config=run["config"],
            settings=run["settings"],
            git_sha=run["git_sha"],
            tags=run["tags"],
            start_time=run["start_time"],
        ),
        end_time=run["end_time"],
        metadata=_values(run["metadata"]),
        steps=steps,
    )


def _nth(name: str, index: int) -> str:
    """The name of a step's ``index``-th version under one ZenML input or output name."""
    return name if index == 0 else f"{name}#{index + 1}"


async def _write_models(repo: LineageRepository, models: Sequence[dict[str, Any]]) -> int:
    """Models and their versions lineageql lacks (by number), with what they hold and their
    stages; the number of versions written."""
    written = 0
    registry = repo.models
    for model in models:
        [found] = await registry.get_models_by_name([model["name"]])
        if found is None:
            card = {
                k: model[k]
                for k in (
                    "description",
                    "license",
                    "audience",
                    "use_cases",
                    "limitations",
                    "trade_offs",
                    "ethics",
                    "tags",
                )
            }
            found = await registry.create_model(NewModel(name=model["name"], **card))
        [held] = await registry.versions_of_models([found.id])
        numbers = {version.number for version in held}
        for version in model["versions"]:
            if version["number"] in numbers:
                continue
            name = version["name"] if version["name"] != str(version["number"]) else None
            made = await registry.create_model_version(
                NewModelVersion(
                    model_name=model["name"],
                    name=name,
                    description=version["description"],
                    tags=version["tags"],
                    metadata=_values(version["metadata"]),
                )
            )
            links = [
                ModelArtifactLink(artifact_version_id=version_id, kind=ModelArtifactKind(kind))
                for kind, ids in version["artifacts"].items()
                for version_id in ids
            ]
            present = {
                v.id
                for v in await repo.get_artifact_versions([lk.artifact_version_id for lk in links])
                if v is not None
            }
            await registry.link_model_artifacts(
                made.id, [lk for lk in links if lk.artifact_version_id in present]
            )
            runs = [r.id for r in await repo.get_runs(version["runs"]) if r is not None]
            await registry.link_model_runs(made.id, runs)
            stage = parse_stage(version["stage"])
            if stage.value != "none":
                await registry.set_stage(made.id, stage, force=True)
            written += 1
    return written
