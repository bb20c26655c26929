"""Readers of the files ZenML's own materializers write, for artifact versions imported from
ZenML (``lineageql import zenml``): its built-in JSON values and containers, NumPy arrays
and pandas frames and series. They only load; lineageql saves through its own materializers.

``READERS`` names, for each ZenML materializer (by its import path), the reader here that
loads what it wrote; a version written by any other keeps ZenML's materializer name, and
loading it fails with an error naming it (never with a guess at the format).
"""

from __future__ import annotations

import io
import json
from typing import Any

from lineageql.artifacts.materializers.base import Materializer
from lineageql.errors import BadInputError, LineageError


class ZenMLReader(Materializer):
    """Loads files a ZenML materializer wrote; saving is not its job."""

    def save(self, value: Any) -> None:
        raise LineageError("versions imported from ZenML are read, never written")

    def exists(self, filename: str) -> bool:
        return self.store.exists(self.path(filename))


class ZenMLJsonReader(ZenMLReader):
    """ZenML's built-in materializers: a value or container as ``data.json``."""

    def load(self, data_type: type) -> Any:
        if not self.exists("data.json"):
            raise BadInputError(
                f"{self.uri!r} holds a container ZenML stored element by element "
                "(metadata.json); load it with ZenML's BuiltInContainerMaterializer"
            )
        value = json.loads(self.read_bytes("data.json"))
        if data_type in (tuple, set, frozenset) and isinstance(value, list):
            return data_type(value)
        return value


class ZenMLNumpyReader(ZenMLReader):
    """ZenML's NumPy materializer: an array as ``data.npy``."""

    def load(self, data_type: type) -> Any:
        import numpy as np

        if not self.exists("data.npy"):
            raise BadInputError(
                f"{self.uri!r} holds an array in ZenML's older parquet layout; load it with "
                "ZenML's NumpyMaterializer"
            )
        return np.load(io.BytesIO(self.read_bytes("data.npy")), allow_pickle=False)


class ZenMLPandasReader(ZenMLReader):
    """ZenML's pandas materializer: ``df.parquet.gzip`` (or ``df.csv``); a series is the
    frame's one column."""

    def load(self, data_type: type) -> Any:
        import pandas as pd

        if self.exists("df.parquet.gzip"):
            frame = pd.read_parquet(io.BytesIO(self.read_bytes("df.parquet.gzip")))
        else:
            frame = pd.read_csv(io.BytesIO(self.read_bytes("df.csv")), index_col=0)
        if isinstance(data_type, type) and issubclass(data_type, pd.Series):
            return frame[frame.columns[0]]
        return frame


READERS: dict[str, type[ZenMLReader]] = {
    "zenml.materializers.built_in_materializer.BuiltInMaterializer": ZenMLJsonReader,
    "zenml.materializers.built_in_materializer.BuiltInContainerMaterializer": ZenMLJsonReader,
    "zenml.materializers.numpy_materializer.NumpyMaterializer": ZenMLNumpyReader,
    "zenml.integrations.numpy.materializers.numpy_materializer.NumpyMaterializer": (
        ZenMLNumpyReader
    ),
    "zenml.integrations.pandas.materializers.pandas_materializer.PandasMaterializer": (
        ZenMLPandasReader
    ),
}
"""ZenML's materializer (import path) to the reader of what it wrote."""
