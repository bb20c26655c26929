"""What a batch of lineage events (``RunEventChange``) does to the graph, worked out in
memory from the part of the graph it touches, so that ``ingest`` can write the outcome with
a few statements for the whole batch. Events apply in order, each as if it came alone:

- A run's own events (those of a run without a parent) report the run's status; they make a
  step standing for the run only when they carry datasets, so a parent whose children are
  its steps (an Airflow DAG run, a Spark application) has no step of its own.
- A job's pipeline keeps its namespace; a job of the same name in another namespace gets a
  pipeline of its own, named ``namespace/job``.
- A child run is a step named after its job; a job that runs again under the same parent (a
  retried task, a repeated Spark action) gets a step of its own, its name numbered from the
  second on in the order the runs arrive (``load``, ``load#2``); each keeps the job's name
  as its ``step_name``.
- A status only moves forward: a running event never undoes a finished step or report, and
  of two finishing events the later one (by event time) wins.
- Creation and start times are the earliest event times seen.
- Inputs are consumed at the artifact's latest version (an external version is created for
  a dataset seen for the first time); an input already linked under that name is kept.
- Outputs become new versions produced by the step once it has completed; an output already
  produced under that name is kept.
- Each output is derived from each input of its step (DERIVED_FROM).
- A new version gets the columns its dataset lists; each column of an output is linked to
  the columns it came from (COLUMN_FROM), in the source dataset's version the step consumed
  (else its latest, else a new external version); a source column no schema listed is added
  to its version.
- The run takes the status its own events reported once they report it finished; until
  then, its steps' outcome (failed if any failed, completed when all completed).
- Metadata entries (facets) are set at the event's time; a key set again takes the new value.

No Cypher here: this module only decides.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from lineageql.graph.repository.base import NodeKind
from lineageql.graph.repository.writes import column_row, metadata_rows
from lineageql.records import (
    DatasetChange,
    ExecutionStatus,
    NewArtifactVersion,
    NewColumn,
    RunEventChange,
    SaveType,
    column_id_for,
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
    reported: ExecutionStatus | None = None
    """The status the run's own events reported (None before any did)."""
    new: bool = False
    changed: bool = False
    read: dict[str, Any] = field(default_factory=dict)
    """Its stored state as read, field by field (empty for a new run)."""


@dataclass
class StepState:
    """A step as the batch leaves it, with its inputs and outputs (name to version id)."""

    id: str
    run_id: str
    name: str
    step_name: str
    """The job's name; ``name`` is numbered for a job run again under the same parent."""
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
    read: dict[str, Any] = field(default_factory=dict)
    """Its stored state as read, field by field (empty for a new step)."""


