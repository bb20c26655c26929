"""Artifacts and metadata outside (and inside) steps: save, load, register, log."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from lineageql.artifacts.materializers import Materializer, qualified_name
from lineageql.artifacts.materializers.paths import copy_out
from lineageql.artifacts.values import SavedValue, save_value
from lineageql.client import ArtifactVersionView, Client
from lineageql.client import documents as d
from lineageql.errors import BadInputError, LineageError
from lineageql.records import SaveType, metadata_type_names
from lineageql.sdk.recording import record_version, version_input
from lineageql.sdk.step_context import current_step_context


def save_artifact(
    data: Any,
    name: str,
    version: str | int | None = None,
    tags: list[str] | None = None,
    artifact_type: str | None = None,
    materializer: type[Materializer] | None = None,
    extract_metadata: bool = True,
    include_visualizations: bool = True,
    user_metadata: dict[str, Any] | None = None,
) -> ArtifactVersionView:
    """Store ``data`` as a new version of the artifact ``name``."""
    client = Client()
    saved = save_value(
        client.artifact_store,
        data,
        name,
        materializer=materializer,
        extract_metadata=extract_metadata,
        include_visualizations=include_visualizations,
    )
    version_fields = version_input(
        saved,
        name,
        save_type=SaveType.MANUAL,
        version=version,
        tags=tags or (),
        artifact_type=artifact_type,
        extra_metadata=user_metadata,
    )
    return record_version(client, version_fields, remove_on_failure=True)


def load_artifact(name_or_id: str, version: str | int | None = None) -> Any:
    """The value of an artifact version (the latest version when none is given); inside a
    step, the version becomes one of the step's inputs."""
    found = Client().get_artifact_version(name_or_id, version)
    value = found.load()
    context = current_step_context()
    if context is not None:
        context.record_load(found)
    return value


def register_artifact(
    folder_or_file_uri: str,
    name: str,
    version: str | int | None = None,
    tags: list[str] | None = None,
    artifact_metadata: dict[str, Any] | None = None,
) -> ArtifactVersionView:
    """Link files or a folder already in the artifact store as a version of ``name``; it
    loads back as a ``pathlib.Path``."""
    client = Client()
    store = client.artifact_store
    uri = folder_or_file_uri.rstrip("/")
    if not store.contains(uri):
        raise BadInputError(
            f"{folder_or_file_uri!r} is outside the artifact store {store.root!r}; "
            "registered data must already live in the artifact store",
            "folder_or_file_uri",
        )
    if not store.exists(uri):
        raise BadInputError(f"nothing exists at {folder_or_file_uri!r}", "folder_or_file_uri")
    registered = SavedValue(
        uri=uri,
        data_type=qualified_name(Path),
        materializer=qualified_name(RegisteredPathMaterializer),
        artifact_type="data",
        metadata=dict(artifact_metadata or {}),
    )
    version_fields = version_input(
        registered, name, save_type=SaveType.PREEXISTING, version=version, tags=tags or ()
    )
    return record_version(client, version_fields)


class RegisteredPathMaterializer(Materializer):
    """Loads registered files or folders as a local ``Path`` (a copy when remote or local,
    so the registered data stays untouched)."""

    handles = ()

    def save(self, value: Any) -> None:
        raise LineageError("registered artifacts are linked, never saved")

    def load(self, data_type: type) -> Any:
        return copy_out(self.store, self.uri)


def log_metadata(
    metadata: dict[str, Any],
    *,
    step_id: str | None = None,
    run_id_name_or_prefix: str | None = None,
    artifact_name: str | None = None,
    artifact_version: str | int | None = None,
    artifact_version_id: str | None = None,
) -> None:
    """Log metadata on a step, run or artifact version; inside a step with no target given,
    on the running step (and its run)."""
    client = Client()
    targets: list[tuple[str, str]] = []
    if step_id is not None:
        targets.append(("STEP", step_id))
    if run_id_name_or_prefix is not None:
        targets.append(("PIPELINE_RUN", client.get_pipeline_run(run_id_name_or_prefix).id))
    if artifact_version_id is not None or artifact_name is not None:
        key = artifact_version_id or str(artifact_name)
        found = client.get_artifact_version(key, None if artifact_version_id else artifact_version)
        targets.append(("ARTIFACT_VERSION", found.id))
    if not targets:
        context = current_step_context()
        if context is None:
            raise BadInputError(
                "outside a step, say what the metadata is for: step_id=, "
                "run_id_name_or_prefix=, artifact_name= or artifact_version_id="
            )
        targets = [("STEP", context.step_run.id), ("PIPELINE_RUN", context.pipeline_run.id)]
    types = metadata_type_names(metadata)
    for target, node_id in targets:
        client.execute(d.LOG_METADATA, target=target, id=node_id, values=metadata, types=types)


def log_artifact_metadata(
    metadata: dict[str, Any],
    artifact_name: str | None = None,
    artifact_version: str | int | None = None,
) -> None:
    """Inside a step: metadata for one of its outputs (by output name, or the only one).
    Outside: metadata for a stored artifact version (the latest without a version)."""
    context = current_step_context()
    if context is not None and artifact_version is None:
        context.add_output_metadata(metadata, artifact_name)
        return
    if artifact_name is None:
        raise BadInputError("outside a step, give the artifact_name", "artifact_name")
    log_metadata(metadata, artifact_name=artifact_name, artifact_version=artifact_version)
