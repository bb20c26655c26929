"""Built-in Python values: JSON for numbers, strings, booleans, None and containers of them;
raw bytes for ``bytes``."""

from __future__ import annotations

import json
from typing import Any

from lineageql.artifacts.materializers.base import Materializer, VisualizationFile

DATA_FILE = "data.json"


class BuiltInMaterializer(Materializer):
    """int, float, str, bool, None, and dict, list, tuple and set of JSON values."""

    handles = (int, float, str, bool, type(None), dict, list, tuple, set)

    def save(self, value: Any) -> None:
        shown = sorted(value, key=repr) if isinstance(value, set) else value
        self.write_bytes(DATA_FILE, json.dumps(shown, allow_nan=True).encode())

    def load(self, data_type: type) -> Any:
        value = json.loads(self.read_bytes(DATA_FILE))
        if data_type in (tuple, set) and isinstance(value, list):
            return data_type(value)
        return value

    def metadata(self, value: Any) -> dict[str, Any]:
        if isinstance(value, (dict, list, tuple, set, str)):
            return {"length": len(value)}
        return {}

    def visualizations(self, value: Any) -> list[VisualizationFile]:
        if isinstance(value, str):
            return [VisualizationFile("markdown", "text.md", value.encode())]
        return []

    @staticmethod
    def can_save(value: Any) -> bool:
        """Whether ``value`` comes back equal through JSON (containers holding other objects,
        tuples inside containers or dicts with non-string keys do not)."""
        try:
            shown = sorted(value, key=repr) if isinstance(value, set) else value
            loaded = json.loads(json.dumps(shown))
        except (TypeError, ValueError):
            return False
        if isinstance(value, (tuple, set)):
            loaded = type(value)(loaded)
        return bool(loaded == value)


class BytesMaterializer(Materializer):
    handles = (bytes,)

    def save(self, value: Any) -> None:
        self.write_bytes("data.bin", bytes(value))

    def load(self, data_type: type) -> Any:
        return self.read_bytes("data.bin")
