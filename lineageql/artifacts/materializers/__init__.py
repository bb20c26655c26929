"""Materializers: which one stores a value, by its type, and the registry for custom ones.

Lookup walks the value type's MRO, newest registration first, so a custom materializer for a
class wins over the built-in one for its base class; anything else falls back to pickle.
"""

from __future__ import annotations

import importlib
import sys
from typing import Any

from lineageql.artifacts.materializers.base import Materializer, VisualizationFile
from lineageql.artifacts.materializers.builtin import BuiltInMaterializer, BytesMaterializer
from lineageql.artifacts.materializers.paths import PathMaterializer
from lineageql.artifacts.materializers.pickled import PickleMaterializer
from lineageql.errors import BadInputError

_REGISTRY: dict[type, type[Materializer]] = {}

_LAZY = (
    ("numpy", "ndarray", "lineageql.artifacts.materializers.numpy_arrays.NumpyMaterializer"),
    ("pandas", "DataFrame", "lineageql.artifacts.materializers.pandas_frames.PandasMaterializer"),
    ("pandas", "Series", "lineageql.artifacts.materializers.pandas_frames.PandasMaterializer"),
)
"""Materializers for third-party types, imported only when such a value shows up (so that
importing lineageql does not import NumPy or pandas)."""


def register_materializer(materializer: type[Materializer], *types: type) -> None:
    """Use ``materializer`` for ``types`` (default: its ``handles``)."""
    for handled in types or materializer.handles:
        _REGISTRY[handled] = materializer


def materializer_for(data_type: type) -> type[Materializer]:
    """The materializer registered for ``data_type`` or its nearest base class."""
    for base in data_type.__mro__:
        if base in _REGISTRY:
            return _REGISTRY[base]
        package = sys.modules.get(base.__module__.partition(".")[0])
        for package_name, attribute, lazy in _LAZY:
            named = package is not None and package.__name__ == package_name
            if named and getattr(package, attribute, None) is base:
                materializer: type[Materializer] = import_qualified(lazy, "materializer")
                register_materializer(materializer, base)
                return materializer
    return PickleMaterializer


def materializer_for_value(value: Any) -> type[Materializer]:
    """The materializer for ``value``; pickle for containers JSON cannot round-trip."""
    chosen = materializer_for(type(value))
    if chosen is BuiltInMaterializer and not BuiltInMaterializer.can_save(value):
        return PickleMaterializer
    return chosen


def qualified_name(cls: type) -> str:
    return f"{cls.__module__}.{cls.__qualname__}"


def import_qualified(name: str, what: str) -> Any:
    """The object ``package.module.QualName`` names; a BadInputError if it cannot be imported."""
    if name == "builtins.NoneType":
        return type(None)
    parts = name.split(".")
    for split in range(len(parts) - 1, 0, -1):
        try:
            found: Any = importlib.import_module(".".join(parts[:split]))
        except ImportError:
            continue
        try:
            for attribute in parts[split:]:
                found = getattr(found, attribute)
        except AttributeError:
            break
        return found
    raise BadInputError(f"cannot import the {what} {name!r}; is its package installed here?")


def _register_defaults() -> None:
    register_materializer(PickleMaterializer, object)
    register_materializer(BuiltInMaterializer)
    register_materializer(BytesMaterializer)
    register_materializer(PathMaterializer)


_register_defaults()

__all__ = [
    "Materializer",
    "VisualizationFile",
    "import_qualified",
    "materializer_for",
    "materializer_for_value",
    "qualified_name",
    "register_materializer",
]
