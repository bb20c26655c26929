"""NumPy arrays as ``.npy`` files, with shape, dtype and summary statistics; an image-like
array (H x W x 3) is also rendered as a PNG."""

from __future__ import annotations

import io
from typing import Any

import numpy as np

from lineageql.artifacts.materializers.base import Materializer, VisualizationFile
from lineageql.artifacts.materializers.images import png_bytes
from lineageql.records import DType

DATA_FILE = "data.npy"


class NumpyMaterializer(Materializer):
    handles = (np.ndarray,)

    def save(self, value: Any) -> None:
        buffer = io.BytesIO()
        np.save(buffer, value, allow_pickle=False)
        self.write_bytes(DATA_FILE, buffer.getvalue())

    def load(self, data_type: type) -> Any:
        return np.load(io.BytesIO(self.read_bytes(DATA_FILE)), allow_pickle=False)

    def metadata(self, value: Any) -> dict[str, Any]:
        found: dict[str, Any] = {"shape": list(value.shape), "dtype": DType(str(value.dtype))}
        if value.size and np.issubdtype(value.dtype, np.number):
            found.update(
                mean=float(np.mean(value)),
                std=float(np.std(value)),
                min=float(np.min(value)),
                max=float(np.max(value)),
            )
        return found

    def visualizations(self, value: Any) -> list[VisualizationFile]:
        if value.ndim == 3 and value.shape[2] == 3 and value.dtype == np.uint8:
            return [VisualizationFile("image", "image.png", png_bytes(value))]
        return []
