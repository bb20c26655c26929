"""Saving a Python value into the artifact store and loading it back, through the
materializer its type selects."""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass, field
from typing import Any

from lineageql.artifacts.materializers import (
    Materializer,
    import_qualified,
    materializer_for_value,
    qualified_name,
)
from lineageql.artifacts.store import ArtifactStore
from lineageql.errors import BadInputError, NotFoundError
from lineageql.records import StorageSize, Visualization


@dataclass
class SavedValue:
    """Where a value went and what was learned writing it."""

    uri: str
    data_type: str
    materializer: str
    artifact_type: str
    metadata: dict[str, Any] = field(default_factory=dict)
    visualizations: list[Visualization] = field(default_factory=list)
    columns: list[tuple[str, str]] = field(default_factory=list)
    """A table-like value's columns (name, type)."""


def version_folder(uri: str) -> str:
    """The folder of one version: its data (``uri``) and its visualizations."""
    return uri.rsplit("/", 1)[0]


def new_artifact_uri(store: ArtifactStore, name: str) -> str:
    """A fresh folder for one version of the artifact ``name``."""
    safe = re.sub(r"[^A-Za-z0-9._-]+", "_", name).strip("._") or "artifact"
    return f"{store.root}/{safe}/{uuid.uuid4().hex}/data"


def save_value(
    store: ArtifactStore,
    value: Any,
    name: str,
    *,
    materializer: type[Materializer] | None = None,
    extract_metadata: bool = True,
    include_visualizations: bool = True,
) -> SavedValue:
    """Write ``value`` as a new version folder of ``name``; returns where and what."""
    chosen = materializer or materializer_for_value(value)
    uri = new_artifact_uri(store, name)
    writer = chosen(uri, store)
    writer.save(value)
    saved = SavedValue(
        uri=uri,
        data_type=qualified_name(type(value)),
        materializer=qualified_name(chosen),
        artifact_type=chosen.artifact_type,
        columns=writer.columns(value),
    )
    if extract_metadata:
        saved.metadata = {**writer.metadata(value), "storage_size": StorageSize(store.size(uri))}
    if include_visualizations:
        folder = version_folder(uri) + "/visualizations"
        for rendering in writer.visualizations(value):
            target = f"{folder}/{rendering.filename}"
            with store.open(target, "wb") as handle:
                handle.write(rendering.content)
            saved.visualizations.append(Visualization(type=rendering.type, uri=target))
    return saved


def load_value(
    store: ArtifactStore, uri: str, materializer: str | None, data_type: str | None
) -> Any:
    """The value stored at ``uri`` by ``materializer``, as ``data_type``."""
    if materializer is None:
        raise BadInputError(f"the artifact at {uri!r} was registered without a materializer")
    if not store.exists(uri):
        raise NotFoundError(f"the files of this artifact version are gone from {uri!r}")
    try:
        reader = import_qualified(materializer, "materializer")
    except BadInputError:
        reader = None
    if not (isinstance(reader, type) and issubclass(reader, Materializer)):
        raise BadInputError(
            f"the artifact at {uri!r} needs the materializer {materializer!r}, which is not "
            "a lineageql materializer installed here; load it with the tool that wrote it, "
            "or register a lineageql materializer that reads its files"
        )
    wanted: type = import_qualified(data_type, "data type") if data_type else object
    return reader(uri, store).load(wanted)
