"""What a batch of lineage events (``RunEventChange``) does to the graph, worked out in
memory from the part of the graph it touches, so that ``ingest`` can write the outcome with
a few statements for the whole batch. Events apply in order, each as if it came alone:

- A step's status only moves forward: a running event never undoes a finished step, and of
  two finishing events the later one (by event time) wins.
- Creation and start times are the earliest event times seen.
- Inputs are consumed at the artifact's latest version (an external version is created for
  a dataset seen for the first time); an input already linked under that name is kept.
- Outputs become new versions produced by the step once it has completed; an output already
  produced under that name is kept.
- Each output is derived from each input of its step (DERIVED_FROM).
- The run takes the status of the step that stands for it once that step has finished;
  until then, its steps' outcome (failed if any failed, completed when all completed).
- Metadata entries (facets) are set at the event's time; a key set again takes the new value.

No Cypher here: this module only decides.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from lineageql.errors import ConflictError
from lineageql.graph.repository.base import NodeKind
from lineageql.graph.repository.writes import metadata_rows
from lineageql.records import (
    DatasetChange,
    ExecutionStatus,
    NewArtifactVersion,
    RunEventChange,
    SaveType,
    metadata_id_for,
    new_id,
)

FINISHED = (ExecutionStatus.COMPLETED, ExecutionStatus.FAILED)


@dataclass
class RunState:
    """A pipeline run as the batch leaves it; ``new`` when the batch creates it."""

    id: str
    name: str
    pipeline_name: str
    status: ExecutionStatus
    created: str
    start_time: str | None
    end_time: str | None
    new: bool = False
    changed: bool = False


@dataclass
class StepState:
    """A step as the batch leaves it, with its inputs and outputs (name to version id)."""

    id: str
    run_id: str
    name: str
    status: ExecutionStatus
    created: str
    start_time: str | None
    end_time: str | None
    error_message: str | None
    """The error an event gave it, else None (a stored error message stays)."""
    inputs: dict[str, str] = field(default_factory=dict)
    outputs: dict[str, str] = field(default_factory=dict)
    new: bool = False
    changed: bool = False


@dataclass
class StoredPart:
    """The part of the graph a batch touches, as read before applying it."""

    runs: dict[str, RunState]
    steps: dict[str, StepState]
    """The events' steps that exist, and every step of the events' runs."""
    latest: dict[str, str]
    """The latest version id of each named artifact the events consume."""


@dataclass
class EventBatch:
    """Events applied one after another to ``StoredPart``; what to write is left in the
    fields: runs and steps (new or changed), new versions, links, DERIVED_FROM pairs and
    metadata rows."""

    stored: StoredPart
    versions: list[tuple[str, NewArtifactVersion]] = field(default_factory=list)
    """New versions with the ids they get, in creation order."""
    inputs: list[dict[str, str]] = field(default_factory=list)
    outputs: list[dict[str, str]] = field(default_factory=list)
    derived: dict[tuple[str, str], None] = field(default_factory=dict)
    metadata: dict[tuple[NodeKind, str], dict[str, dict[str, Any]]] = field(default_factory=dict)
    """Rows by owner (kind, id) and key; a key set again keeps the newest row."""

    @property
    def runs(self) -> list[RunState]:
        return list(self.stored.runs.values())

    @property
    def steps(self) -> list[StepState]:
        return list(self.stored.steps.values())

    def apply(self, change: RunEventChange) -> None:
        """Apply one event (see the module's docstring)."""
        run = self._run(change)
        step, fresh = self._step(change)
        advanced = self._advance(step, change)
        linked = self._consume(step, change.inputs)
        if step.status is ExecutionStatus.COMPLETED and change.outputs:
            linked = self._produce(step, change.outputs) or linked
        if linked:
            self._derive(step)
        self._set_metadata(NodeKind.RUN, run.id, change.run_metadata, change.event_time)
        self._set_metadata(NodeKind.STEP, step.id, change.step_metadata, change.event_time)
        # A running step of a running run changes nothing the run's status depends on.
        unsettled = step.status in FINISHED or run.status is not ExecutionStatus.RUNNING
        if (advanced or fresh) and unsettled:
            self._settle(run, change.run_step_id)

    def _run(self, change: RunEventChange) -> RunState:
        run = self.stored.runs.get(change.run_id)
        if run is None:
            run = RunState(
                id=change.run_id,
                name=change.run_name,
                pipeline_name=change.pipeline_name,
                status=ExecutionStatus.RUNNING,
                created=change.event_time,
                start_time=change.event_time,
                end_time=None,
                new=True,
            )
            self.stored.runs[run.id] = run
        else:
            _earliest(run, change.event_time)
        return run

    def _step(self, change: RunEventChange) -> tuple[StepState, bool]:
        """The event's step, and whether this event created it."""
        step = self.stored.steps.get(change.step_id)
        if step is not None:
            _earliest(step, change.event_time)
            return step, False
        if any(s.run_id == change.run_id and s.name == change.step_name for s in self.steps):
            raise ConflictError(f"the run already has a step named {change.step_name!r}")
        step = StepState(
            id=change.step_id,
            run_id=change.run_id,
            name=change.step_name,
            status=ExecutionStatus.RUNNING,
            created=change.event_time,
            start_time=change.event_time,
            end_time=None,
            error_message=None,
            new=True,
        )
        self.stored.steps[step.id] = step
        return step, True

    @staticmethod
    def _advance(step: StepState, change: RunEventChange) -> bool:
        """Give the step the event's status unless it is already further along; whether
        it changed."""
        status = change.status
        if status is None or (status not in FINISHED and step.status in FINISHED):
            return False
        if (
            status in FINISHED
            and step.status in FINISHED
            and step.end_time is not None
            and step.end_time > change.event_time
        ):
            return False
        if status == step.status and status not in FINISHED:
            return False
        step.status = status
        if status in FINISHED:
            step.end_time = change.event_time
        if change.error_message is not None:
            step.error_message = change.error_message
        step.changed = True
        return True

    def _consume(self, step: StepState, inputs: list[DatasetChange]) -> bool:
        """Link the inputs not linked yet, each at its artifact's latest version; whether
        there were any."""
        linked = False
        for dataset in inputs:
            if dataset.name in step.inputs:
                continue
            version_id = self.stored.latest.get(dataset.name)
            if version_id is None:
                version_id = self._new_version(dataset, SaveType.EXTERNAL)
            step.inputs[dataset.name] = version_id
            self.inputs.append(_link_row(step.id, dataset.name, version_id))
            linked = True
        return linked

    def _produce(self, step: StepState, outputs: list[DatasetChange]) -> bool:
        """Create and link the outputs not produced yet; whether there were any."""
        linked = False
        for dataset in outputs:
            if dataset.name in step.outputs:
                continue
            version_id = self._new_version(dataset, SaveType.STEP_OUTPUT)
            step.outputs[dataset.name] = version_id
            self.outputs.append(_link_row(step.id, dataset.name, version_id))
            linked = True
        return linked

    def _new_version(self, dataset: DatasetChange, save_type: SaveType) -> str:
        version_id = new_id()
        new = NewArtifactVersion(
            name=dataset.name,
            uri=dataset.uri,
            type="dataset",
            save_type=save_type,
            metadata=dataset.metadata,
        )
        self.versions.append((version_id, new))
        self.stored.latest[dataset.name] = version_id
        return version_id

    def _derive(self, step: StepState) -> None:
        for output in step.outputs.values():
            for source in step.inputs.values():
                if output != source:
                    self.derived[(output, source)] = None

    def _set_metadata(self, kind: NodeKind, owner: str, values: dict[str, Any], at: str) -> None:
        if not values:
            return
        entries = self.metadata.setdefault((kind, owner), {})
        for row in metadata_rows(values):
            entries[row["key"]] = {
                **row,
                "owner_id": owner,
                "id": metadata_id_for(owner, row["key"]),
                "created": at,
            }

    def _settle(self, run: RunState, run_step_id: str) -> None:
        """Give the run the status its steps call for (see the module's docstring)."""
        steps = [s for s in self.steps if s.run_id == run.id]
        own = self.stored.steps.get(run_step_id)
        status: ExecutionStatus
        end: str | None
        if own is not None and own.run_id == run.id and own.status in FINISHED:
            status, end = own.status, own.end_time
        elif any(s.status is ExecutionStatus.FAILED for s in steps):
            status, end = ExecutionStatus.FAILED, max(s.end_time or "" for s in steps) or None
        elif steps and all(s.status is ExecutionStatus.COMPLETED for s in steps):
            status, end = ExecutionStatus.COMPLETED, max(s.end_time or "" for s in steps) or None
        else:
            status, end = ExecutionStatus.RUNNING, None
        if (run.status, run.end_time) != (status, end):
            run.status = status
            # As before: a run's end time, once set, is only ever replaced by another.
            run.end_time = end or run.end_time
            run.changed = True


def _earliest(node: RunState | StepState, at: str) -> None:
    """Move the node's creation and start times back to ``at`` if it is earlier."""
    if at < node.created:
        node.created = at
        node.start_time = min(node.start_time or at, at)
        node.changed = True


def _link_row(step_id: str, name: str, version_id: str) -> dict[str, str]:
    return {"step_id": step_id, "name": name, "artifact_version_id": version_id}
