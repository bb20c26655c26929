"""pandas DataFrames and Series as Parquet (through pyarrow), with shape, column dtypes and
per-column statistics; an HTML table of the first rows as visualization."""

from __future__ import annotations

import io
import math
from typing import Any

import pandas as pd

from lineageql.artifacts.materializers.base import Materializer, VisualizationFile

DATA_FILE = "data.parquet"
SERIES_COLUMN = "__series__"
PREVIEW_ROWS = 20


class PandasMaterializer(Materializer):
    handles = (pd.DataFrame, pd.Series)

    def save(self, value: Any) -> None:
        frame = value.to_frame(name=SERIES_COLUMN) if isinstance(value, pd.Series) else value
        buffer = io.BytesIO()
        frame.to_parquet(buffer, engine="pyarrow")
        self.write_bytes(DATA_FILE, buffer.getvalue())
        if isinstance(value, pd.Series) and value.name is not None:
            self.write_bytes("series_name.txt", str(value.name).encode())

    def load(self, data_type: type) -> Any:
        frame = pd.read_parquet(io.BytesIO(self.read_bytes(DATA_FILE)), engine="pyarrow")
        if issubclass(data_type, pd.Series):
            series = frame[SERIES_COLUMN]
            name_file = self.path("series_name.txt")
            series.name = (
                self.read_bytes("series_name.txt").decode()
                if self.store.exists(name_file)
                else None
            )
            return series
        return frame

    def columns(self, value: Any) -> list[tuple[str, str]]:
        frame = value.to_frame() if isinstance(value, pd.Series) else value
        return [(str(name), str(dtype)) for name, dtype in frame.dtypes.items()]

    def metadata(self, value: Any) -> dict[str, Any]:
        frame = value.to_frame() if isinstance(value, pd.Series) else value
        columns = dict(self.columns(value))
        statistics: dict[str, dict[str, float | None]] = {}
        for name in frame.select_dtypes("number").columns:
            column = frame[name]
            statistics[str(name)] = {
                key: _number(getattr(column, key)()) for key in ("min", "max", "mean", "std")
            }
        return {"shape": list(value.shape), "columns": columns, "statistics": statistics}

    def visualizations(self, value: Any) -> list[VisualizationFile]:
        frame = value.to_frame() if isinstance(value, pd.Series) else value
        table = frame.head(PREVIEW_ROWS).to_html(border=0)
        return [VisualizationFile("html", "table.html", table.encode())]


def _number(value: Any) -> float | None:
    number = float(value)
    return None if math.isnan(number) else number
