"""Showing an artifact version's visualizations: inline in Jupyter, otherwise copied to a
local folder whose path is printed."""

from __future__ import annotations

import importlib
import sys
import tempfile
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from lineageql.artifacts import ArtifactStore


def in_notebook() -> bool:
    """Whether this runs inside a Jupyter kernel."""
    shell: Any = sys.modules.get("IPython")
    if shell is None:
        return False
    ipython = shell.get_ipython()
    return ipython is not None and "IPKernelApp" in getattr(ipython, "config", {})


def show_visualizations(
    store: ArtifactStore, title: str, visualizations: Sequence[dict[str, str]], folder: Path | None
) -> list[Path]:
    """Copy ``visualizations`` into ``folder`` (a new temporary one by default), display them
    when in a notebook, and return the local files."""
    if not visualizations:
        print(f"{title} has no visualizations")
        return []
    target = folder or Path(tempfile.mkdtemp(prefix="lineageql-visualizations-"))
    target.mkdir(parents=True, exist_ok=True)
    files = []
    for index, visualization in enumerate(visualizations):
        name = f"{_safe(title)}-{index}-{Path(visualization['uri']).name}"
        local = target / name
        with store.open(visualization["uri"]) as source:
            local.write_bytes(source.read())
        files.append(local)
    if in_notebook():
        _display(files, [v["type"] for v in visualizations])
    else:
        print(f"Visualizations of {title} written to {target}:")
        for local in files:
            print(f"  {local}")
    return files


def _display(files: list[Path], kinds: list[str]) -> None:
    shown: Any = importlib.import_module("IPython.display")
    renderers: dict[str, Any] = {
        "html": lambda path: shown.HTML(path.read_text()),
        "image": lambda path: shown.Image(filename=str(path)),
        "markdown": lambda path: shown.Markdown(path.read_text()),
    }
    for path, kind in zip(files, kinds, strict=True):
        shown.display(renderers.get(kind, renderers["markdown"])(path))


def _safe(text: str) -> str:
    return "".join(c if c.isalnum() or c in "-_." else "_" for c in text)
