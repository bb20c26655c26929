"""The artifact store: a root folder, local or remote (``gs://bucket/prefix``), on fsspec.

Artifact versions record the URI of their files. The store only ever deletes or serves
files under its own root, so a version that points elsewhere (a registered external file, or
a hostile URI sent through the API) is never touched.
"""

from __future__ import annotations

import os
import posixpath
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import IO, Any

import fsspec

from lineageql.errors import BadInputError

CHUNK_BYTES = 1 << 20


class ArtifactStore:
    """Files under one root URI; ``root`` is a local path or a URL fsspec understands."""

    def __init__(self, root: str, **storage_options: Any) -> None:
        """``storage_options`` go to the fsspec filesystem; for ``gs://`` against an emulator
        (``STORAGE_EMULATOR_HOST`` set) the token defaults to anonymous."""
        if "://" not in root:
            root = str(Path(root).expanduser().resolve())
        if root.startswith("gs://") and os.environ.get("STORAGE_EMULATOR_HOST"):
            storage_options.setdefault("token", "anon")
        self.root = root.rstrip("/")
        self._protocol = root.partition("://")[0] if "://" in root else "file"
        self.fs, root_path = fsspec.core.url_to_fs(self.root, **storage_options)
        self._root_path = root_path.rstrip("/")

    @classmethod
    def around(cls, uri: str) -> ArtifactStore | None:
        """A store rooted at the folder holding ``uri`` (an absolute local path or a URL),
        to read files another tool wrote; None for a relative path."""
        if "://" not in uri and not uri.startswith("/"):
            return None
        parent = posixpath.dirname(uri.rstrip("/"))
        return cls(parent) if parent and parent != "/" else None

    @property
    def is_local(self) -> bool:
        return self._protocol == "file"

    def contains(self, uri: str) -> bool:
        """Whether ``uri`` lies strictly under the root (``..`` segments cannot climb out)."""
        return self.inside_path(uri) is not None

    def exists(self, uri: str) -> bool:
        return bool(self.fs.exists(self.fs_path(uri)))

    def is_dir(self, uri: str) -> bool:
        return bool(self.fs.isdir(self.fs_path(uri)))

    def remove(self, uri: str) -> None:
        """Delete the file or folder at ``uri``."""
        self.fs.rm(self.fs_path(uri), recursive=True)

    def open(self, uri: str, mode: str = "rb") -> IO[bytes]:
        """The file at ``uri``; writing creates its folders first."""
        path = self.fs_path(uri)
        if "w" in mode:
            self.fs.makedirs(posixpath.dirname(path), exist_ok=True)
        return self.fs.open(path, mode)  # type: ignore[no-any-return]

    def size(self, uri: str) -> int:
        """Bytes stored at ``uri``: the file's size, or the sum over a folder's files."""
        path = self.fs_path(uri)
        if self.fs.isdir(path):
            return sum(int(self.fs.size(full)) for _, full in self.files(uri))
        return int(self.fs.size(path))

    def files(self, uri: str) -> list[tuple[str, str]]:
        """Every file under the folder ``uri``: (path relative to it, full path), sorted."""
        base = self.fs_path(uri)
        found = self.fs.find(base)
        return sorted((posixpath.relpath(full, base), full) for full in found)

    def read_chunks(self, uri: str) -> Iterator[bytes]:
        """The file at ``uri`` in pieces of at most 1 MiB."""
        with self.open(uri) as handle:
            while chunk := handle.read(CHUNK_BYTES):
                yield chunk

    def zip_folder(self, uri: str, target: IO[bytes]) -> None:
        """Write the folder at ``uri`` into ``target`` as a zip archive."""
        with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as archive:
            for relative, full in self.files(uri):
                with self.fs.open(full, "rb") as source, archive.open(relative, "w") as sink:
                    while chunk := source.read(CHUNK_BYTES):
                        sink.write(chunk)

    def fs_path(self, uri: str) -> str:
        """The store path of ``uri``, which must lie under the root."""
        path = self.inside_path(uri)
        if path is None:
            raise BadInputError(f"{uri!r} is outside the artifact store {self.root!r}", "uri")
        return path

    def inside_path(self, uri: str) -> str | None:
        """The normalised store path of ``uri`` if it lies strictly under the root, else None
        (two URIs naming the same file give the same path)."""
        path = self._path(uri)
        return path if path is not None and path.startswith(self._root_path + "/") else None

    def _path(self, uri: str) -> str | None:
        """``uri`` as a normalised path of this store's filesystem, or None if it is not one."""
        protocol, separator, rest = uri.partition("://")
        if not separator:
            protocol, rest = "file", uri
        if protocol != self._protocol or "\x00" in rest:
            return None
        normal = posixpath.normpath(rest)
        if protocol == "file":
            if not normal.startswith("/"):
                return None
            normal = str(Path(normal).resolve())
        return normal