@dataclass
class StoredPart:
    """The part of the graph a batch touches, as read before applying it."""

    runs: dict[str, RunState]
    steps: dict[str, StepState]
    """The events' steps that exist, and every step of the events' runs."""
    latest: dict[str, str]
    """The latest version id of each artifact the events name."""
    pipeline_namespaces: dict[str, str | None] = field(default_factory=dict)
    """The namespace of each existing pipeline the events name (None: the SDK's)."""
    placed_datasets: set[str] = field(default_factory=set)
    """The datasets the events name whose artifacts have their namespace already."""


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
    column_links: list[dict[str, Any]] = field(default_factory=list)
    """COLUMN_FROM rows: a new output's column to each source column."""
    datasets: dict[str, DatasetChange] = field(default_factory=dict)
    """Every dataset the events named, by artifact name (for their namespaces)."""
    pipeline_namespaces: dict[str, str] = field(default_factory=dict)
    """The namespace of each new run's pipeline, by pipeline name."""
    source_columns: dict[str, dict[str, Any]] = field(default_factory=dict)
    """Source columns the links need, by id, unless they exist (rows as CREATE_COLUMNS takes)."""
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
        for dataset in (*change.inputs, *change.outputs):
            self.datasets.setdefault(dataset.name, dataset)
        own = change.step_id == change.run_step_id
        reported = own and self._report(run, change)
        has_data = bool(change.inputs or change.outputs)
        if own and not has_data and change.step_id not in self.stored.steps:
            # The run speaking for itself with no data: no step stands for it.
            metadata = {**change.run_metadata, **change.step_metadata}
            self._set_metadata(NodeKind.RUN, run.id, metadata, change.event_time)
            if reported:
                self._settle(run)
            return
        step, fresh = self._step(change, run)
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
        if reported or ((advanced or fresh) and unsettled):
            self._settle(run)

    @staticmethod
    def _report(run: RunState, change: RunEventChange) -> bool:
        """Record the status the run's own event reports unless it already reported one
        further along; whether it changed."""
        if not _moves_forward(run.reported, run.end_time, change):
            return False
        run.reported = change.status
        if change.status in FINISHED:
            run.end_time = change.event_time
        run.changed = True
        return True

    def _run(self, change: RunEventChange) -> RunState:
        run = self.stored.runs.get(change.run_id)
        if run is None:
            run = RunState(
                id=change.run_id,
                name=change.run_name,
                pipeline_name=self._pipeline_of(change),
                status=ExecutionStatus.RUNNING,
                created=change.event_time,
                start_time=change.event_time,
                end_time=None,
                new=True,
            )
            self.stored.runs[run.id] = run
            if change.pipeline_namespace is not None:
                self.pipeline_namespaces.setdefault(run.pipeline_name, change.pipeline_namespace)
        else:
            _earliest(run, change.event_time)
        return run

    def _pipeline_of(self, change: RunEventChange) -> str:
        """The name of the pipeline a new run of the event's job goes in: the job's name,
        unless a pipeline of that name holds another namespace's job."""
        name, namespace = change.pipeline_name, change.pipeline_namespace
        known = {**self.stored.pipeline_namespaces, **self.pipeline_namespaces}
        held = known.get(name, namespace)
        if namespace is None or held is None or held == namespace:
            return name
        return f"{namespace}/{name}"

    def _step(self, change: RunEventChange, run: RunState) -> tuple[StepState, bool]:
        """The event's step, and whether this event created it. A step standing for its run
        made by a later event starts when the run did."""
        step = self.stored.steps.get(change.step_id)
        if step is not None:
            _earliest(step, change.event_time)
            return step, False
        began = run.created if change.step_id == change.run_step_id else change.event_time
        step = StepState(
            id=change.step_id,
            run_id=change.run_id,
            name=self._free_name(change.run_id, change.step_name),
            step_name=change.step_name,
            status=ExecutionStatus.RUNNING,
            created=began,
            start_time=began,
            end_time=None,
            error_message=None,
            new=True,
        )
        self.stored.steps[step.id] = step
        return step, True

    def _free_name(self, run_id: str, job: str) -> str:
        """``job``, or ``job#N`` with the first N from 2 that no step of the run has."""
        taken = {s.name for s in self.steps if s.run_id == run_id}
        name, attempt = job, 1
        while name in taken:
            attempt += 1
            name = f"{job}#{attempt}"
        return name

    @staticmethod
    def _advance(step: StepState, change: RunEventChange) -> bool:
        """Give the step the event's status unless it is already further along; whether
        it changed."""
        status = change.status
        if status is None or not _moves_forward(step.status, step.end_time, change):
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
            self._link_columns(step, version_id, dataset)
            linked = True
        return linked

    def _link_columns(self, step: StepState, version_id: str, dataset: DatasetChange) -> None:
        """Link the new output version's columns to the columns they came from."""
        for column, sources in dataset.column_sources.items():
            for source in sources:
                source_version = step.inputs.get(source.dataset) or self.stored.latest.get(
                    source.dataset
                )
                if source_version is None:
                    external = DatasetChange(name=source.dataset, uri=source.dataset)
                    source_version = self._new_version(external, SaveType.EXTERNAL)
                source_id = column_id_for(source_version, source.field)
                self.source_columns.setdefault(
                    source_id, column_row(source_version, NewColumn(name=source.field), None)
                )
                self.column_links.append(
                    {
                        "column_id": column_id_for(version_id, column),
                        "source_id": source_id,
                        "source_version_id": source_version,
                        "transformation": source.transformation,
                        "subtype": source.subtype,
                        "description": source.description,
                        "masking": source.masking,
                    }
                )

    def _new_version(self, dataset: DatasetChange, save_type: SaveType) -> str:
        version_id = new_id()
        new = NewArtifactVersion(
            name=dataset.name,
            uri=dataset.uri,
            type="dataset",
            save_type=save_type,
            metadata=dataset.metadata,
            columns=dataset.columns,
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

    def _settle(self, run: RunState) -> None:
        """Give the run the status its own events or its steps call for (see the module's
        docstring)."""
        steps = [s for s in self.steps if s.run_id == run.id]
        status: ExecutionStatus
        end: str | None
        if run.reported in FINISHED:
            status, end = run.reported, run.end_time
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


def _moves_forward(
    current: ExecutionStatus | None, ended: str | None, change: RunEventChange
) -> bool:
    """Whether the event's status replaces ``current`` (which ended at ``ended``): a running
    status never undoes a finished one, and of two finishing events the later one wins."""
    status = change.status
    if status is None or (status not in FINISHED and current in FINISHED):
        return False
    if (
        status in FINISHED
        and current in FINISHED
        and ended is not None
        and ended > change.event_time
    ):
        return False
    return not (status == current and status not in FINISHED)


def _earliest(node: RunState | StepState, at: str) -> None:
    """Move the node's creation and start times back to ``at`` if it is earlier."""
    if at < node.created:
        node.created = at
        node.start_time = min(node.start_time or at, at)
        node.changed = True


def _link_row(step_id: str, name: str, version_id: str) -> dict[str, str]:
    return {"step_id": step_id, "name": name, "artifact_version_id": version_id}
