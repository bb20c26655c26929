"""Recording saved values as artifact versions through the API: the one place that turns a
SavedValue into the ``ArtifactVersionInput`` the mutations take."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from lineageql.artifacts.values import SavedValue, version_folder
from lineageql.client import ArtifactVersionView, Client
from lineageql.client import documents as d
from lineageql.errors import LineageError
from lineageql.records import SaveType, metadata_type_names


def version_input(
    saved: SavedValue,
    name: str,
    *,
    save_type: SaveType,
    version: str | int | None = None,
    tags: Sequence[str] = (),
    artifact_type: str | None = None,
    extra_metadata: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """The ``ArtifactVersionInput`` for ``saved`` as a version of ``name``; ``extra_metadata``
    is laid over what the materializer recorded."""
    metadata = {**saved.metadata, **(extra_metadata or {})}
    return {
        "name": name,
        "uri": saved.uri,
        "type": artifact_type or saved.artifact_type,
        "dataType": saved.data_type,
        "materializer": saved.materializer,
        "saveType": save_type.name,
        "version": None if version is None else str(version),
        "tags": list(tags),
        "visualizations": [{"type": v.type, "uri": v.uri} for v in saved.visualizations],
        "metadata": metadata,
        "metadataTypes": metadata_type_names(metadata),
        "columns": [{"name": name, "type": kind} for name, kind in saved.columns],
    }


def record_version(
    client: Client, version: dict[str, Any], *, remove_on_failure: bool = False
) -> ArtifactVersionView:
    """Create the version; with ``remove_on_failure`` a refused one leaves no files behind."""
    try:
        created = client.execute(d.CREATE_VERSION, input=version)["createArtifactVersion"]
    except LineageError:
        folder = version_folder(version["uri"])
        if remove_on_failure and client.artifact_store.exists(folder):
            client.artifact_store.remove(folder)
        raise
    return ArtifactVersionView(client, created)
