"""Files and folders (``pathlib.Path``): copied into the artifact store, loaded back as a
local path (a temporary copy, so the stored version stays as it was)."""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path
from typing import Any

from lineageql.artifacts.materializers.base import Materializer

CONTENT = "content"


class PathMaterializer(Materializer):
    handles = (Path,)

    def save(self, value: Any) -> None:
        source = Path(value)
        if not source.exists():
            raise FileNotFoundError(f"{source} does not exist")
        target = self.store.fs_path(self.path(f"{CONTENT}/{source.name}"))
        self.store.fs.makedirs(self.store.fs_path(self.path(CONTENT)), exist_ok=True)
        self.store.fs.put(str(source), target, recursive=source.is_dir())

    def load(self, data_type: type) -> Any:
        [name] = self.store.fs.ls(self.store.fs_path(self.path(CONTENT)), detail=False)
        return copy_out(self.store, f"{self.path(CONTENT)}/{Path(name).name}")


def copy_out(store: Any, uri: str) -> Path:
    """A fresh local copy of the file or folder at ``uri``."""
    folder = Path(tempfile.mkdtemp(prefix="lineageql-"))
    target = folder / Path(uri.rstrip("/")).name
    if store.is_local:
        source = Path(store.fs_path(uri))
        if source.is_dir():
            shutil.copytree(source, target)
        else:
            shutil.copy2(source, target)
    else:
        store.fs.get(store.fs_path(uri), str(target), recursive=store.is_dir(uri))
    return target
