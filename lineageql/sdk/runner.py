"""Running a composed pipeline in this process: steps in order, each recorded through the
GraphQL mutations, outputs saved through their materializers. A step is recorded as running
once it has run for a while (``step_start``); a quicker one is recorded whole when it ends.

A step whose cache key (its code, parameters, input versions and output configuration)
matches a completed step reuses that step's outputs. A failing step records its error, fails
the run, and stops it: nothing downstream runs.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import subprocess
import traceback
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from lineageql.artifacts.values import load_value, save_value, version_folder
from lineageql.client import Client, ModelVersionView, RunView
from lineageql.client import documents as d
from lineageql.client.views import ArtifactVersionView
from lineageql.errors import BadInputError, LineageError
from lineageql.records import ExecutionStatus, SaveType
from lineageql.sdk.artifact_config import ArtifactConfig, ExternalArtifact
from lineageql.sdk.composition import Composition, OutputHandle, StepInvocation
from lineageql.sdk.model import Model, artifact_kind
from lineageql.sdk.recording import record_version, version_input
from lineageql.sdk.signatures import OutputSpec, input_types, matches, substitute, type_name
from lineageql.sdk.step_context import StepContext, StepRunInfo, enter_step, leave_step
from lineageql.sdk.step_start import DeferredStart


class StepFailedError(LineageError):
    """A step's own code raised, or gave a value that does not fit its annotation."""

    code = "STEP_FAILED"


YAML_OUTPUT_KEYS = ("name", "version", "tags", "artifact_type")
"""What a YAML configuration may set for an output."""


@dataclass
class RunPlan:
    """Everything a run needs besides its steps."""

    pipeline_name: str
    parameters: dict[str, Any]
    enable_cache: bool
    settings: dict[str, Any] = field(default_factory=dict)
    tags: list[str] = field(default_factory=list)
    run_name: str | None = None
    docstring: str | None = None
    source_file: str | None = None
    step_overrides: dict[str, dict[str, Any]] = field(default_factory=dict)
    model: Model | None = None


@dataclass
class _RunModel:
    """The model version a run works with, and whether the run makes it (then its outputs
    and the run are linked to it) or only uses it."""

    version: ModelVersionView
    made_by_run: bool


@dataclass
class _Produced:
    """Output versions produced so far in this run: (invocation id, output name) to id, and
    where each version's data is, so later steps load it without asking the API."""

    versions: dict[tuple[str, str], str] = field(default_factory=dict)
    locations: dict[str, tuple[str, str | None, str | None]] = field(default_factory=dict)


def run_composition(client: Client, plan: RunPlan, composition: Composition) -> RunView:
    """Record and run ``composition``; returns the finished run (raises if a step failed)."""
    started = datetime.now(UTC)
    created = client.execute(
        d.CREATE_RUN,
        input={
            "pipelineName": plan.pipeline_name,
            "name": substitute(plan.run_name, {}, started) if plan.run_name else None,
            "config": {"parameters": plan.parameters, "enable_cache": plan.enable_cache},
            "settings": plan.settings,
            "gitSha": _git_sha(plan.source_file),
            "docstring": plan.docstring,
            "pipelineDocstring": plan.docstring,
            "tags": plan.tags,
            "structureHash": composition.structure_hash(),
        },
    )["createPipelineRun"]
    run = RunView(client, created)
    client.execute(d.UPDATE_RUN, id=run.id, status="RUNNING")
    model = None
    if plan.model is not None:
        try:
            model = _RunModel(plan.model.version_for_run(client), plan.model.made_by_runs)
            if model.made_by_run:
                client.link_to_model_version(model.version.id, run_ids=[run.id])
        except BaseException:
            client.execute(d.FINISH_RUN, id=run.id, status="FAILED")
            raise
    produced = _Produced()
    statuses = []
    for invocation in composition.invocations.values():
        try:
            statuses.append(_run_step(client, plan, run, invocation, produced, started, model))
        except BaseException:
            client.execute(d.FINISH_RUN, id=run.id, status="FAILED")
            raise
    all_cached = statuses and all(s is ExecutionStatus.CACHED for s in statuses)
    client.execute(d.FINISH_RUN, id=run.id, status="CACHED" if all_cached else "COMPLETED")
    return run.refresh()


