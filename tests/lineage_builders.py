"""Helpers that record small pipelines through the repository, as the SDK would."""

from __future__ import annotations

from dataclasses import dataclass, field

from lineageql.graph import LineageRepository
from lineageql.records import (
    ArtifactVersionRecord,
    ExecutionStatus,
    NewArtifactVersion,
    NewRun,
    NewStep,
    RunRecord,
    StepRecord,
)


@dataclass
class Recorder:
    """Records one run: steps with named inputs and outputs."""

    repo: LineageRepository
    run: RunRecord
    steps: dict[str, StepRecord] = field(default_factory=dict)
    outputs: dict[str, ArtifactVersionRecord] = field(default_factory=dict)

    @classmethod
    async def start(
        cls, repo: LineageRepository, pipeline: str, run_name: str, **extra: object
    ) -> Recorder:
        run = await repo.create_run(NewRun(pipeline_name=pipeline, name=run_name, **extra))  # type: ignore[arg-type]
        return cls(repo, run)

    async def step(
        self,
        name: str,
        inputs: dict[str, str] | None = None,
        outputs: list[str] | None = None,
        status: ExecutionStatus = ExecutionStatus.COMPLETED,
        **extra: object,
    ) -> StepRecord:
        """Add a step consuming ``inputs`` (input name -> an output key recorded earlier)
        and producing ``outputs`` (artifact names); outputs are keyed ``step.output``."""
        step = await self.repo.create_step(NewStep(run_id=self.run.id, name=name, **extra))  # type: ignore[arg-type]
        produced: dict[str, str] = {}
        for output in outputs or []:
            version = await self.repo.create_artifact_version(
                NewArtifactVersion(name=output, uri=f"mem://{self.run.name}/{name}/{output}")
            )
            self.outputs[f"{name}.{output}"] = version
            produced[output] = version.id
        consumed = {key: self.outputs[ref].id for key, ref in (inputs or {}).items()}
        await self.repo.link_step_io(step.id, inputs=consumed, outputs=produced)
        step = await self.repo.update_step(step.id, status=status)
        self.steps[name] = step
        return step

    def version_id(self, ref: str) -> str:
        return self.outputs[ref].id
