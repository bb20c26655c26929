"""The materializer interface: how one kind of Python value is written to and read from the
artifact store, and what metadata and visualizations it yields."""

from __future__ import annotations

from abc import ABC, abstractmethod
from dataclasses import dataclass
from typing import Any, ClassVar

from lineageql.artifacts.store import ArtifactStore


@dataclass(frozen=True)
class VisualizationFile:
    """A rendering to store beside the data: ``type`` is html, image or markdown."""

    type: str
    filename: str
    content: bytes


class Materializer(ABC):
    """Saves values of ``handles`` types into the folder ``uri`` and loads them back."""

    handles: ClassVar[tuple[type, ...]] = ()
    artifact_type: ClassVar[str] = "data"

    def __init__(self, uri: str, store: ArtifactStore) -> None:
        self.uri = uri
        self.store = store

    @abstractmethod
    def save(self, value: Any) -> None:
        """Write ``value`` under ``self.uri``."""

    @abstractmethod
    def load(self, data_type: type) -> Any:
        """Read the value back as ``data_type``."""

    def metadata(self, value: Any) -> dict[str, Any]:
        """Metadata to record with the version (``storage_size`` is added for every value)."""
        return {}

    def visualizations(self, value: Any) -> list[VisualizationFile]:
        """Renderings of ``value`` to store beside it."""
        return []

    def columns(self, value: Any) -> list[tuple[str, str]]:
        """The value's columns (name, type), for a table-like value; none otherwise."""
        return []

    def path(self, filename: str) -> str:
        """The URI of ``filename`` inside this artifact's folder."""
        return f"{self.uri}/{filename}"

    def write_bytes(self, filename: str, content: bytes) -> None:
        with self.store.open(self.path(filename), "wb") as handle:
            handle.write(content)

    def read_bytes(self, filename: str) -> bytes:
        with self.store.open(self.path(filename)) as handle:
            return handle.read()