def _run_step(
    client: Client,
    plan: RunPlan,
    run: RunView,
    invocation: StepInvocation,
    produced: _Produced,
    started: datetime,
    model: _RunModel | None,
) -> ExecutionStatus:
    step = invocation.step
    override = plan.step_overrides.get(invocation.id, {})
    parameters = {**invocation.parameters, **override.get("parameters", {})}
    settings = {**step.options.settings, **override.get("settings", {})}
    outputs = _resolved_outputs(plan, invocation, override, started)
    inputs = {
        name: _input_version(client, artifact, produced, name)
        for name, artifact in invocation.artifacts.items()
    }
    enable_cache = override.get("enable_cache", step.options.enable_cache)
    if enable_cache is None:
        enable_cache = plan.enable_cache
    if any(isinstance(a, ExternalArtifact) for a in invocation.artifacts.values()):
        enable_cache = False
    cache_key = _cache_key(step.source_hash, parameters, inputs, outputs)
    step_input = {
        "runId": run.id,
        "name": invocation.id,
        "stepName": step.name,
        "cacheKey": cache_key,
        "parameters": parameters,
        "settings": settings,
        "docstring": step.docstring,
        "sourceHash": step.source_hash,
        "inputs": [{"name": n, "artifactVersionId": v} for n, v in inputs.items()],
    }
    if enable_cache:
        cached = client.execute(d.CACHED_STEP, cacheKey=cache_key)["cachedStep"]
        if cached is not None:
            reused = {o["name"]: o["artifactVersion"]["id"] for o in cached["outputs"]}
            client.execute(
                d.RECORD_STEP,
                input={
                    **step_input,
                    "status": "CACHED",
                    "outputs": [{"name": n, "artifactVersionId": v} for n, v in reused.items()],
                },
            )
            for name, version_id in reused.items():
                produced.versions[(invocation.id, name)] = version_id
            _link_outputs(client, model, outputs, reused)
            return ExecutionStatus.CACHED
    start = DeferredStart(
        lambda: str(client.execute(d.START_STEP, input=step_input)["startStep"]["id"])
    )
    context = StepContext(
        client=client,
        pipeline_run=run,
        step_run=StepRunInfo(name=invocation.id, step_name=step.name, recorded_id=start.id),
        outputs=[spec for spec, _ in outputs],
        model_version=model.version if model else None,
    )
    new_versions: list[dict[str, Any]] = []
    try:
        values = _call(client, invocation, parameters, inputs, context, produced)
        new_versions = _save_outputs(client, invocation.id, outputs, values, context)
        finished = _end_step(
            client,
            start,
            step_input,
            {"status": "COMPLETED", "outputs": new_versions},
            context.loaded,
        )
    except BaseException as error:
        _remove_saved(client, new_versions)
        message = "".join(traceback.format_exception_only(error)).strip()
        ending = {"status": "FAILED", "errorMessage": message}
        _end_step(client, start, step_input, ending, context.loaded)
        if isinstance(error, LineageError) and not isinstance(error, StepFailedError):
            raise StepFailedError(f"step {invocation.id!r} failed: {error.message}") from error
        raise
    for output in finished["outputs"]:
        version = output["artifactVersion"]
        produced.versions[(invocation.id, output["name"])] = version["id"]
        produced.locations[version["id"]] = (
            version["uri"],
            version["materializer"],
            version["dataType"],
        )
    made = {output["name"]: output["artifactVersion"]["id"] for output in finished["outputs"]}
    _link_outputs(client, model, outputs, made)
    return ExecutionStatus.COMPLETED


def _link_outputs(
    client: Client,
    model: _RunModel | None,
    outputs: list[tuple[OutputSpec, ArtifactConfig]],
    versions: dict[str, str],
) -> None:
    """Add a step's output versions (output name to id) to the model version its run makes,
    each as the kind its configuration says."""
    if model is None or not model.made_by_run or not versions:
        return
    kinds = {spec.name: artifact_kind(config) for spec, config in outputs}
    client.link_to_model_version(
        model.version.id,
        artifacts={version_id: kinds[name] for name, version_id in versions.items()},
    )


def _end_step(
    client: Client,
    start: DeferredStart,
    step_input: dict[str, Any],
    ending: dict[str, Any],
    loaded: dict[str, str],
) -> dict[str, Any]:
    """Finish the step if it was recorded as running, else record it whole, with the
    versions it ``loaded`` as inputs; the step with its outputs."""
    step_id = start.end()
    taken = {link["name"] for link in step_input["inputs"]}
    extra = [
        {"name": name if name not in taken else f"loaded:{name}", "artifactVersionId": i}
        for name, i in loaded.items()
    ]
    if step_id is None:
        whole = {**step_input, **ending, "inputs": [*step_input["inputs"], *extra]}
        return dict(client.execute(d.RECORD_STEP, input=whole)["recordStep"])
    finishing = {"stepId": step_id, **ending, "loadedInputs": extra}
    return dict(client.execute(d.FINISH_STEP, input=finishing)["finishStep"])


def _resolved_outputs(
    plan: RunPlan, invocation: StepInvocation, override: dict[str, Any], started: datetime
) -> list[tuple[OutputSpec, ArtifactConfig]]:
    """Each output with its final artifact config: annotation, with_options, then YAML."""
    step = invocation.step
    substitutions = {**step.options.substitutions, **override.get("substitutions", {})}
    configured = override.get("outputs", {})
    resolved = []
    for spec in step.outputs:
        config = step.options.outputs.get(spec.name, spec.config)
        extra = configured.get(spec.name, {})
        config = dataclasses.replace(
            config, **{key: extra[key] for key in YAML_OUTPUT_KEYS if key in extra}
        )
        name = config.name or f"{plan.pipeline_name}::{step.name}::{spec.name}"
        named_spec = OutputSpec(
            substitute(spec.name, substitutions, started), spec.type, config, spec.named
        )
        resolved.append(
            (named_spec, dataclasses.replace(config, name=substitute(name, substitutions, started)))
        )
    return resolved


def _input_version(client: Client, artifact: Any, produced: _Produced, input_name: str) -> str:
    if isinstance(artifact, OutputHandle):
        key = (artifact.invocation_id, artifact.output_name)
        if key not in produced.versions:
            raise BadInputError(
                f"input {input_name!r} needs output {artifact.output_name!r} of step "
                f"{artifact.invocation_id!r}, which did not produce it"
            )
        return produced.versions[key]
    if isinstance(artifact, ExternalArtifact):
        saved = save_value(
            client.artifact_store,
            artifact.value,
            artifact.name or "external_artifact",
            materializer=artifact.materializer,
            extract_metadata=artifact.store_artifact_metadata,
            include_visualizations=artifact.store_artifact_visualizations,
        )
        name = artifact.name or "external_artifact"
        return record_version(client, version_input(saved, name, save_type=SaveType.EXTERNAL)).id
    assert isinstance(artifact, ArtifactVersionView)
    return artifact.id


def _cache_key(
    source_hash: str,
    parameters: dict[str, Any],
    inputs: dict[str, str],
    outputs: list[tuple[OutputSpec, ArtifactConfig]],
) -> str:
    shape = {
        "source": source_hash,
        "parameters": parameters,
        "inputs": inputs,
        "outputs": [
            [
                spec.name,
                type_name(spec.type),
                config.name,
                None if config.version is None else str(config.version),
                config.materializer.__qualname__ if config.materializer else None,
            ]
            for spec, config in outputs
        ],
    }
    return hashlib.sha256(json.dumps(shape, sort_keys=True, default=str).encode()).hexdigest()


def _call(
    client: Client,
    invocation: StepInvocation,
    parameters: dict[str, Any],
    inputs: dict[str, str],
    context: StepContext,
    produced: _Produced,
) -> Any:
    """Load the inputs, check their types, and call the step function in its context."""
    step = invocation.step
    expected = input_types(step.entrypoint)
    arguments = dict(parameters)
    for name, version_id in inputs.items():
        if version_id in produced.locations:
            uri, materializer, data_type = produced.locations[version_id]
            arguments[name] = load_value(client.artifact_store, uri, materializer, data_type)
        else:
            arguments[name] = client.get_artifact_version(version_id).load()
    for name, value in arguments.items():
        if not matches(value, expected.get(name, Any)):
            raise StepFailedError(
                f"step {invocation.id!r}: input {name!r} is a {type(value).__qualname__}, but "
                f"the step's annotation says {type_name(expected[name])}"
            )
    token = enter_step(context)
    try:
        return step.entrypoint(**arguments)
    finally:
        leave_step(token)


def _save_outputs(
    client: Client,
    invocation_id: str,
    outputs: list[tuple[OutputSpec, ArtifactConfig]],
    returned: Any,
    context: StepContext,
) -> list[dict[str, Any]]:
    """Check the returned values against the outputs and store each one."""
    if not outputs:
        return []
    if len(outputs) == 1:
        values = [returned]
    else:
        if not isinstance(returned, tuple | list) or len(returned) != len(outputs):
            raise StepFailedError(
                f"step {invocation_id!r} declares {len(outputs)} outputs "
                f"({', '.join(spec.name for spec, _ in outputs)}) but returned "
                f"{type(returned).__qualname__}"
            )
        values = list(returned)
    new_versions = []
    for (spec, config), value in zip(outputs, values, strict=True):
        if not matches(value, spec.type):
            raise StepFailedError(
                f"step {invocation_id!r}: output {spec.name!r} is a {type(value).__qualname__}, "
                f"but the step's annotation says {type_name(spec.type)}"
            )
        assert config.name is not None
        saved = save_value(
            client.artifact_store, value, config.name, materializer=config.materializer
        )
        new_version = version_input(
            saved,
            config.name,
            save_type=SaveType.STEP_OUTPUT,
            version=config.version,
            tags=config.tags,
            artifact_type=config.artifact_type,
            extra_metadata={**config.run_metadata, **context.output_metadata.get(spec.name, {})},
        )
        new_versions.append({"name": spec.name, "newVersion": new_version})
    return new_versions


def _remove_saved(client: Client, new_versions: list[dict[str, Any]]) -> None:
    """Delete the files of outputs that were saved but never recorded."""
    store = client.artifact_store
    for output in new_versions:
        folder = version_folder(output["newVersion"]["uri"])
        if store.contains(folder) and store.exists(folder):
            store.remove(folder)


def _git_sha(source_file: str | None) -> str | None:
    """The commit of the repository holding ``source_file``, if it has no uncommitted change."""
    if source_file is None:
        return None
    folder = Path(source_file).resolve().parent
    try:
        status = subprocess.run(
            ["git", "status", "--porcelain"], cwd=folder, capture_output=True, text=True, timeout=5
        )
        if status.returncode != 0 or status.stdout.strip():
            return None
        head = subprocess.run(
            ["git", "rev-parse", "HEAD"], cwd=folder, capture_output=True, text=True, timeout=5
        )
    except (OSError, subprocess.TimeoutExpired):
        return None
    return head.stdout.strip() or None if head.returncode == 0 else None
